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
public abstract class MetricIngestBenchmarks<TRaw>
    where TRaw : class, IDisposable
{
    private MetricPoint[][] _batches = [];
    private string _file = string.Empty;
    private ModelRegistryServices? _services;
    private TRaw? _raw;

    /// <summary>File name prefix and extension for this engine.</summary>
    protected abstract (string Prefix, string Extension) FileKind { get; }

    /// <summary>The registry on <paramref name="file"/> with the engine's default (durable) settings.</summary>
    protected abstract ModelRegistryServices OpenRegistry(string file);

    /// <summary>Opens the raw baseline on a new file.</summary>
    protected abstract TRaw OpenRaw(string file);

    /// <summary>Stores one batch by hand, durably.</summary>
    protected abstract void InsertRaw(TRaw raw, MetricPoint[] batch, int firstIndex);

    [GlobalSetup]
    public void BuildPoints() => _batches = MetricWorkload.Batches();

    [IterationSetup(Target = nameof(Registry))]
    public void SetUpRegistry()
    {
        _file = BenchData.NewFile(FileKind.Prefix, FileKind.Extension);
        _services = OpenRegistry(_file);
        MetricWorkload.Register(_services);
    }

    [IterationSetup(Target = nameof(Raw))]
    public void SetUpRaw()
    {
        _file = BenchData.NewFile(FileKind.Prefix + "-raw", FileKind.Extension);
        _raw = OpenRaw(_file);
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

    [Benchmark(Baseline = true, OperationsPerInvoke = MetricWorkload.Points, Description = "ingest 1M points: raw")]
    public void Raw()
    {
        for (var b = 0; b < _batches.Length; b++)
        {
            InsertRaw(_raw!, _batches[b], b * MetricWorkload.BatchSize);
        }
    }

    [Benchmark(OperationsPerInvoke = MetricWorkload.Points, Description = "ingest 1M points: RecordBatchAsync")]
    public async Task Registry()
    {
        var tracker = _services!.Performance;
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

    protected override ModelRegistryServices OpenRegistry(string file) => MetricWorkload.Sqlite(file);

    protected override RawSqliteMetrics OpenRaw(string file) => new(file);

    protected override void InsertRaw(RawSqliteMetrics raw, MetricPoint[] batch, int firstIndex) => raw.Insert(batch, firstIndex);
}

/// <summary>Metric ingest on LiteDB (each batch made durable on both sides) against raw <c>InsertBulk</c>.</summary>
[SlowOperationJob]
[BenchmarkCategory("LiteDb", "MetricIngest")]
public class LiteDbMetricIngestBenchmarks : MetricIngestBenchmarks<RawLiteDbMetrics>
{
    protected override (string Prefix, string Extension) FileKind => ("litedb-metrics", "litedb");

    protected override ModelRegistryServices OpenRegistry(string file) => MetricWorkload.LiteDb(file);

    protected override RawLiteDbMetrics OpenRaw(string file) => new(file);

    protected override void InsertRaw(RawLiteDbMetrics raw, MetricPoint[] batch, int firstIndex) => raw.Insert(batch, firstIndex);
}
