using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// The buffered inference recorder on SQLite (synchronous=FULL): 1,000,000 single
/// <see cref="IInferenceRecorder.TrackInferenceAsync"/> calls, one per served request, then one flush — against the
/// batch path storing the same 3,000,000 points (latency, error rate, out-of-distribution rate per request) with
/// <see cref="IPerformanceTracker.RecordBatchAsync"/> in batches of 10,000. Both sides build their inputs inside the
/// measured loop, as a caller would; both start from a fresh file. Reported per request.
/// </summary>
/// <remarks>
/// Each buffered call's latency (from just before the call to the moment its returned task has completed) is taken with
/// <see cref="Stopwatch.GetTimestamp"/> into a preallocated array and printed after every iteration as
/// <c>// caller latency</c> lines (p50, p99, p99.9, max): BenchmarkDotNet's columns cannot show it.
/// </remarks>
[SlowOperationJob]
[BenchmarkCategory("Sqlite", "BufferedInference")]
public class BufferedInferenceBenchmarks
{
    private const int Requests = MetricWorkload.Points;
    private const int PointsPerRequest = 3;

    private readonly long[] _latencies = new long[Requests];
    private readonly List<double> _p99s = [];
    private string _file = string.Empty;
    private ModelRegistryServices? _services;
    private int _iteration;

    [IterationSetup]
    public void SetUp()
    {
        _file = BenchData.NewFile("sqlite-buffered", "db");
        _services = MetricWorkload.Sqlite(_file);
        MetricWorkload.Register(_services);
    }

    [IterationCleanup(Target = nameof(Buffered))]
    public void ReportLatency()
    {
        var recorder = _services!.GetRequiredService<IInferenceRecorder>();
        if (recorder.WrittenCount != Requests || recorder.FailedCount + recorder.RejectedCount + recorder.DroppedCount != 0)
        {
            throw new InvalidOperationException($"The recorder wrote {recorder.WrittenCount} of {Requests} requests (failed {recorder.FailedCount}, rejected {recorder.RejectedCount}, dropped {recorder.DroppedCount}).");
        }

        var sorted = (long[])_latencies.Clone();
        Array.Sort(sorted);
        double Micro(double q) => sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1] * 1e6 / Stopwatch.Frequency;
        _p99s.Add(Micro(0.99));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// caller latency (iteration {++_iteration}, warm-up included): p50 {Micro(0.5):F2} µs, p99 {Micro(0.99):F2} µs, p99.9 {Micro(0.999):F2} µs, max {Micro(1):F0} µs"));
        CleanUp();
    }

    [IterationCleanup(Target = nameof(Batch))]
    public void CleanUp()
    {
        _services?.Dispose();
        _services = null;
        BenchData.DeleteFiles(_file);
    }

    [GlobalCleanup(Target = nameof(Buffered))]
    public void Summary()
    {
        if (_p99s.Count > 0)
        {
            var sorted = _p99s.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// caller latency p99 over {sorted.Count} iterations: median {sorted[sorted.Count / 2]:F2} µs, min {sorted[0]:F2} µs, max {sorted[^1]:F2} µs"));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests, Description = "1M requests: RecordBatchAsync (10,000 points per batch)")]
    public async Task Batch()
    {
        var tracker = _services!.Performance;
        var batch = new MetricPoint[MetricWorkload.BatchSize];
        var n = 0;
        for (var i = 0; i < Requests; i++)
        {
            var timestamp = new DateTimeOffset(MetricWorkload.Ticks(i), TimeSpan.Zero);
            var id = MetricWorkload.RequestId(i);
            var dimensions = MetricWorkload.RegionDimensions[MetricWorkload.Region(i)];
            var failed = Failed(i);
            batch[n++] = new MetricPoint { ModelName = MetricWorkload.Model, Version = MetricWorkload.Version, Kind = MetricKind.Latency, Value = MetricWorkload.Value(i), Unit = "ms", Timestamp = timestamp, Dimensions = dimensions, RequestId = id };
            n = await FlushIfFull(tracker, batch, n);
            batch[n++] = new MetricPoint { ModelName = MetricWorkload.Model, Version = MetricWorkload.Version, Kind = MetricKind.ErrorRate, Value = failed ? 1 : 0, Timestamp = timestamp, Dimensions = failed ? ErrorDimensions(i) : dimensions, RequestId = id };
            n = await FlushIfFull(tracker, batch, n);
            batch[n++] = new MetricPoint { ModelName = MetricWorkload.Model, Version = MetricWorkload.Version, Kind = MetricKind.OodRate, Value = 0, Timestamp = timestamp, Dimensions = dimensions, RequestId = id };
            n = await FlushIfFull(tracker, batch, n);
        }

        if (n > 0)
        {
            await tracker.RecordBatchAsync(batch[..n]);
        }
    }

    [Benchmark(OperationsPerInvoke = Requests, Description = "1M requests: buffered TrackInferenceAsync + flush")]
    public async Task Buffered()
    {
        var recorder = _services!.GetRequiredService<IInferenceRecorder>();
        var latencies = _latencies;
        for (var i = 0; i < Requests; i++)
        {
            var failed = Failed(i);
            var record = new InferenceRecord
            {
                ModelName = MetricWorkload.Model,
                Version = MetricWorkload.Version,
                LatencyMs = MetricWorkload.Value(i),
                Succeeded = !failed,
                ErrorKind = failed ? "timeout" : null,
                Timestamp = new DateTimeOffset(MetricWorkload.Ticks(i), TimeSpan.Zero),
                Dimensions = MetricWorkload.RegionDimensions[MetricWorkload.Region(i)],
                RequestId = MetricWorkload.RequestId(i),
            };
            var started = Stopwatch.GetTimestamp();
            await recorder.TrackInferenceAsync(record);
            latencies[i] = Stopwatch.GetTimestamp() - started;
        }

        await recorder.FlushAsync();
    }

    /// <summary>One request in a hundred fails (a timeout).</summary>
    private static bool Failed(int i) => i % 100 == 99;

    private static Dictionary<string, string> ErrorDimensions(int i)
        => new(MetricWorkload.RegionDimensions[MetricWorkload.Region(i)]) { ["error_kind"] = "timeout" };

    private static async ValueTask<int> FlushIfFull(IPerformanceTracker tracker, MetricPoint[] batch, int n)
    {
        if (n < batch.Length)
        {
            return n;
        }

        await tracker.RecordBatchAsync(batch);
        return 0;
    }
}
