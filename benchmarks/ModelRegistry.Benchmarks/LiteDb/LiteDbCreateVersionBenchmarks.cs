using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Benchmarks.Sqlite;

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
    private RawLiteDb? _raw;

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
}
