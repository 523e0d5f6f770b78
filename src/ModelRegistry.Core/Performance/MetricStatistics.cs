namespace ModelRegistry.Performance;

/// <summary>How the percentiles of a <see cref="MetricStatistics"/> were obtained.</summary>
public enum PercentileMethod
{
    /// <summary>From all values, sorted: the nearest-rank percentile, exactly.</summary>
    Exact = 0,

    /// <summary>
    /// From a mergeable log-bucket quantile sketch (DDSketch-style): the estimate of the nearest-rank percentile <c>x</c>
    /// lies within <see cref="MetricStatistics.PercentileRelativeError"/> × |x| of it.
    /// </summary>
    Sketch = 1,
}

/// <summary>
/// Summary statistics of one metric over a window.
/// </summary>
/// <remarks>
/// <para>Percentiles use the <b>nearest-rank</b> definition: for <c>n</c> values sorted ascending <c>x₁ ≤ … ≤ xₙ</c>,
/// the q-th quantile is <c>x_k</c> with <c>k = max(1, ⌈q·n⌉)</c> — always one of the recorded values, never an interpolation.</para>
/// <para>Up to 10,000 values the percentiles are exact; above that (and whenever statistics are merged from stored
/// roll-ups) they come from a quantile sketch whose relative error is stated in <see cref="PercentileRelativeError"/>.
/// <see cref="Count"/>, <see cref="Sum"/>, <see cref="Mean"/>, <see cref="Min"/>, <see cref="Max"/> and
/// <see cref="StandardDeviation"/> are always computed from every value.</para>
/// <para>When <see cref="Count"/> is 0 every other number is 0 and means nothing.</para>
/// </remarks>
public sealed record MetricStatistics
{
    /// <summary>Statistics of an empty window.</summary>
    public static MetricStatistics Empty { get; } = new();

    /// <summary>Number of values.</summary>
    public long Count { get; init; }

    /// <summary>Sum of the values.</summary>
    public double Sum { get; init; }

    /// <summary>Arithmetic mean.</summary>
    public double Mean { get; init; }

    /// <summary>Smallest value.</summary>
    public double Min { get; init; }

    /// <summary>Largest value.</summary>
    public double Max { get; init; }

    /// <summary>Sample standard deviation (denominator n − 1); 0 for a single value.</summary>
    public double StandardDeviation { get; init; }

    /// <summary>Median (nearest rank).</summary>
    public double P50 { get; init; }

    /// <summary>90th percentile (nearest rank).</summary>
    public double P90 { get; init; }

    /// <summary>95th percentile (nearest rank).</summary>
    public double P95 { get; init; }

    /// <summary>99th percentile (nearest rank).</summary>
    public double P99 { get; init; }

    /// <summary>Whether the percentiles are exact or estimated by the sketch.</summary>
    public PercentileMethod PercentileMethod { get; init; }

    /// <summary>The bound on the percentiles' relative error: 0 when exact, the sketch's accuracy (default 0.01) otherwise.</summary>
    public double PercentileRelativeError { get; init; }

    /// <summary>Whether there were no values.</summary>
    public bool IsEmpty => Count == 0;
}

/// <summary>Statistics of one calendar bucket.</summary>
public sealed record MetricTimeBucket
{
    /// <summary>Inclusive start of the bucket (UTC, aligned to the bucket size).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Exclusive end of the bucket.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Statistics of the bucket's points that fall inside the query window.</summary>
    public required MetricStatistics Statistics { get; init; }
}

/// <summary>A metric's statistics per calendar bucket over a window; see <see cref="IPerformanceTracker.GetTimeBucketsAsync"/>.</summary>
public sealed record TimeBucketedStatistics
{
    /// <summary>The query that was answered.</summary>
    public required MetricQuery Query { get; init; }

    /// <summary>The bucket size.</summary>
    public required TimeBucketSize BucketSize { get; init; }

    /// <summary>
    /// The buckets that hold at least one point, in time order. Buckets without points are left out (a year of minutes
    /// would otherwise be half a million empty entries); the first and last bucket may be cut by the window.
    /// </summary>
    public required IReadOnlyList<MetricTimeBucket> Buckets { get; init; }
}

/// <summary>One subject's statistics on one metric in a comparison.</summary>
public sealed record SubjectStatistics
{
    /// <summary>The model version (and binding).</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>Its statistics.</summary>
    public required MetricStatistics Statistics { get; init; }
}

/// <summary>All compared subjects on one metric.</summary>
public sealed record MetricComparison
{
    /// <summary>The metric.</summary>
    public required MetricKey Metric { get; init; }

    /// <summary>Which way the metric is better, or <see langword="null"/> when unknown (custom metric without a stated direction).</summary>
    public MetricDirection? Direction { get; init; }

    /// <summary>One entry per subject, in the order of the request.</summary>
    public required IReadOnlyList<SubjectStatistics> Entries { get; init; }

    /// <summary>
    /// The subject with the best mean, or <see langword="null"/> when there is no direction, no subject has data, or the best
    /// mean is shared by several subjects. This is a ranking, not a significance test (use an A/B test for that).
    /// </summary>
    public MetricSubject? Best { get; init; }
}

/// <summary>The result of <see cref="IPerformanceTracker.CompareAsync"/>.</summary>
public sealed record ModelComparison
{
    /// <summary>The window compared.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>One comparison per requested metric, in the order of the request.</summary>
    public required IReadOnlyList<MetricComparison> Metrics { get; init; }
}
