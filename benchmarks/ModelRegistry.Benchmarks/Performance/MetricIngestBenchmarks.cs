using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// Ingests the 1,000,000 points of <see cref="MetricWorkload"/> in 100 batches of 10,000 into a fresh file per
/// iteration: the registry with <see cref="IPerformanceTracker.RecordBatchAsync"/>, the raw baseline with hand-written
/// code on the same engine. Reported per point (so the allocation column is bytes per point).
/// </summary>
/// <typeparam name="TRaw">The engine's raw baseline.</typeparam>
public abstract class MetricIngestBenchmarks<TRaw> : FreshFileBenchmarks<TRaw>
    where TRaw : class, IDisposable
{
    private MetricPoint[][] _batches = [];

    /// <summary>The registry on <paramref name="file"/> with the engine's default (durable) settings.</summary>
    protected abstract ModelRegistryServices OpenStore(string file);

    /// <summary>Stores one batch by hand, durably.</summary>
    protected abstract void InsertRaw(TRaw raw, MetricPoint[] batch, int firstIndex);

    [GlobalSetup]
    public void BuildPoints() => _batches = MetricWorkload.Batches();

    protected sealed override ModelRegistryServices OpenRegistry(string file)
    {
        var services = OpenStore(file);
        MetricWorkload.Register(services);
        return services;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = MetricWorkload.Points, Description = "ingest 1M points: raw")]
    public void Raw()
    {
        for (var b = 0; b < _batches.Length; b++)
        {
            InsertRaw(RawStore!, _batches[b], b * MetricWorkload.BatchSize);
        }
    }

    [Benchmark(OperationsPerInvoke = MetricWorkload.Points, Description = "ingest 1M points: RecordBatchAsync")]
    public async Task Registry()
    {
        var tracker = Services!.Performance;
        foreach (var batch in _batches)
        {
            await tracker.RecordBatchAsync(batch);
        }
    }
}

/// <summary>Metric ingest on SQLite (synchronous=FULL on both sides) against a prepared INSERT, one transaction per batch.</summary>
[SlowOperationJob]
[BenchmarkCategory("Sqlite", "MetricIngest")]
public class SqliteMetricIngestBenchmarks : MetricIngestBenchmarks<RawSqliteMetrics>
{
    protected override (string Prefix, string Extension) FileKind => ("sqlite-metrics", "db");

    protected override ModelRegistryServices OpenStore(string file) => MetricWorkload.Sqlite(file);

    protected override RawSqliteMetrics OpenRaw(string file) => new(file);

    protected override void InsertRaw(RawSqliteMetrics raw, MetricPoint[] batch, int firstIndex) => raw.Insert(batch, firstIndex);
}

/// <summary>Metric ingest on LiteDB (each batch made durable on both sides) against raw <c>InsertBulk</c>.</summary>
[SlowOperationJob]
[BenchmarkCategory("LiteDb", "MetricIngest")]
public class LiteDbMetricIngestBenchmarks : MetricIngestBenchmarks<RawLiteDbMetrics>
{
    protected override (string Prefix, string Extension) FileKind => ("litedb-metrics", "litedb");

    protected override ModelRegistryServices OpenStore(string file) => MetricWorkload.LiteDb(file);

    protected override RawLiteDbMetrics OpenRaw(string file) => new(file);

    protected override void InsertRaw(RawLiteDbMetrics raw, MetricPoint[] batch, int firstIndex) => raw.Insert(batch, firstIndex);
}
