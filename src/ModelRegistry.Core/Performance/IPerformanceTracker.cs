namespace ModelRegistry.Performance;

/// <summary>
/// Metric points and inference traffic of model versions, and what can be learned from them: statistics and percentiles,
/// time buckets, comparisons, A/B tests, cost and ROI, drift and rollback triggers.
/// </summary>
/// <remarks>
/// Metrics take their own append-only path in every store and never the registry's or the audit trail's write path.
/// Every input is validated before anything is written: a failed call records nothing.
/// </remarks>
public interface IPerformanceTracker
{
    /// <summary>Records one metric point.</summary>
    /// <param name="point">The point; see <see cref="MetricKind"/> for the value rules.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded point, with its timestamp filled in when none was given.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for a bad value or name; <see cref="ErrorCode.NotFound"/> for an unknown model, version or binding.</exception>
    Task<MetricPoint> RecordAsync(MetricPoint point, CancellationToken cancellationToken = default);

    /// <summary>Records a batch of points atomically: the batch is validated whole first, then either every point is stored or none.</summary>
    /// <param name="points">The points (at most 100,000; an empty batch records nothing).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of points recorded.</returns>
    /// <exception cref="MetricBatchValidationException">A point is invalid; its <see cref="MetricBatchValidationException.Index"/> names the first bad one.</exception>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> for an unknown model, version or binding.</exception>
    Task<int> RecordBatchAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one served request as latency, error-rate, OOD-rate, cost and (when given) quality and drift points.
    /// The cost, when not given, is priced from the binding's list prices per 1,000 input and output tokens.
    /// </summary>
    /// <param name="record">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record as stored, with its cost and timestamp filled in.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for bad input; <see cref="ErrorCode.NotFound"/> for an unknown model, version or binding.</exception>
    Task<InferenceRecord> TrackInferenceAsync(InferenceRecord record, CancellationToken cancellationToken = default);

    /// <summary>Count, mean, min, max, standard deviation and p50/p90/p95/p99 of a metric over a window.</summary>
    /// <param name="query">What to summarise.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics; <see cref="MetricStatistics.Empty"/> when the window holds no points.</returns>
    Task<MetricStatistics> GetStatisticsAsync(MetricQuery query, CancellationToken cancellationToken = default);

    /// <summary>Statistics per calendar bucket (UTC minute, hour, day or ISO week).</summary>
    /// <param name="query">What to summarise.</param>
    /// <param name="bucketSize">The bucket size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The non-empty buckets in time order.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when the window spans more than 100,000 buckets.</exception>
    Task<TimeBucketedStatistics> GetTimeBucketsAsync(MetricQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default);

    /// <summary>Several versions side by side on chosen metrics over one window.</summary>
    /// <param name="request">The versions, metrics and window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One comparison per metric.</returns>
    Task<ModelComparison> CompareAsync(ModelComparisonRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tests two versions against each other: per-arm count, mean and confidence interval, Welch's t-test, a proportion test
    /// of success rates, a verdict, and each arm's value score (quality ÷ cost).
    /// </summary>
    /// <param name="request">The arms, window and options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The test result.</returns>
    Task<AbTestResult> RunAbTestAsync(AbTestRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cost over a window, grouped by provider, model, version or day.</summary>
    /// <param name="query">Which cost to include.</param>
    /// <param name="groupBy">How to group it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary.</returns>
    Task<CostSummary> GetCostSummaryAsync(CostQuery query, CostGrouping groupBy, CancellationToken cancellationToken = default);

    /// <summary>Cost per calendar bucket over a window, with its slope.</summary>
    /// <param name="query">Which cost to include.</param>
    /// <param name="bucketSize">The bucket size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trend, every bucket included.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when the window spans more than 100,000 buckets.</exception>
    Task<CostTrend> GetCostTrendAsync(CostQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default);

    /// <summary>Return on investment: quality per unit of money, cost per successful request, observed against list price per 1,000 tokens.</summary>
    /// <param name="subject">The version (and optionally binding).</param>
    /// <param name="window">The window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    Task<RoiReport> GetRoiAsync(MetricSubject subject, MetricWindow window, CancellationToken cancellationToken = default);

    /// <summary>The population stability index of a metric between a reference and a current window.</summary>
    /// <param name="query">The metric, subjects, windows and bin count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The index, its band and its bins.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when either window holds no values.</exception>
    Task<PsiResult> GetDriftAsync(DriftQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates the rollback triggers of a canary or production version over the last <see cref="RollbackTriggerOptions.Window"/>
    /// and, when <see cref="RollbackTriggerOptions.AutomaticRollback"/> is on and the decision says so, rolls the model back
    /// (audited as done by the trigger, with the decision as evidence).
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version to check.</param>
    /// <param name="options">The triggers; <see langword="null"/> uses the options configured for the model, or <see cref="RollbackTriggerOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision with every trigger's evaluation.</returns>
    Task<RollbackDecision> CheckRollbackAsync(string modelName, string version, RollbackTriggerOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The retention job: rolls raw points older than <see cref="PerformanceOptions.RawRetentionDays"/> (whole UTC hours)
    /// up into hourly summaries and deletes them in the same step, then deletes roll-ups older than
    /// <see cref="PerformanceOptions.RollupRetentionDays"/>. Statistics over old windows keep working from the roll-ups
    /// (count, sum, mean, min, max and standard deviation exactly; percentiles from the sketch). Run it from one process
    /// at a time, for example daily.
    /// </summary>
    /// <param name="cancellationToken">Cancels the job between days (each day is compacted atomically).</param>
    /// <returns>What was rolled up and deleted.</returns>
    Task<MetricRetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="IPerformanceTracker.ApplyRetentionAsync"/>.</summary>
/// <param name="RawCutoff">Raw points before this instant (an hour boundary) were rolled up.</param>
/// <param name="PointsRolledUp">Raw points summarised into roll-ups and deleted.</param>
/// <param name="RollupsWritten">Roll-up rows written (one per series and hour).</param>
/// <param name="RollupsDeleted">Roll-up rows deleted because they were older than the roll-up retention.</param>
public sealed record MetricRetentionResult(DateTimeOffset RawCutoff, long PointsRolledUp, long RollupsWritten, long RollupsDeleted);
