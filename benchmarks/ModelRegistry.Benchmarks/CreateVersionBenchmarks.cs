using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// Creates 1,000 versions, one mutation (one durable transaction with its audit record) each, on a fresh file per
/// iteration that already holds <see cref="CreateWorkload.Models"/> models. Reported per version. Each engine supplies
/// its store configuration and its hand-written raw baseline; the measured loops are the same for both.
/// </summary>
/// <typeparam name="TRaw">The engine's raw baseline.</typeparam>
public abstract class CreateVersionBenchmarks<TRaw> : FreshFileBenchmarks<TRaw>
    where TRaw : class, IDisposable
{
    private readonly CreateWorkload _workload = new();

    /// <summary>Points the registry at <paramref name="file"/> with durable commits.</summary>
    protected abstract void UseStore(IModelRegistryBuilder builder, string file);

    /// <summary>Creates the raw baseline's file holding <paramref name="models"/> and opens it.</summary>
    protected abstract TRaw OpenRaw(string file, IEnumerable<RegisteredModel> models);

    /// <summary>Writes one version and its audit row by hand.</summary>
    protected abstract void CreateRawVersion(TRaw raw, ModelVersion version, DateTimeOffset now);

    protected sealed override ModelRegistryServices OpenRegistry(string file)
    {
        var services = ModelRegistryServices.Create(b => UseStore(b, file));

        // The models are seeded through the store in one commit; only the version creation is measured.
        var store = services.GetRequiredService<IRegistryStore>();
        var models = Enumerable.Range(0, CreateWorkload.Models).Select(Dataset.Model).ToList();
        store.CommitAsync(new StoreTransaction([.. models.Select(m => new PutModel(m, 0))], [.. models.Select(Dataset.ModelAudit)]), default)
            .AsTask().GetAwaiter().GetResult();
        return services;
    }

    protected sealed override TRaw OpenRaw(string file) => OpenRaw(file, Enumerable.Range(0, CreateWorkload.Models).Select(Dataset.Model));

    [Benchmark(Baseline = true, OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: raw")]
    public void Raw()
    {
        var raw = RawStore!;
        foreach (var (model, request) in _workload.Requests)
        {
            var now = TimeProvider.System.GetUtcNow();
            CreateRawVersion(raw, Dataset.FromRequest(model, request, now, withContentHash: false), now);
        }
    }

    [Benchmark(OperationsPerInvoke = CreateWorkload.Versions, Description = "create version: registry")]
    public async Task Registry()
    {
        var registry = Services!.Registry;
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
