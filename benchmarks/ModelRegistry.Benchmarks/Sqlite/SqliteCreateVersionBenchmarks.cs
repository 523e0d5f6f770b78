using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Registry;
using ModelRegistry.Storage;
using ModelRegistry.Storage.Sqlite;

namespace ModelRegistry.Benchmarks.Sqlite;

/// <summary>
/// Creates 1,000 versions, one mutation (one durable transaction with its audit record) each, on a fresh SQLite file
/// per iteration that already holds <see cref="CreateWorkload.Models"/> models. Reported per version.
/// </summary>
[SlowOperationJob]
[BenchmarkCategory("Sqlite", "Create")]
public class SqliteCreateVersionBenchmarks
{
    private readonly CreateWorkload _workload = new();
    private string _file = string.Empty;
    private ModelRegistryServices? _services;
    private RawSqlite? _raw;

    [IterationSetup(Target = nameof(Registry))]
    public void SetUpRegistry()
    {
        _file = BenchData.NewFile("sqlite-create", "db");
        _services = ModelRegistryServices.Create(b => b.UseSqlite(o =>
        {
            o.ConnectionString = $"Data Source={_file}";
            o.Durability = SqliteDurability.Full;
        }));

        // The models are seeded through the store in one commit; only the version creation is measured.
        var store = _services.GetRequiredService<IRegistryStore>();
        var models = Enumerable.Range(0, CreateWorkload.Models).Select(Dataset.Model).ToList();
        store.CommitAsync(new StoreTransaction([.. models.Select(m => new PutModel(m, 0))], [.. models.Select(Dataset.ModelAudit)]), default)
            .AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Raw))]
    public void SetUpRaw()
    {
        _file = BenchData.NewFile("sqlite-create-raw", "db");
        RawSqlite.Seed(_file, Enumerable.Range(0, CreateWorkload.Models).Select(Dataset.Model), []);
        _raw = RawSqlite.Open(_file);
    }

    [IterationCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        _services = null;
        _raw?.Dispose();
        _raw = null;
        BenchData.DeleteFiles(_file);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: raw SQLite")]
    public void Raw()
    {
        var raw = _raw!;
        foreach (var (model, request) in _workload.Requests)
        {
            var now = TimeProvider.System.GetUtcNow();
            raw.CreateVersion(Dataset.FromRequest(model, request, now, withContentHash: false), now);
        }
    }

    [Benchmark(OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: registry on SQLite")]
    public async Task Registry()
    {
        var registry = _services!.Registry;
        foreach (var (model, request) in _workload.Requests)
        {
            await registry.CreateVersionAsync(model, request);
        }
    }
}

/// <summary>The 1,000 create requests: 10 versions of each of 100 models, round-robin over the models.</summary>
internal sealed class CreateWorkload
{
    public const int Models = 100;
    public const int Versions = 1_000;

    public CreateWorkload()
    {
        Requests = new (string, CreateVersionRequest)[Versions];
        for (var i = 0; i < Versions; i++)
        {
            var model = i % Models;
            var sequence = i / Models;
            Requests[i] = (Dataset.ModelName(model), Dataset.VersionRequest(model, sequence, $"1.{sequence}.0"));
        }
    }

    public (string Model, CreateVersionRequest Request)[] Requests { get; }
}
