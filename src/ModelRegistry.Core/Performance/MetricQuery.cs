namespace ModelRegistry.Performance;

/// <summary>Selects the points of one metric of one model version (optionally one binding) in a time window.</summary>
public sealed record MetricQuery
{
    /// <summary>The model version, and optionally the binding, the points belong to.</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>The metric.</summary>
    public required MetricKey Metric { get; init; }

    /// <summary>The half-open time window [From, To).</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>When given, only points whose dimensions contain every one of these key/value pairs (exact, case-sensitive match).</summary>
    public IReadOnlyDictionary<string, string>? Dimensions { get; init; }
}

/// <summary>The calendar unit of a time bucket. Buckets are aligned in UTC.</summary>
public enum TimeBucketSize
{
    /// <summary>One UTC minute.</summary>
    Minute = 0,

    /// <summary>One UTC hour.</summary>
    Hour = 1,

    /// <summary>One UTC day, from midnight.</summary>
    Day = 2,

    /// <summary>One ISO 8601 week: Monday 00:00 UTC to the next Monday.</summary>
    Week = 3,
}

/// <summary>Several model versions side by side on chosen metrics over one window; see <see cref="IPerformanceTracker.CompareAsync"/>.</summary>
public sealed record ModelComparisonRequest
{
    /// <summary>The versions (and optionally bindings) to compare; 2 to 20 distinct subjects.</summary>
    public required IReadOnlyList<MetricSubject> Subjects { get; init; }

    /// <summary>The metrics to compare them on; 1 to 20 distinct metrics.</summary>
    public required IReadOnlyList<MetricKey> Metrics { get; init; }

    /// <summary>The half-open time window [From, To).</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>
    /// The better direction per metric where it differs from <see cref="MetricKey.DefaultDirection"/> or where there is no
    /// default (custom metrics). A metric with no direction gets no <see cref="MetricComparison.Best"/>.
    /// </summary>
    public IReadOnlyDictionary<MetricKey, MetricDirection>? Directions { get; init; }
}

/// <summary>Selects the cost data of <see cref="IPerformanceTracker.GetCostSummaryAsync"/> and <see cref="IPerformanceTracker.GetCostTrendAsync"/>.</summary>
public sealed record CostQuery
{
    /// <summary>Only this model; <see langword="null"/> for every model.</summary>
    public string? ModelName { get; init; }

    /// <summary>Only this version of <see cref="ModelName"/>; requires <see cref="ModelName"/>.</summary>
    public string? Version { get; init; }

    /// <summary>Only this provider binding; requires <see cref="Version"/>.</summary>
    public string? BindingId { get; init; }

    /// <summary>Only bindings of this provider (compared case-insensitively).</summary>
    public string? Provider { get; init; }

    /// <summary>The half-open time window [From, To).</summary>
    public required MetricWindow Window { get; init; }
}

/// <summary>Which population stability index to compute; see <see cref="IPerformanceTracker.GetDriftAsync"/>.</summary>
public sealed record DriftQuery
{
    /// <summary>The metric (or score) whose distribution is compared.</summary>
    public required MetricKey Metric { get; init; }

    /// <summary>Whose current distribution is examined.</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>The current window.</summary>
    public required MetricWindow CurrentWindow { get; init; }

    /// <summary>The reference subject; <see langword="null"/> means <see cref="Subject"/> itself (drift over time).</summary>
    public MetricSubject? ReferenceSubject { get; init; }

    /// <summary>The reference window, usually earlier than <see cref="CurrentWindow"/>.</summary>
    public required MetricWindow ReferenceWindow { get; init; }

    /// <summary>How many bins to cut the reference distribution into at its quantiles; 2 to 100, default 10 (deciles).</summary>
    public int Bins { get; init; } = 10;
}
