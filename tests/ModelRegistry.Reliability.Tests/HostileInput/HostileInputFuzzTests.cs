using System.Text.Json;
using CsCheck;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Reliability.Tests.Support;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Reliability.Tests.HostileInput;

/// <summary>
/// Property-based fuzzing of every public entry point of the four services with hostile text (injection strings, lone
/// surrogates, control characters, huge and deeply nested JSON, malformed URIs and versions), hostile numbers (NaN,
/// infinities, out-of-range percentages) and undefined enum values. Each call either succeeds or throws
/// <see cref="ModelRegistryException"/> — never another type — and a refused call changes nothing: models, versions,
/// the audit trail, approvals and metrics are compared before and after. Filter injection with result checks against
/// the reference store is in SqliteHostileInputTests and LiteDb SearchTranslationTests.
/// </summary>
public sealed class HostileInputFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new("mr-fuzz");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(Backend.InMemory, 1_500)]
    [InlineData(Backend.Sqlite, 250)]
    [InlineData(Backend.LiteDb, 250)]
    public async Task Every_entry_point_succeeds_or_throws_the_typed_error_and_a_refused_call_changes_nothing(Backend backend, int iterations)
    {
        iterations = RunSettings.Long ? iterations * 20 : iterations;
        var actor = new SwitchableActor { Current = "alice" };
        await using var services = Stores.Open(backend, _folder.File(Stores.FileName(backend)), actor);
        var approvalId = await SeedAsync(services, actor);
        var calls = EntryPoints.All(approvalId);
        var tally = new int[calls.Count, 2];

        await Gen.Select(Gen.Int[0, calls.Count - 1], Inputs).SampleAsync(
            async (index, input) =>
            {
                actor.Current = input.N % 3 == 0 ? "bob" : "alice";
                var before = await SnapshotAsync(services);
                try
                {
                    await calls[index].Call(services, input);
                    tally[index, 0]++;
                }
                catch (ModelRegistryException)
                {
                    tally[index, 1]++;
                    (await SnapshotAsync(services)).Should().Be(before, "a refused {0} changes nothing (input {1})", calls[index].Name, input);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"{calls[index].Name} threw {ex.GetType().Name} (not ModelRegistryException) for {input}: {ex.Message}", ex);
                }
            },
            iter: iterations,
            threads: 1);

        var covered = Enumerable.Range(0, calls.Count).Count(i => tally[i, 0] + tally[i, 1] > 0);
        var succeeded = Enumerable.Range(0, calls.Count).Sum(i => tally[i, 0]);
        output.WriteLine($"{backend}: {iterations} inputs over {calls.Count} entry points ({covered} exercised); {succeeded} succeeded, {iterations - succeeded} refused with the typed error and changed nothing; other exception types: 0");
        foreach (var i in Enumerable.Range(0, calls.Count))
        {
            output.WriteLine($"  {calls[i].Name}: {tally[i, 0]} ok, {tally[i, 1]} refused");
        }
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /// <summary>Text hostile to parsers, query languages, JSON, UTF-16 and storage.</summary>
    private static readonly string[] HostileConstants =
    [
        "", " ", "\t\n", "base", "1.0.0", "1.1.0", "champion", "b1", "models:/base/1.0.0", "models:/base@champion", "models:/base/Production",
        "models:/", "models://", "models:/../etc/passwd", "s3://bucket/key", "file:///etc/passwd", "http://[::1", "javascript:alert(1)",
        "dataset:data", "model-version:base/1.0.0", "'; DROP TABLE models; --", "\" OR 1=1 --", "') OR ('1'='1", "$.name", "@p0", "%", "_", "\\",
        "\0", "a\0b", "\uD800", "\uDC00x", "x\uD83D", "\uFFFE", "\u202Eevil", "🚀", "Ünï", "../../x", "CON", "null", "NaN", "-1", "1e309",
        "01.02.03", "1.0.0-", "1.0.0+", "99999999999999999999.0.0", "v1", "1.0.0-alpha..1", "{}", "[]", "{\"a\":", "{\"a\":\"\uD800\"}",
        new string('[', 5_000) + new string(']', 5_000), string.Concat(Enumerable.Repeat("{\"a\":", 2_000)) + "1" + new string('}', 2_000),
        "{\"big\":\"" + new string('x', 300_000) + "\"}", new string('x', 70_000), new string('é', 10_001),
        "name = 'base'", "name LIKE '%'", "tags.team = 'x' OR 1=1", "metrics.accuracy > NaN", "stage IN ()", "name = '", "((((((((", "name = 'a' AND",
        "description LIKE '%\\%' ESCAPE", "params.lr >= '0'", "created_at > '2026-13-45'", "version = '1.0.0'", "name ASC", "name DESC, version",
    ];

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.OneOf(HostileConstants)),
        (2, Gen.String[Gen.Char[(char)0, (char)0xFFFF], 0, 40]),
        (2, Gen.String[Gen.Char["abz09-_./:@ '\"%*=<>()"], 0, 30]),
        (1, Gen.Select(Gen.OneOf("name", "description", "owner", "tags.team", "params.lr", "metrics.accuracy", "stage", "version", "provider", "run_id", "commit", "risk_tier", "status", "created_at", "bogus"),
            Gen.OneOf("=", "!=", ">", "<=", "LIKE", "ILIKE", "IN", "IS", "~", "=="),
            Gen.OneOf(HostileConstants),
            (f, op, v) => $"{f} {op} '{v.Replace("'", "''", StringComparison.Ordinal)}'")));

    private static readonly Gen<int> Number = Gen.Frequency(
        (3, Gen.OneOf(int.MinValue, -1, 0, 1, 2, 10, 50, 99, 100, 101, 1_000, 100_001, int.MaxValue)),
        (1, Gen.Int));

    private static readonly Gen<double> Real = Gen.Frequency(
        (3, Gen.OneOf(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 0.5, 1.0, -1.0, 1e308, double.Epsilon, double.MaxValue, 100.0, 101.0)),
        (1, Gen.Double));

    private static readonly Gen<HostileInput> Inputs = Gen.Select(Text, Text, Text, Number, Real, Text, Gen.Long)
        .Select((a, b, c, n, x, json, l) => new HostileInput(a, b, c, n, x, json, l));

    // ------------------------------------------------------------------------------------------------ state

    private static async Task<string> SeedAsync(ModelRegistryServices services, SwitchableActor actor)
    {
        await services.Registry.RegisterModelAsync(new RegisterModelRequest
        {
            Name = "base",
            Owners = ["team"],
            Tags = new Dictionary<string, string> { ["team"] = "x", [ComplianceFields.IntendedUse] = "testing", [ComplianceFields.Limitations] = "none" },
        });
        foreach (var version in new[] { "1.0.0", "1.1.0" })
        {
            await services.Registry.CreateVersionAsync("base", new CreateVersionRequest
            {
                Version = version,
                SourceCommit = version,
                Metrics = new Dictionary<string, double> { ["accuracy"] = 0.9 },
                Parameters = new Dictionary<string, string> { ["lr"] = "0.1" },
                ProviderBindings = [new ProviderBindingRequest { Id = "b1", Provider = "openai", ProviderModelId = "gpt" }],
                Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/base/{version}.bin", new string('a', 64), 10, "MIT")],
            });
        }

        await services.Registry.TransitionStageAsync("base", "1.0.0", ModelStage.Staging);
        await services.Registry.SetAliasAsync("base", "champion", "1.0.0");
        await services.Lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Dataset("data"), LineageNodeKind.Dataset, "data"));
        await services.Lineage.LinkAsync(new LinkRequest(LineageNodeIds.Version("base", "1.0.0"), LineageEdgeKind.TrainedOn, LineageNodeIds.Dataset("data")));
        await services.Performance.RecordBatchAsync([.. Enumerable.Range(0, 20).Select(i => new MetricPoint
        {
            ModelName = "base", Version = "1.0.0", Kind = MetricKind.Latency, Value = i, Timestamp = Workload.MetricEpoch.AddMinutes(i),
        })]);
        actor.Current = "alice";
        var request = await services.Compliance.RequestApprovalAsync("base", "1.0.0", ModelStage.Production, "fuzz baseline");
        return request.Id;
    }

    /// <summary>Everything a refused call must leave alone.</summary>
    private static async Task<string> SnapshotAsync(ModelRegistryServices services)
    {
        var models = new List<RegisteredModel>();
        string? token = null;
        do
        {
            var page = await services.Registry.SearchModelsAsync(new SearchRequest { PageSize = 1_000, ContinuationToken = token });
            models.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var versions = new List<ModelVersion>();
        foreach (var model in models)
        {
            versions.AddRange(await services.Registry.ListVersionsAsync(model.Name));
        }

        var audit = await services.AuditTrail.VerifyAsync();
        var approvals = await services.Compliance.GetApprovalHistoryAsync("base", "1.0.0");
        var latency = await services.Performance.GetStatisticsAsync(new MetricQuery
        {
            Subject = new MetricSubject("base", "1.0.0"), Metric = MetricKey.Latency, Window = StateProbe.MetricWindow,
        });
        return JsonSerializer.Serialize(new { models, versions = versions.Select(v => JsonSerializer.Serialize(v)), audit.RecordsChecked, audit.IsValid, approvals = approvals.Select(a => $"{a.Id}:{a.State}:{a.Reviews.Count}"), latency.Count });
    }
}

/// <summary>One generated set of arguments; each entry point takes what it needs.</summary>
public sealed record HostileInput(string A, string B, string C, int N, double X, string Json, long L)
{
    public override string ToString()
        => $"A={Show(A)} B={Show(B)} C={Show(C)} N={N} X={X} Json={Show(Json)} L={L}";

    private static string Show(string s) => s.Length > 60 ? $"'{s[..60]}…' ({s.Length} chars)" : $"'{s}'";
}
