using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Sqlite.Tests.Support;

/// <summary>Builders for full records, with every field set, so round trips compare everything.</summary>
public static class Records
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    public static RegisteredModel Model(string name, long revision = 1, Action<Dictionary<string, string>>? tags = null, string? description = "A model.", RiskTier risk = RiskTier.Limited, IReadOnlyList<string>? owners = null)
    {
        var t = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "risk", ["tier"] = "gold" };
        tags?.Invoke(t);
        return new RegisteredModel
        {
            Name = name,
            Description = description,
            Owners = owners ?? ["alice", "ml-platform"],
            RiskTier = risk,
            Task = "classification",
            Framework = "pytorch",
            Provider = "SelfHosted",
            Tags = t,
            Status = ModelStatus.Active,
            Aliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["champion"] = "1.0.0" },
            ProductionHistory = ["0.9.0"],
            CreatedAt = T0,
            CreatedBy = "alice",
            UpdatedAt = T0.AddMinutes(revision),
            UpdatedBy = "bob",
            Revision = revision,
        };
    }

    public static ModelVersion Version(string model, string version, long revision = 1, ModelStage stage = ModelStage.Development, Action<Dictionary<string, string>>? tags = null, IReadOnlyDictionary<string, double>? metrics = null, IReadOnlyList<string>? providers = null)
    {
        var t = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "risk" };
        tags?.Invoke(t);
        return new ModelVersion
        {
            ModelName = model,
            Version = SemanticVersion.Parse(version),
            Description = "Retrained on March data.",
            SourceCommit = "a1b2c3d",
            RunId = "run-42",
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["lr"] = "0.001", ["epochs"] = "10" },
            Metrics = metrics ?? new Dictionary<string, double>(StringComparer.Ordinal) { ["accuracy"] = 0.93, ["f1"] = 0.1 + 0.2 },
            Artifacts =
            [
                new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/weights.bin", new string('a', 64), 123_456_789, "Apache-2.0"),
                new ModelArtifact(ArtifactType.Config, "s3://models/fraud/config.json"),
            ],
            DerivedFrom = "models:/base/1.0.0",
            Tags = t,
            Stage = stage,
            CanaryTrafficPercent = stage == ModelStage.Canary ? 10 : null,
            ContentHash = new string('b', 64),
            IdempotencyKey = null,
            ProviderBindings = (providers ?? ["OpenAI"]).Select((p, i) => new ProviderBinding
            {
                Id = "b" + i,
                Provider = p,
                ProviderModelId = "gpt-4o-2024-08-06",
                Endpoint = "https://example.invalid/v1",
                Region = "eu-west-1",
                CostPer1KInputTokens = 0.0025m,
                CostPer1KOutputTokens = 0.0100m,
                LatencySloMs = 800,
                Status = BindingStatus.Active,
                ObservedLatencyMs = 412.5,
                ObservedSuccessRate = 0.999,
                CreatedAt = T0,
                UpdatedAt = T0.AddSeconds(1),
            }).ToList(),
            CreatedAt = T0.AddHours(1),
            CreatedBy = "alice",
            UpdatedAt = T0.AddHours(1).AddMinutes(revision),
            UpdatedBy = "carol",
            StageChangedAt = T0.AddHours(2),
            Revision = revision,
        };
    }

    public static AuditDraft Draft(string action, string subject, string actor = "alice", int minute = 0)
        => new(T0.AddMinutes(minute), actor, action, subject, $$"""{"action":"{{action}}"}""");

    public static StoreTransaction Tx(params StoreWrite[] writes)
        => new(writes, writes.Select((w, i) => Draft(w.GetType().Name, Subject(w), minute: i)).ToList());

    public static string Subject(StoreWrite write) => write switch
    {
        PutModel p => "model:" + p.Model.Name,
        DeleteModel d => "model:" + d.Name,
        PutVersion v => $"version:{v.Version.ModelName}/{v.Version.Version}",
        _ => "?",
    };
}
