// Quickstart: a whole model lifecycle, told step by step.
// Run it with:  dotnet run --project samples/Quickstart
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry;
using ModelRegistry.Registry;

// The registry lives in one embedded SQLite file next to the program. Each run starts from a fresh file.
var databasePath = Path.Combine(AppContext.BaseDirectory, "registry.db");
var reset = File.Exists(databasePath);
foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
{
    File.Delete(file);
}

await using var mr = ModelRegistryServices.Create(b => b.UseSqlite($"Data Source={databasePath}").UseActor("quickstart"));
var registry = mr.Registry;
Console.WriteLine($"ModelRegistry quickstart — SQLite store at {databasePath} ({(reset ? "reset the file from the previous run" : "new file")})");

var model = await registry.RegisterModelAsync(new RegisterModelRequest
{
    Name = "fraud-detector",
    Description = "Scores card transactions for fraud",
    Owners = ["risk-ml-team"],
    RiskTier = RiskTier.Limited,
    Task = "classification",
    Tags = new Dictionary<string, string> { ["team"] = "risk" },
});
Step($"Registered model '{model.Name}' (risk tier {model.RiskTier}, owners {string.Join(", ", model.Owners)})");

var v1 = await registry.CreateVersionAsync("fraud-detector", new CreateVersionRequest
{
    SourceCommit = "9f1c2ab",
    RunId = "train-2026-03-01",
    Metrics = new Dictionary<string, double> { ["auc"] = 0.912 },
    Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/1.0.0/model.onnx", new string('a', 64), 48_213_004, "Apache-2.0")],
    ProviderBindings = [new ProviderBindingRequest { Provider = ModelProviders.SelfHosted, ProviderModelId = "fraud-onnx", Endpoint = "https://ml.internal/fraud", CostPer1KInputTokens = 0.0001m }],
});
var v2 = await registry.CreateVersionAsync("fraud-detector", new CreateVersionRequest
{
    Increment = VersionIncrement.Minor,
    SourceCommit = "4d7e9b0",
    RunId = "train-2026-03-08",
    Metrics = new Dictionary<string, double> { ["auc"] = 0.934 },
    Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/1.1.0/model.onnx", new string('b', 64), 48_377_120, "Apache-2.0")],
});
Step($"Created versions {v1.Version} (auc 0.912) and {v2.Version} (auc 0.934); content hash of {v2.Version}: {v2.ContentHash[..16]}…");

await registry.TransitionStageAsync("fraud-detector", "1.0.0", ModelStage.Staging);
await registry.TransitionStageAsync("fraud-detector", "1.0.0", ModelStage.Production, new StageTransitionOptions { Reason = "first release" });
Step("Promoted 1.0.0: development → staging → production");

await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Staging);
await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 10 });
Step("Started a canary of 1.1.0 at 10 % of traffic");
await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Production, new StageTransitionOptions { Reason = "canary healthy" });
var archived = await registry.GetVersionAsync("fraud-detector", "1.0.0");
Step($"Promoted 1.1.0 to production; 1.0.0 is now {archived.Stage} and remembered for rollback");

await registry.SetAliasAsync("fraud-detector", "champion", "1.1.0");
var resolved = await registry.ResolveAsync("models:/fraud-detector@champion");
Step($"Alias champion → {resolved.Version}; models:/fraud-detector/production → {(await registry.ResolveAsync("models:/fraud-detector/production")).Version}");

var rollback = await registry.RollbackAsync("fraud-detector", "false-positive rate doubled");
Step($"Rolled back: {rollback.RolledBack.Version} is {rollback.RolledBack.Stage}, {rollback.Restored.Version} serves production again");

var page = await registry.SearchVersionsAsync(new SearchRequest());
Step($"Search found {page.Items.Count} versions: {string.Join(", ", page.Items.Select(v => $"{v.Version} ({v.Stage})"))}");

var stats = await registry.GetStatisticsAsync();
Step($"Statistics: {stats.ModelCount} model, {stats.VersionCount} versions, {stats.VersionsByStage[ModelStage.Production]} in production");

var audit = await mr.AuditTrail.QueryAsync(new ModelRegistry.Audit.AuditQuery { PageSize = 100 });
var verification = await mr.AuditTrail.VerifyAsync();
Step($"Audit trail: {audit.Items.Count} records, chain {(verification.IsValid ? "verified" : "BROKEN: " + verification.Problem)}, head {verification.HeadHash[..16]}…");
foreach (var record in audit.Items)
{
    Console.WriteLine($"    #{record.Sequence,-3} {record.Action,-22} {record.Subject}");
}

static void Step(string text) => Console.WriteLine($"  ✓ {text}");
