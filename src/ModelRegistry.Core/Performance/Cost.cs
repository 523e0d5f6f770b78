namespace ModelRegistry.Performance;

/// <summary>How <see cref="IPerformanceTracker.GetCostSummaryAsync"/> groups cost.</summary>
public enum CostGrouping
{
    /// <summary>By provider name (requests without a binding are grouped under <c>(none)</c>).</summary>
    Provider = 0,

    /// <summary>By model name.</summary>
    Model = 1,

    /// <summary>By model version, keyed <c>name/version</c>.</summary>
    Version = 2,

    /// <summary>By UTC day, keyed <c>yyyy-MM-dd</c>.</summary>
    Day = 3,
}

/// <summary>Cost of one group of a <see cref="CostSummary"/>.</summary>
public sealed record CostGroup
{
    /// <summary>The group's key (see <see cref="CostGrouping"/> for its form).</summary>
    public required string Key { get; init; }

    /// <summary>Total cost.</summary>
    public decimal Cost { get; init; }

    /// <summary>Requests (or cost points) counted.</summary>
    public long RequestCount { get; init; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; init; }
}

/// <summary>Cost over a window, grouped; see <see cref="IPerformanceTracker.GetCostSummaryAsync"/>.</summary>
public sealed record CostSummary
{
    /// <summary>The query that was answered.</summary>
    public required CostQuery Query { get; init; }

    /// <summary>How <see cref="Groups"/> are formed.</summary>
    public required CostGrouping GroupBy { get; init; }

    /// <summary>Total cost of the window, in the bindings' currency.</summary>
    public decimal TotalCost { get; init; }

    /// <summary>Requests (or cost points) counted.</summary>
    public long RequestCount { get; init; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>The groups, highest cost first (ties by key, ordinal).</summary>
    public required IReadOnlyList<CostGroup> Groups { get; init; }
}

/// <summary>Cost of one calendar bucket of a <see cref="CostTrend"/>.</summary>
public sealed record CostTrendPoint
{
    /// <summary>Inclusive start (UTC, aligned to the bucket size).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Exclusive end.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Cost in the bucket (0 when nothing was spent).</summary>
    public decimal Cost { get; init; }

    /// <summary>Requests (or cost points) in the bucket.</summary>
    public long RequestCount { get; init; }
}

/// <summary>Cost per calendar bucket; see <see cref="IPerformanceTracker.GetCostTrendAsync"/>.</summary>
public sealed record CostTrend
{
    /// <summary>The query that was answered.</summary>
    public required CostQuery Query { get; init; }

    /// <summary>The bucket size.</summary>
    public required TimeBucketSize BucketSize { get; init; }

    /// <summary>Every bucket that overlaps the window, in time order, including those with no cost (a trend needs its zeros).</summary>
    public required IReadOnlyList<CostTrendPoint> Points { get; init; }

    /// <summary>Total cost of the window.</summary>
    public decimal TotalCost { get; init; }

    /// <summary>
    /// Least-squares slope of cost per bucket against the bucket's position (money per bucket per bucket): positive when
    /// spending rises. 0 with fewer than two buckets.
    /// </summary>
    public double SlopePerBucket { get; init; }
}

/// <summary>Return on investment of one model version (or binding) over a window; see <see cref="IPerformanceTracker.GetRoiAsync"/>.</summary>
public sealed record RoiReport
{
    /// <summary>The version (and binding).</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>The window.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>Total cost.</summary>
    public decimal TotalCost { get; init; }

    /// <summary>Requests served.</summary>
    public long RequestCount { get; init; }

    /// <summary>Requests that succeeded.</summary>
    public long SuccessfulRequests { get; init; }

    /// <summary>Input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Mean quality score, when quality was measured.</summary>
    public double? MeanQuality { get; init; }

    /// <summary>Quality per unit of money: mean quality ÷ mean cost per request (the value score); <see langword="null"/> when either is unknown or the cost is 0.</summary>
    public double? QualityPerDollar { get; init; }

    /// <summary>Total cost ÷ successful requests; <see langword="null"/> without successful requests.</summary>
    public decimal? CostPerSuccessfulRequest { get; init; }

    /// <summary>
    /// Observed cost per 1,000 tokens (input and output together), over the requests that recorded both a cost and token
    /// counts: a cost recorded without tokens counts in <see cref="TotalCost"/> but not here. <see langword="null"/> when no
    /// request recorded both.
    /// </summary>
    public decimal? ObservedCostPer1KTokens { get; init; }

    /// <summary>
    /// The binding's list price per 1,000 tokens at the observed mix of input and output tokens
    /// (<c>(in × priceIn + out × priceOut) ÷ (in + out)</c>); <see langword="null"/> without a binding or tokens.
    /// </summary>
    public decimal? ListCostPer1KTokens { get; init; }

    /// <summary>Observed ÷ list price per 1,000 tokens (1 means billed at list price); <see langword="null"/> when either is unknown or the list price is 0.</summary>
    public double? ObservedToListRatio { get; init; }
}
