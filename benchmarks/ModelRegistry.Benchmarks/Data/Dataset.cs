using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks.Data;

/// <summary>
/// The deterministic data every benchmark uses, so the registry and its raw baseline hold the same records.
/// </summary>
/// <remarks>
/// Search dataset: <see cref="SearchModels"/> models (<c>model-00000</c>…) with <see cref="VersionsPerModel"/> versions
/// each. Model <c>i</c> belongs to team <c>team-{i % 20}</c> (a tag on the model and on each of its versions), so a
/// team holds 5% of the versions. Of a model's five versions two are archived, one is in production, one in staging and
/// one in development, so <c>tags.team = 'team-07' AND stage = 'production'</c> matches 500 versions (1%), of which the
/// first page (100) is returned.
/// </remarks>
internal static class Dataset
{
    public const int SearchModels = 10_000;
    public const int VersionsPerModel = 5;
    public const int Teams = 20;
    public const string Actor = "benchmark";
    public const string SearchTeam = "team-07";
    public const string SearchFilter = "tags.team = 'team-07' AND stage = 'production'";
    public const int PageSize = 100;

    /// <summary>A fixed clock value for seeded records (the measured operations use the registry's own clock).</summary>
    public static readonly DateTimeOffset SeedTime = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] VersionTexts = ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0"];
    private static readonly ModelStage[] Stages = [ModelStage.Archived, ModelStage.Archived, ModelStage.Production, ModelStage.Staging, ModelStage.Development];
    private static readonly string[] Frameworks = ["pytorch", "sklearn", "xgboost", "onnx"];

    public static string ModelName(int model) => "model-" + model.ToString("D5", CultureInfo.InvariantCulture);

    public static string Team(int model) => "team-" + (model % Teams).ToString("D2", CultureInfo.InvariantCulture);

    public static string VersionText(int index) => VersionTexts[index];

    public static RegisteredModel Model(int model) => new()
    {
        Name = ModelName(model),
        Description = $"Benchmark model {model}, scoring transactions for team {Team(model)}.",
        Owners = [Team(model), "ml-platform"],
        RiskTier = (RiskTier)(model % 4),
        Task = "classification",
        Framework = Frameworks[model % Frameworks.Length],
        Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = Team(model), ["domain"] = "payments" },
        CreatedAt = SeedTime,
        CreatedBy = Actor,
        UpdatedAt = SeedTime,
        UpdatedBy = Actor,
        Revision = 1,
    };

    /// <summary>Version <paramref name="index"/> (0–4) of a model in the search dataset, as the registry would have stored it.</summary>
    public static ModelVersion SeedVersion(int model, int index)
    {
        var version = FromRequest(ModelName(model), VersionRequest(model, index, VersionTexts[index]), SeedTime);
        return version with { Stage = Stages[index] };
    }

    /// <summary>
    /// The create request for version <paramref name="version"/> of a model: a realistic version with two parameters,
    /// two metrics, one artifact and two tags, different content for every (model, sequence).
    /// </summary>
    public static CreateVersionRequest VersionRequest(int model, int sequence, string version) => new()
    {
        Version = version,
        Description = $"Retrained on the {sequence}th snapshot of the transactions table.",
        SourceCommit = Hex($"commit/{model}/{sequence}")[..40],
        RunId = $"run-{model}-{sequence}",
        Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["learning_rate"] = (0.001 * (1 + (sequence % 7))).ToString("R", CultureInfo.InvariantCulture),
            ["epochs"] = (10 + sequence).ToString(CultureInfo.InvariantCulture),
        },
        Metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = 0.80 + ((model * 31 + sequence) % 190) / 1000.0,
            ["f1"] = 0.70 + ((model * 17 + sequence) % 250) / 1000.0,
        },
        Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/{ModelName(model)}/{version}/model.onnx", Hex($"weights/{model}/{sequence}"), 52_428_800 + sequence, "Apache-2.0")],
        Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = Team(model), ["dataset"] = $"transactions-{sequence}" },
    };

    /// <summary>The record a create request becomes (development stage, revision 1), as the raw baselines build it.</summary>
    public static ModelVersion FromRequest(string modelName, CreateVersionRequest request, DateTimeOffset now, bool withContentHash = true)
    {
        var version = new ModelVersion
        {
            ModelName = modelName,
            Version = SemanticVersion.Parse(request.Version!),
            Description = request.Description,
            SourceCommit = request.SourceCommit,
            RunId = request.RunId,
            Parameters = request.Parameters ?? new Dictionary<string, string>(),
            Metrics = request.Metrics ?? new Dictionary<string, double>(),
            Artifacts = request.Artifacts ?? [],
            Tags = request.Tags ?? new Dictionary<string, string>(),
            Stage = ModelStage.Development,
            ContentHash = string.Empty,
            CreatedAt = now,
            CreatedBy = Actor,
            UpdatedAt = now,
            UpdatedBy = Actor,
            StageChangedAt = now,
            Revision = 1,
        };
        return withContentHash ? version with { ContentHash = ContentHash.Compute(version) } : version;
    }

    public static AuditDraft ModelAudit(RegisteredModel model)
        => new(SeedTime, Actor, "model.registered", "model:" + model.Name, StoreSerializer.Serialize(model));

    public static AuditDraft VersionAudit(ModelVersion version)
        => new(SeedTime, Actor, "version.created", $"version:{version.ModelName}/{version.Version}", StoreSerializer.Serialize(version));

    /// <summary>Pseudo-random (model, version) pairs that exist in the search dataset; both sides read the same sequence.</summary>
    public static (string Model, string Version)[] LookupKeys(int count)
    {
        var random = new Random(42);
        var keys = new (string, string)[count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = (ModelName(random.Next(SearchModels)), VersionTexts[random.Next(VersionsPerModel)]);
        }

        return keys;
    }

    private static string Hex(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));
}
