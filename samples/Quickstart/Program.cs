// Quickstart: a whole model lifecycle, told step by step.
// Run it with:  dotnet run --project samples/Quickstart
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

// The registry lives in one embedded SQLite file next to the program. Each run starts from a fresh file.
var databasePath = Path.Combine(AppContext.BaseDirectory, "registry.db");
var reset = File.Exists(databasePath);
foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
{
    File.Delete(file);
}

// Who is acting: a data scientist requests approvals, two reviewers outside the owning team grant them. A web host maps
// its signed-in user here instead (IActorAccessor), and its groups onto compliance roles (IComplianceRoleProvider).
var actor = new SampleActor { Current = "data-scientist" };

// Audit checkpoints are signed with a key kept outside the store. A real host loads it from its secret store; this
// sample makes a random one, so its checkpoints can only be verified during this run.
var checkpointKey = RandomNumberGenerator.GetBytes(32);

await using var mr = ModelRegistryServices.Create(b => b
    .UseSqlite($"Data Source={databasePath}")
    .ConfigureCompliance(o =>
    {
        o.CheckpointSigningKey = checkpointKey;
        o.CheckpointEvery = 500;
    })
    .Services.AddSingleton<IActorAccessor>(actor));
var registry = mr.Registry;
var compliance = mr.Compliance;
Console.WriteLine($"ModelRegistry quickstart — SQLite store at {databasePath} ({(reset ? "reset the file from the previous run" : "new file")})");

var model = await registry.RegisterModelAsync(new RegisterModelRequest
{
    Name = "fraud-detector",
    Description = "Scores card transactions for fraud",
    Owners = ["risk-ml-team"],
    RiskTier = RiskTier.High,
    Task = "classification",
    Tags = new Dictionary<string, string>
    {
        ["team"] = "risk",

        // The facts the EU AI Act, GDPR and documentation checks (and the model card) read; see ComplianceFields.
        [ComplianceFields.IntendedUse] = "Ranks card transactions for review by fraud analysts; never blocks a payment on its own.",
        [ComplianceFields.Limitations] = "Trained on EU card traffic only; not validated for other regions.",
        [ComplianceFields.TechnicalDocumentation] = "https://wiki.example/fraud-detector/annex-iv",
        [ComplianceFields.HumanOversightContact] = "fraud-oversight@example.com",
        [ComplianceFields.TransparencyNotice] = "Analysts see that the ranking comes from an AI model.",
        [ComplianceFields.LawfulBasis] = "legitimate_interests",
        [ComplianceFields.DpiaReference] = "DPIA-2026-004",
        [ComplianceFields.RetentionPeriod] = "P2Y",
        [ComplianceFields.ThresholdPrefix + "auc"] = ">=0.9",

        // What the version must show in service (the performance tracker, last 7 days) before production, and the
        // protected groups the fairness and bias checks compare in the observed traffic.
        [ComplianceFields.ObservedThresholdPrefix + "latency"] = "p95<=100",
        [ComplianceFields.ProtectedGroupsPrefix + "gender"] = "female, male",
    },
});
Step($"Registered model '{model.Name}' (risk tier {model.RiskTier}, owners {string.Join(", ", model.Owners)})");

// Evaluation results recorded with each version; per-group rates (GroupMetrics) feed the fairness and bias checks.
static Dictionary<string, double> Evaluation(double auc, double femaleRate, double maleRate) => new()
{
    ["auc"] = auc,
    [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "female")] = femaleRate,
    [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "male")] = maleRate,
    [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "female")] = 0.031,
    [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "male")] = 0.028,
};

var v1 = await registry.CreateVersionAsync("fraud-detector", new CreateVersionRequest
{
    Description = "First release",
    SourceCommit = "9f1c2ab",
    RunId = "train-2026-03-01",
    Metrics = Evaluation(0.912, 0.081, 0.088),
    Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/1.0.0/model.onnx", new string('a', 64), 48_213_004, "Apache-2.0")],
    ProviderBindings = [new ProviderBindingRequest { Provider = ModelProviders.SelfHosted, ProviderModelId = "fraud-onnx", Endpoint = "https://ml.internal/fraud", CostPer1KInputTokens = 0.0001m }],
});
var v2 = await registry.CreateVersionAsync("fraud-detector", new CreateVersionRequest
{
    Increment = VersionIncrement.Minor,
    Description = "Retrained with March data",
    SourceCommit = "4d7e9b0",
    RunId = "train-2026-03-08",
    Metrics = Evaluation(0.934, 0.084, 0.089),
    Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/1.1.0/model.onnx", new string('b', 64), 48_377_120, "Apache-2.0")],
});
Step($"Created versions {v1.Version} (auc 0.912) and {v2.Version} (auc 0.934); content hash of {v2.Version}: {v2.ContentHash[..16]}…");

// Lineage: what data trained each version, and which run produced it.
var lineage = mr.Lineage;
var transactions = await lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Dataset("card-transactions-2026q1"), LineageNodeKind.Dataset, "card-transactions-2026q1")
{
    Details = new DatasetDetails { Uri = "s3://data/cards/2026q1/", RowCount = 12_400_000, License = "internal", ContainsPersonalData = true, PersonalDataCategories = ["payment data"] },
});
var run = await lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.TrainingRun("train-2026-03-08"), LineageNodeKind.TrainingRun, "train-2026-03-08")
{
    Details = new TrainingRunDetails { CodeCommit = "4d7e9b0" },
});
foreach (var version in new[] { "1.0.0", "1.1.0" })
{
    await lineage.LinkAsync(new LinkRequest(LineageNodeIds.Version("fraud-detector", version), LineageEdgeKind.TrainedOn, transactions.Id));
}

await lineage.LinkAsync(new LinkRequest(LineageNodeIds.Version("fraud-detector", "1.1.0"), LineageEdgeKind.ProducedBy, run.Id));
Step($"Lineage: both versions TrainedOn {transactions.Id}; 1.1.0 ProducedBy {run.Id}");

// At High risk, production and canary need an approved request, reviewed by two people who neither made the request
// nor own the model. The compliance checks run when the request is made and their results are stored with it.
async Task ApproveAsync(string version, ModelStage stage, string why)
{
    var request = await compliance.RequestApprovalAsync("fraud-detector", version, stage, why);
    foreach (var reviewer in new[] { "reviewer-anna", "reviewer-ben" })
    {
        actor.Current = reviewer;
        request = await compliance.ReviewAsync(request.Id, ReviewDecision.Approve, $"checked by {reviewer}");
    }

    actor.Current = "data-scientist";
    Step($"Approval {request.Id[..16]}… for {version} → {stage}: checks {request.Checks.Outcome}, {request.State} by {string.Join(" and ", request.Approvers)}");
    foreach (var result in request.Checks.Results.Where(r => r.CheckName is BuiltInChecks.Fairness or BuiltInChecks.EvaluationThresholds))
    {
        var observed = result.Evidence.Where(e => e.Source.StartsWith("performance", StringComparison.Ordinal) && !e.Item.Contains(" by ", StringComparison.Ordinal));
        Console.WriteLine($"      {result.CheckName} {result.Outcome}: {string.Join("; ", observed.Select(e => $"{e.Item} = {e.Value}"))}");
    }
}

// Shadow traffic in staging: every request is timed, and each decision is recorded per protected group — whether the
// transaction was flagged (selection_rate, 0/1) and, once the chargeback data is in, whether a flag was a false positive
// (fpr). The fairness, bias and observed-threshold checks read exactly these points.
var performance = mr.Performance;
async Task ShadowTrafficAsync(string version, int requestsPerGroup)
{
    var points = new List<MetricPoint>();
    foreach (var (gender, flagEvery, falsePositiveEvery) in new[] { ("female", 12, 30), ("male", 11, 35) })
    {
        var group = new Dictionary<string, string> { ["gender"] = gender };
        for (var i = 0; i < requestsPerGroup; i++)
        {
            await performance.TrackInferenceAsync(new InferenceRecord { ModelName = "fraud-detector", Version = version, LatencyMs = 40 + (i % 20), InputTokens = 300, OutputTokens = 20, Dimensions = group });
            points.Add(new MetricPoint { ModelName = "fraud-detector", Version = version, Kind = MetricKind.Custom, CustomName = GroupMetrics.SelectionRate, Value = i % flagEvery == 0 ? 1 : 0, Dimensions = group });
            points.Add(new MetricPoint { ModelName = "fraud-detector", Version = version, Kind = MetricKind.Custom, CustomName = GroupMetrics.FalsePositiveRate, Value = i % falsePositiveEvery == 0 ? 1 : 0, Dimensions = group });
        }
    }

    await performance.RecordBatchAsync(points);
    Step($"Shadow traffic for {version} in staging: {2 * requestsPerGroup} requests, flag and false-positive outcomes per gender");
}

await registry.TransitionStageAsync("fraud-detector", "1.0.0", ModelStage.Staging);
await ShadowTrafficAsync("1.0.0", 100);
try
{
    await registry.TransitionStageAsync("fraud-detector", "1.0.0", ModelStage.Production);
}
catch (ModelRegistryException ex) when (ex.Code == ErrorCode.PolicyViolation)
{
    Step($"Promotion without approval refused: {ex.Message[..Math.Min(ex.Message.Length, 110)]}…");
}

await ApproveAsync("1.0.0", ModelStage.Production, "First release; AUC 0.912 on the holdout set");
await registry.TransitionStageAsync("fraud-detector", "1.0.0", ModelStage.Production, new StageTransitionOptions { Reason = "first release" });
Step("Promoted 1.0.0: development → staging → production");

await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Staging);
await ShadowTrafficAsync("1.1.0", 100);
await ApproveAsync("1.1.0", ModelStage.Canary, "Canary of the March retrain");
await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 10 });
Step("Started a canary of 1.1.0 at 10 % of traffic");
// Inference traffic for both versions: 1.1.0 answers a little better and a little faster.
var random = new Random(42);
for (var i = 0; i < 400; i++)
{
    var canary = i % 2 == 1;
    await performance.TrackInferenceAsync(new InferenceRecord
    {
        ModelName = "fraud-detector",
        Version = canary ? "1.1.0" : "1.0.0",
        LatencyMs = (canary ? 38 : 45) + (random.NextDouble() * 20),
        InputTokens = 300,
        OutputTokens = 20,
        Succeeded = random.NextDouble() > (canary ? 0.01 : 0.02),
        QualityScore = (canary ? 0.86 : 0.82) + (random.NextDouble() * 0.08),
    });
}

var window = new MetricWindow(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
var ab = await performance.RunAbTestAsync(new AbTestRequest
{
    A = new MetricSubject("fraud-detector", "1.0.0"),
    B = new MetricSubject("fraud-detector", "1.1.0"),
    Window = window,
    Options = new AbTestOptions { Metric = MetricKey.Quality },
});
Step($"Recorded 400 inferences; A/B on quality: 1.0.0 mean {ab.A.Mean:F3} (n={ab.A.Count}) vs 1.1.0 mean {ab.B.Mean:F3} (n={ab.B.Count}), p = {ab.PValue:G3} → {ab.Verdict}");
var latency = await performance.GetStatisticsAsync(new MetricQuery { Subject = new MetricSubject("fraud-detector", "1.1.0"), Metric = MetricKey.Latency, Window = window });
Step($"Canary latency: p50 {latency.P50:F1} ms, p95 {latency.P95:F1} ms, p99 {latency.P99:F1} ms over {latency.Count} requests");
var rollbackCheck = await performance.CheckRollbackAsync("fraud-detector", "1.1.0");
Step($"Rollback check on the canary: {(rollbackCheck.ShouldRollBack ? "ROLL BACK" : "healthy")} ({string.Join(", ", rollbackCheck.Checks.Select(c => $"{c.Kind}: {c.Outcome}"))})");

await ApproveAsync("1.1.0", ModelStage.Production, "Canary healthy; quality up in the A/B test");
await registry.TransitionStageAsync("fraud-detector", "1.1.0", ModelStage.Production, new StageTransitionOptions { Reason = "canary healthy" });
var archived = await registry.GetVersionAsync("fraud-detector", "1.0.0");
Step($"Promoted 1.1.0 to production; 1.0.0 is now {archived.Stage} and remembered for rollback");

await registry.SetAliasAsync("fraud-detector", "champion", "1.1.0");
var resolved = await registry.ResolveAsync("models:/fraud-detector@champion");
Step($"Alias champion → {resolved.Version}; models:/fraud-detector/production → {(await registry.ResolveAsync("models:/fraud-detector/production")).Version}");

var rollback = await registry.RollbackAsync("fraud-detector", "false-positive rate doubled");
Step($"Rolled back: {rollback.RolledBack.Version} is {rollback.RolledBack.Stage}, {rollback.Restored.Version} serves production again");

var impact = await lineage.AnalyzeImpactAsync(transactions.Id);
Step($"Impact of a problem in {transactions.Id}: {string.Join("; ", impact.Items.Select(i => $"{i.Node.Id} [{i.Stage}] via {i.Path.Describe()}"))}");
var upstream = await lineage.GetUpstreamAsync(LineageNodeIds.Version("fraud-detector", "1.1.0"));
using (var mermaid = new StringWriter())
{
    await lineage.ExportAsync(mermaid, LineageExportFormat.Mermaid, upstream);
    Step("Upstream lineage of 1.1.0 as a Mermaid diagram:");
    Console.WriteLine(string.Join(Environment.NewLine, mermaid.ToString().TrimEnd().Split('\n').Select(l => "      " + l)));
}

var page = await registry.SearchVersionsAsync(new SearchRequest { Filter = "metrics.auc > 0.9 AND stage IN ('production', 'rolledback')", OrderBy = "version DESC" });
Step($"Search found {page.Items.Count} versions: {string.Join(", ", page.Items.Select(v => $"{v.Version} ({v.Stage})"))}");

var stats = await registry.GetStatisticsAsync();
Step($"Statistics: {stats.ModelCount} model, {stats.VersionCount} versions, {stats.VersionsByStage[ModelStage.Production]} in production");

// The audit trail: every change above, hash-chained, anchored by signed checkpoints.
var checkpoint = await compliance.CreateAuditCheckpointAsync();
var verification = await compliance.VerifyAuditTrailAsync();
Step($"Audit trail: {verification.RecordsChecked} records, chain and {verification.CheckpointsVerified} checkpoint(s) {(verification.IsValid ? "verified" : "BROKEN: " + verification.Problem)}; head #{checkpoint.Sequence} {checkpoint.HeadHash[..16]}… (keep the checkpoint's JSON elsewhere)");
var audit = await compliance.QueryAuditAsync(new AuditQuery { Subject = "version:fraud-detector/1.1.0" });
foreach (var record in audit.Items)
{
    Console.WriteLine($"    #{record.Sequence,-3} {record.Action,-24} {record.Actor}");
}

// Documents for the auditor: a model card and an evidence bundle that verifies offline.
var card = await compliance.GetModelCardAsync("fraud-detector", "1.1.0");
var cardPath = Path.Combine(AppContext.BaseDirectory, "model-card-fraud-detector-1.1.0.md");
await File.WriteAllTextAsync(cardPath, card.ToMarkdown());
Step($"Model card written to {cardPath} (compliance for production: {card.Compliance.Outcome}, {card.Approvals.Count} approvals, {card.StageHistory.Count} stage changes, {card.Performance.Count} observed metrics)");

var bundlePath = Path.Combine(AppContext.BaseDirectory, "evidence-fraud-detector-1.1.0.zip");
await using (var bundle = File.Create(bundlePath))
{
    var info = await compliance.WriteEvidenceBundleAsync("fraud-detector", "1.1.0", bundle);
    Step($"Evidence bundle written to {bundlePath}: {info.Files.Count} files, {info.AuditRecordCount} audit records anchored by checkpoint #{info.Checkpoint?.Sequence}");
}

await using (var bundle = File.OpenRead(bundlePath))
{
    var offline = await EvidenceBundle.VerifyAsync(bundle, checkpointKey);
    Step($"Evidence bundle verified offline: {(offline.IsValid ? "valid" : string.Join("; ", offline.Problems))} ({offline.FilesVerified} files, {offline.AuditRecordsVerified} audit records, signature {(offline.CheckpointSignatureVerified ? "ok" : "not checked")})");
}

static void Step(string text) => Console.WriteLine($"  ✓ {text}");

/// <summary>Who the sample acts as; a web host would return the signed-in user instead.</summary>
internal sealed class SampleActor : IActorAccessor
{
    public string Current { get; set; } = "data-scientist";

    public string CurrentActor => Current;
}
