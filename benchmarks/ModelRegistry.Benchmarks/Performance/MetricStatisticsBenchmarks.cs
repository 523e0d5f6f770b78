using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// Statistics (count, mean, p50/p95/p99) of the 1,000,000 latency points of <see cref="MetricWorkload"/>, all in one
/// window, on a SQLite file seeded once per run through the registry: <see cref="IPerformanceTracker.GetStatisticsAsync"/>
/// against reading the values from the same table with one hand-written SELECT and sorting them.
/// </summary>
[BenchmarkCategory("Sqlite", "MetricStatistics")]
public class SqliteMetricStatisticsBenchmarks
{
    private ModelRegistryServices? _services;
    private RawSqliteMetrics? _raw;
    private MetricQuery _query = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var file = BenchData.Seeded("sqlite-metric-stats.db", static path =>
        {
            using var services = MetricWorkload.Sqlite(path);
            MetricWorkload.Register(services);
            foreach (var batch in MetricWorkload.Batches())
            {
                services.Performance.RecordBatchAsync(batch).GetAwaiter().GetResult();
            }
        });
        _services = MetricWorkload.Sqlite(file);
        _raw = new RawSqliteMetrics(file);
        _query = new MetricQuery { Subject = new MetricSubject(MetricWorkload.Model, MetricWorkload.Version), Metric = MetricKey.Latency, Window = MetricWorkload.Window };

        // Both sides must describe the same million points: same count and mean, percentiles within the sketch's bound.
        var registry = Registry().GetAwaiter().GetResult();
        var raw = Raw();
        Console.WriteLine($"// statistics: registry n={registry.Count} mean={registry.Mean:F4} p50={registry.P50:F3} p95={registry.P95:F3} p99={registry.P99:F3} ({registry.PercentileMethod}, ±{registry.PercentileRelativeError:P1}); raw n={raw.Count} mean={raw.Mean:F4} p50={raw.P50:F3} p95={raw.P95:F3} p99={raw.P99:F3}");
        if (registry.Count != MetricWorkload.Points || raw.Count != MetricWorkload.Points
            || Math.Abs(registry.Mean - raw.Mean) > 1e-9 * raw.Mean
            || !Within(registry.P50, raw.P50, registry.PercentileRelativeError) || !Within(registry.P95, raw.P95, registry.PercentileRelativeError) || !Within(registry.P99, raw.P99, registry.PercentileRelativeError))
        {
            throw new InvalidOperationException("The registry's statistics do not match the raw computation.");
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        _raw?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = MetricWorkload.Points, Description = "stats over 1M points: raw SELECT + sort")]
    public (long Count, double Mean, double P50, double P95, double P99) Raw()
        => _raw!.Statistics("metric_points", MetricWorkload.Model, MetricWorkload.Version, MetricWorkload.Metric, MetricWorkload.Window.From.UtcTicks, MetricWorkload.Window.To.UtcTicks);

    [Benchmark(OperationsPerInvoke = MetricWorkload.Points, Description = "stats over 1M points: GetStatisticsAsync")]
    public Task<MetricStatistics> Registry() => _services!.Performance.GetStatisticsAsync(_query);

    private static bool Within(double estimate, double exact, double relativeError) => Math.Abs(estimate - exact) <= (relativeError * Math.Abs(exact)) + 1e-9;
}
