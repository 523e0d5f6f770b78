using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Performance;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>
/// Performance: metric points and inferences in, statistics, time buckets, comparisons, A/B tests, cost, ROI and
/// rollback checks out. A metric is named in the query string by its kind (<c>latency</c>, <c>quality</c>…) or as
/// <c>custom:NAME</c>; a window is <c>from</c>/<c>to</c> (ISO 8601), by default the last 24 hours.
/// </summary>
internal static class PerformanceEndpoints
{
    public static void MapPerformanceEndpoints(this IEndpointRouteBuilder app)
    {
        var performance = app.MapGroup("/api/performance").WithTags("Performance").WithRegistryProblems();

        performance.MapPost("/metrics", async (MetricPoint point, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.RecordAsync(point, ct)))
            .WithName("RecordMetric");

        performance.MapPost("/metrics/batch", async (IReadOnlyList<MetricPoint> points, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(new BatchRecorded(await tracker.RecordBatchAsync(points, ct))))
            .WithName("RecordMetricBatch").WithSummary("Records points all-or-nothing; a bad point is named by its index in details.index.");

        performance.MapPost("/inferences", async (InferenceRecord record, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.TrackInferenceAsync(record, ct)))
            .WithName("TrackInference").WithSummary("Records one inference: latency, tokens, success, quality, cost.");

        performance.MapGet("/stats", async ([AsParameters] SeriesParameters p, IPerformanceTracker tracker, TimeProvider time, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetStatisticsAsync(p.ToQuery(time), ct)))
            .WithName("GetMetricStatistics").WithSummary("Count, mean, deviation and p50/p90/p95/p99 of one metric of one subject.");

        performance.MapGet("/buckets", async ([AsParameters] SeriesParameters p, [FromQuery] TimeBucketSize? bucket, IPerformanceTracker tracker, TimeProvider time, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetTimeBucketsAsync(p.ToQuery(time), bucket ?? TimeBucketSize.Hour, ct)))
            .WithName("GetMetricTrend").WithSummary("Statistics per minute, hour, day or week: the metric's trend.");

        performance.MapPost("/compare", async (CompareBody body, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.CompareAsync(body.ToRequest(), ct)))
            .WithName("CompareModels");

        performance.MapPost("/ab-tests", async (AbTestBody body, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.RunAbTestAsync(body.ToRequest(), ct)))
            .WithName("RunAbTest").WithSummary("Welch's t-test on a metric (and a two-proportion test on success) between two subjects.");

        performance.MapGet("/costs", async ([AsParameters] CostParameters p, [FromQuery(Name = "group_by")] CostGrouping? groupBy, IPerformanceTracker tracker, TimeProvider time, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetCostSummaryAsync(p.ToQuery(time), groupBy ?? CostGrouping.Provider, ct)))
            .WithName("GetCostSummary");

        performance.MapGet("/costs/trend", async ([AsParameters] CostParameters p, [FromQuery] TimeBucketSize? bucket, IPerformanceTracker tracker, TimeProvider time, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetCostTrendAsync(p.ToQuery(time), bucket ?? TimeBucketSize.Day, ct)))
            .WithName("GetCostTrend");

        performance.MapGet("/roi", async ([FromQuery] string model, [FromQuery] string version, [FromQuery] string? binding, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, IPerformanceTracker tracker, TimeProvider time, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetRoiAsync(new MetricSubject(model, version, binding), Window(from, to, time), ct)))
            .WithName("GetRoi").WithSummary("Cost against quality and success for one subject.");

        performance.MapPost("/drift", async (DriftBody body, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetDriftAsync(body.ToQuery(), ct)))
            .WithName("GetDrift").WithSummary("Population stability index of a metric between a reference and a current window.");

        performance.MapGet("/rollback-check", async ([FromQuery] string model, [FromQuery] string version, IPerformanceTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.CheckRollbackAsync(model, version, cancellationToken: ct)))
            .WithName("CheckRollback").WithSummary("Evaluates the default rollback triggers (error rate, latency, OOD rate, drift); never rolls back by itself.");
    }

    /// <summary>The window from query values; the last 24 hours when neither is given.</summary>
    internal static MetricWindow Window(DateTimeOffset? from, DateTimeOffset? to, TimeProvider time)
    {
        var end = to ?? time.GetUtcNow();
        return new MetricWindow(from ?? end.AddDays(-1), end);
    }

    /// <summary>Parses <c>latency</c>, <c>Quality</c>, <c>custom:NAME</c> into a <see cref="MetricKey"/>.</summary>
    internal static MetricKey ParseMetric(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return MetricKey.Latency;
        }

        const string customPrefix = "custom:";
        if (text.StartsWith(customPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return MetricKey.Custom(text[customPrefix.Length..]);
        }

        return Enum.TryParse<MetricKind>(text, ignoreCase: true, out var kind) && kind != MetricKind.Custom && Enum.IsDefined(kind) && !char.IsAsciiDigit(text[0])
            ? new MetricKey(kind)
            : throw new ModelRegistryException(
                ErrorCode.InvalidArgument,
                $"'{text}' is not a metric; use one of {string.Join(", ", Enum.GetNames<MetricKind>().Where(n => n != nameof(MetricKind.Custom)).Select(n => n.ToLowerInvariant()))} or custom:NAME.")
            {
                ParameterName = "metric",
            };
    }

    /// <summary>One metric of one subject over a window.</summary>
    internal sealed record SeriesParameters(
        [FromQuery(Name = "model")] string Model,
        [FromQuery(Name = "version")] string Version,
        [FromQuery(Name = "binding")] string? Binding,
        [FromQuery(Name = "metric")] string? Metric,
        [FromQuery(Name = "from")] DateTimeOffset? From,
        [FromQuery(Name = "to")] DateTimeOffset? To)
    {
        public MetricQuery ToQuery(TimeProvider time) => new()
        {
            Subject = new MetricSubject(Model, Version, Binding),
            Metric = ParseMetric(Metric),
            Window = Window(From, To, time),
        };
    }

    /// <summary>The scope of a cost query.</summary>
    internal sealed record CostParameters(
        [FromQuery(Name = "model")] string? Model,
        [FromQuery(Name = "version")] string? Version,
        [FromQuery(Name = "binding")] string? Binding,
        [FromQuery(Name = "provider")] string? Provider,
        [FromQuery(Name = "from")] DateTimeOffset? From,
        [FromQuery(Name = "to")] DateTimeOffset? To)
    {
        public CostQuery ToQuery(TimeProvider time) => new()
        {
            ModelName = Model,
            Version = Version,
            BindingId = Binding,
            Provider = Provider,
            Window = Window(From, To, time),
        };
    }
}

/// <summary>How many points a batch wrote.</summary>
/// <param name="Recorded">The number of points.</param>
internal sealed record BatchRecorded(int Recorded);

/// <summary>A comparison of subjects on several metrics.</summary>
/// <param name="Subjects">Two or more subjects.</param>
/// <param name="Metrics">Metric names (<c>latency</c>, <c>custom:NAME</c>).</param>
/// <param name="From">Window start.</param>
/// <param name="To">Window end (exclusive).</param>
/// <param name="Directions">Which way is better, per metric name, where the kind does not say (custom metrics).</param>
internal sealed record CompareBody(
    IReadOnlyList<MetricSubject> Subjects,
    IReadOnlyList<string> Metrics,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyDictionary<string, MetricDirection>? Directions = null)
{
    public ModelComparisonRequest ToRequest() => new()
    {
        Subjects = Subjects,
        Metrics = [.. Metrics.Select(PerformanceEndpoints.ParseMetric)],
        Window = new MetricWindow(From, To),
        Directions = Directions?.ToDictionary(d => PerformanceEndpoints.ParseMetric(d.Key), d => d.Value),
    };
}

/// <summary>An A/B test between two subjects on one metric.</summary>
/// <param name="A">Arm A.</param>
/// <param name="B">Arm B.</param>
/// <param name="From">Window start.</param>
/// <param name="To">Window end (exclusive).</param>
/// <param name="Metric">The metric name (default <c>quality</c>).</param>
/// <param name="Direction">Which way is better, when the metric's kind does not say.</param>
/// <param name="SignificanceLevel">Alpha (default 0.05).</param>
/// <param name="MinimumSampleSizePerArm">Below this the verdict is NotEnoughData (default 30).</param>
internal sealed record AbTestBody(
    MetricSubject A,
    MetricSubject B,
    DateTimeOffset From,
    DateTimeOffset To,
    string? Metric = null,
    MetricDirection? Direction = null,
    double? SignificanceLevel = null,
    int? MinimumSampleSizePerArm = null)
{
    public AbTestRequest ToRequest()
    {
        var defaults = AbTestOptions.Default;
        return new AbTestRequest
        {
            A = A,
            B = B,
            Window = new MetricWindow(From, To),
            Options = new AbTestOptions
            {
                Metric = Metric is null ? defaults.Metric : PerformanceEndpoints.ParseMetric(Metric),
                Direction = Direction,
                SignificanceLevel = SignificanceLevel ?? defaults.SignificanceLevel,
                MinimumSampleSizePerArm = MinimumSampleSizePerArm ?? defaults.MinimumSampleSizePerArm,
            },
        };
    }
}

/// <summary>A drift (population stability) query between a reference window and a current window.</summary>
/// <param name="Subject">The subject whose current values are compared.</param>
/// <param name="Metric">The metric name (<c>latency</c>, <c>custom:NAME</c>).</param>
/// <param name="From">Current window start.</param>
/// <param name="To">Current window end (exclusive).</param>
/// <param name="ReferenceFrom">Reference window start.</param>
/// <param name="ReferenceTo">Reference window end (exclusive).</param>
/// <param name="ReferenceSubject">The reference subject; the same subject when omitted.</param>
/// <param name="Bins">Number of bins (default 10).</param>
internal sealed record DriftBody(
    MetricSubject Subject,
    string Metric,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset ReferenceFrom,
    DateTimeOffset ReferenceTo,
    MetricSubject? ReferenceSubject = null,
    int? Bins = null)
{
    public DriftQuery ToQuery() => new()
    {
        Subject = Subject,
        Metric = PerformanceEndpoints.ParseMetric(Metric),
        CurrentWindow = new MetricWindow(From, To),
        ReferenceSubject = ReferenceSubject,
        ReferenceWindow = new MetricWindow(ReferenceFrom, ReferenceTo),
        Bins = Bins ?? 10,
    };
}
