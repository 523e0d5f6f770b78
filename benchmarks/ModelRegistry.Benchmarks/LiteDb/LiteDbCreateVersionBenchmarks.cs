using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Benchmarks.Sqlite;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks.LiteDb;

/// <summary>
/// Creates 1,000 versions, one mutation (one durable transaction with its audit record) each, on a fresh LiteDB file
/// per iteration that already holds <see cref="CreateWorkload.Models"/> models. Reported per version.
/// </summary>
[SlowOperationJob]
[BenchmarkCategory("LiteDb", "Create")]
public class LiteDbCreateVersionBenchmarks
{
    private readonly CreateWorkload _workload = new();
    private string _file = string.Empty;
    private ModelRegistryServices? _services;
    private RawLiteDb? _raw;

    [IterationSetup(Target = nameof(Registry))]
    public void SetUpRegistry()
    {
        _file = BenchData.NewFile("litedb-create", "litedb");
        _services = ModelRegistryServices.Create(b => b.UseLiteDb(o =>
        {
            o.Filename = _file;
            o.FlushToDisk = true;
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
        _file = BenchData.NewFile("litedb-create-raw", "litedb");
        RawLiteDb.Seed(_file, Enumerable.Range(0, CreateWorkload.Models).Select(Dataset.Model), []);
        _raw = RawLiteDb.Open(_file);
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

    [Benchmark(Baseline = true, OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: raw LiteDB")]
    public void Raw()
    {
        var raw = _raw!;
        foreach (var (model, request) in _workload.Requests)
        {
            var now = TimeProvider.System.GetUtcNow();
            raw.CreateVersion(Dataset.FromRequest(model, request, now, withContentHash: false), now);
        }
    }

    [Benchmark(OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: registry on LiteDB")]
    public async Task Registry()
    {
        var registry = _services!.Registry;
        foreach (var (model, request) in _workload.Requests)
        {
            await registry.CreateVersionAsync(model, request);
        }
    }
}
