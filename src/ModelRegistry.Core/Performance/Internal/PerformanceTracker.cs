using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// <see cref="IPerformanceTracker"/> on an <see cref="IMetricStore"/>: validates, checks the named versions through the
/// registry store's read path (cached), writes points on the metric path only, and feeds the pure engine in this folder
/// (<see cref="MetricAccumulator"/>, <see cref="AbTestAnalysis"/>, <see cref="PopulationStability"/>,
/// <see cref="RollbackTriggerEvaluator"/>) with what it reads back.
/// </summary>
internal sealed partial class PerformanceTracker : IPerformanceTracker
{
    private readonly IMetricStore _store;
    private readonly IRegistryStore _registryStore;
    private readonly RegistryService _registry;
    private readonly TimeProvider _time;
    private readonly PerformanceOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _retention = new(1, 1);

    public PerformanceTracker(IMetricStore store, IRegistryStore registryStore, IModelRegistry registry, TimeProvider time, IOptions<PerformanceOptions> options, ILogger<PerformanceTracker> logger)
    {
        _store = store;
        _registryStore = registryStore;
        _registry = registry as RegistryService
            ?? throw new InvalidOperationException("The performance tracker needs the built-in IModelRegistry (it rolls back through it); do not replace IModelRegistry when using performance tracking.");
        _time = time;
        _options = options.Value;
        _logger = logger;
        Resolver = new SubjectResolver(registryStore, time, _options.RegistryCacheDuration);
        Reader = new MetricReader(store);
    }

    internal SubjectResolver Resolver { get; }

    internal MetricReader Reader { get; }

    // ---------------------------------------------------------------- recording

    public async Task<MetricPoint> RecordAsync(MetricPoint point, CancellationToken cancellationToken = default)
    {
        MetricValidation.Validate(point);
        var resolved = await Resolver.RequireAsync(point.ModelName, point.Version, point.BindingId, "The point", cancellationToken);
        var timestamp = (point.Timestamp ?? _time.GetUtcNow()).ToUniversalTime();
        var record = ToRecord(point, resolved, timestamp.UtcTicks, new SeriesCache());
        await _store.AppendAsync([record], cancellationToken);
        PerformanceTelemetry.PointsRecorded.Add(1);
        return point with { Timestamp = timestamp };
    }

    public async Task<int> RecordBatchAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        MetricValidation.ValidateBatch(points);
        if (points.Count == 0)
        {
            return 0;
        }

        // Resolve every distinct subject before anything is written: an unknown one fails the whole batch.
        var subjects = new Dictionary<(string, string, string?), ResolvedVersion>();
        var resolvedPerPoint = new ResolvedVersion[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var key = (p.ModelName, p.Version, p.BindingId);
            if (!subjects.TryGetValue(key, out var resolved))
            {
                subjects[key] = resolved = await Resolver.RequireAsync(p.ModelName, p.Version, p.BindingId, $"Point {i} of the batch", cancellationToken);
            }

            resolvedPerPoint[i] = resolved;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var series = new SeriesCache();
        var records = new MetricPointRecord[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            records[i] = ToRecord(p, resolvedPerPoint[i], p.Timestamp?.UtcTicks ?? now, series);
        }

        await _store.AppendAsync(records, cancellationToken);
        PerformanceTelemetry.PointsRecorded.Add(records.Length);
        return records.Length;
    }

    public async Task<InferenceRecord> TrackInferenceAsync(InferenceRecord record, CancellationToken cancellationToken = default)
    {
        MetricValidation.Validate(record);
        var resolved = await Resolver.RequireAsync(record.ModelName, record.Version, record.BindingId, "The inference record", cancellationToken);
        var timestamp = (record.Timestamp ?? _time.GetUtcNow()).ToUniversalTime();
        var points = new List<MetricPointRecord>(8);
        var cost = InferencePoints.Append(record, resolved, timestamp.UtcTicks, new SeriesCache(), points);
        await _store.AppendAsync(points, cancellationToken);
        PerformanceTelemetry.PointsRecorded.Add(points.Count);
        return record with { Cost = cost, Timestamp = timestamp };
    }

    internal static MetricPointRecord ToRecord(MetricPoint point, ResolvedVersion resolved, long timestampUtcTicks, SeriesCache series)
        => new(
            series.Get(resolved.ModelName, resolved.VersionText, point.BindingId, MetricNames.Key(point.Kind, point.CustomName)),
            timestampUtcTicks,
            point.Value,
            point.Unit,
            point.RequestId,
            MetricNames.Dimensions(point.Dimensions));

    // ---------------------------------------------------------------- retention

    public async Task<MetricRetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        await _retention.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var cutoff = MetricReader.FloorHour(now.AddDays(-_options.RawRetentionDays).UtcTicks);
            long rolledUp = 0, written = 0;
            while (await _store.GetOldestPointTimestampAsync(cancellationToken) is { } oldest && oldest < cutoff)
            {
                // One UTC day (or what is left of it before the cutoff) per atomic compaction bounds the memory of the roll-ups.
                var from = MetricReader.FloorHour(oldest);
                var to = Math.Min(oldest - (oldest % TimeSpan.TicksPerDay) + TimeSpan.TicksPerDay, cutoff);
                var (points, rollups) = await CompactAsync(from, to, cancellationToken);
                if (points == 0)
                {
                    break;
                }

                rolledUp += points;
                written += rollups;
            }

            long deleted = 0;
            if (_options.RollupRetentionDays is { } days)
            {
                deleted = await _store.DeleteRollupsBeforeAsync(MetricReader.FloorHour(now.AddDays(-days).UtcTicks), cancellationToken);
            }

            if (rolledUp > 0 || deleted > 0)
            {
                LogRetention(_logger, rolledUp, written, deleted, new DateTimeOffset(cutoff, TimeSpan.Zero));
            }

            return new MetricRetentionResult(new DateTimeOffset(cutoff, TimeSpan.Zero), rolledUp, written, deleted);
        }
        finally
        {
            _retention.Release();
        }
    }

    /// <summary>Rolls up and deletes the raw points of [from, to); retried when another writer changes the range meanwhile.</summary>
    private async Task<(long Points, int Rollups)> CompactAsync(long from, long to, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var hours = new Dictionary<(MetricSeries, long), (RunningMoments Moments, QuantileSketch Sketch)>();
            long count = 0;
            var query = new MetricStoreQuery { FromUtcTicks = from, ToUtcTicks = to, BatchSize = MetricReader.BatchSize };
            await foreach (var batch in _store.ReadPointsAsync(query, cancellationToken))
            {
                var ticks = batch.TimestampsUtcTicks.Span;
                var values = batch.Values.Span;
                for (var i = 0; i < batch.Count; i++)
                {
                    var key = (batch.Series, MetricReader.FloorHour(ticks[i]));
                    if (!hours.TryGetValue(key, out var summary))
                    {
                        hours[key] = summary = (new RunningMoments(), new QuantileSketch());
                    }

                    summary.Moments.Add(values[i]);
                    summary.Sketch.Add(values[i]);
                }

                count += batch.Count;
            }

            if (count == 0)
            {
                return (0, 0);
            }

            var rollups = hours.Select(h => MetricReader.ToRollup(h.Key.Item1, h.Key.Item2, h.Value.Moments, h.Value.Sketch)).ToList();
            try
            {
                await _store.CompactAsync(new MetricCompaction(from, to, count, rollups), cancellationToken);
                return (count, rollups.Count);
            }
            catch (ModelRegistryException ex) when (ex.Code == ErrorCode.ConcurrencyConflict && attempt < 4)
            {
            }
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Metric retention rolled up {Points} raw points before {Cutoff} into {Rollups} hourly roll-ups and deleted {Deleted} expired roll-ups")]
    private static partial void LogRetention(ILogger logger, long points, long rollups, long deleted, DateTimeOffset cutoff);
}
