namespace ModelRegistry.Performance;

/// <summary>How an A/B test is judged.</summary>
public sealed record AbTestOptions
{
    /// <summary>The defaults: quality, higher is better, significance level 0.05, at least 30 values per arm.</summary>
    public static AbTestOptions Default { get; } = new();

    /// <summary>The metric the verdict is about (default <see cref="MetricKey.Quality"/>).</summary>
    public MetricKey Metric { get; init; } = MetricKey.Quality;

    /// <summary>Which way the metric is better; <see langword="null"/> takes <see cref="MetricKey.DefaultDirection"/> (required for a custom metric).</summary>
    public MetricDirection? Direction { get; init; }

    /// <summary>The significance level α, in (0, 0.5]; the confidence intervals have level 1 − α. Default 0.05.</summary>
    public double SignificanceLevel { get; init; } = 0.05;

    /// <summary>The fewest values (or requests, for a proportion test) each arm needs before a verdict other than NotEnoughData; ≥ 2, default 30.</summary>
    public int MinimumSampleSizePerArm { get; init; } = 30;
}

/// <summary>Two model versions (or bindings) to test against each other; see <see cref="IPerformanceTracker.RunAbTestAsync"/>.</summary>
public sealed record AbTestRequest
{
    /// <summary>Arm A, usually the incumbent.</summary>
    public required MetricSubject A { get; init; }

    /// <summary>Arm B, usually the challenger.</summary>
    public required MetricSubject B { get; init; }

    /// <summary>The half-open time window [From, To) whose traffic is compared.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>How the test is judged; <see langword="null"/> means <see cref="AbTestOptions.Default"/>.</summary>
    public AbTestOptions? Options { get; init; }
}

/// <summary>The outcome of an A/B test.</summary>
public enum AbTestVerdict
{
    /// <summary>An arm has fewer values than <see cref="AbTestOptions.MinimumSampleSizePerArm"/>.</summary>
    NotEnoughData = 0,

    /// <summary>The p-value is not below the significance level.</summary>
    NoSignificantDifference = 1,

    /// <summary>A is significantly better in the metric's direction.</summary>
    AWins = 2,

    /// <summary>B is significantly better in the metric's direction.</summary>
    BWins = 3,
}

/// <summary>Which test the verdict of an A/B test rests on.</summary>
public enum AbTestBasis
{
    /// <summary>Welch's unequal-variances t-test on the metric's values (two-sided).</summary>
    WelchTTest = 0,

    /// <summary>
    /// The pooled two-proportion z-test on per-request outcomes (two-sided); used when the metric is
    /// <see cref="MetricKind.ErrorRate"/> and both arms have request counts.
    /// </summary>
    TwoProportionZTest = 1,
}

/// <summary>A two-sided confidence interval.</summary>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
/// <param name="Level">Confidence level, such as 0.95.</param>
public sealed record ConfidenceInterval(double Lower, double Upper, double Level);

/// <summary>One arm of an A/B test.</summary>
public sealed record AbTestArm
{
    /// <summary>The model version (and binding) of the arm.</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>Number of values of the tested metric.</summary>
    public long Count { get; init; }

    /// <summary>Mean of the tested metric (0 when <see cref="Count"/> is 0).</summary>
    public double Mean { get; init; }

    /// <summary>Sample standard deviation of the tested metric.</summary>
    public double StandardDeviation { get; init; }

    /// <summary>Student-t confidence interval of the mean; <see langword="null"/> with fewer than 2 values.</summary>
    public ConfidenceInterval? MeanInterval { get; init; }

    /// <summary>Requests served in the window, when inference outcomes were tracked.</summary>
    public long? Requests { get; init; }

    /// <summary>Requests that succeeded.</summary>
    public long? SuccessfulRequests { get; init; }

    /// <summary>Successful ÷ all requests; <see langword="null"/> without requests.</summary>
    public double? SuccessRate { get; init; }

    /// <summary>Mean quality score, when quality was measured.</summary>
    public double? MeanQuality { get; init; }

    /// <summary>Mean cost per request, when cost is known.</summary>
    public decimal? MeanCost { get; init; }

    /// <summary>
    /// The value score: mean quality ÷ mean cost per request (quality per unit of money); <see langword="null"/> when either
    /// is unknown or the cost is 0.
    /// </summary>
    public double? ValueScore { get; init; }
}

/// <summary>The pooled two-proportion z-test of the arms' success rates (equivalently, their error rates).</summary>
public sealed record ProportionTestResult
{
    /// <summary>Success rate of A.</summary>
    public required double RateA { get; init; }

    /// <summary>Success rate of B.</summary>
    public required double RateB { get; init; }

    /// <summary>The z statistic of B − A; 0 when the pooled rate is 0 or 1.</summary>
    public required double ZStatistic { get; init; }

    /// <summary>Two-sided p-value.</summary>
    public required double PValue { get; init; }

    /// <summary>Wald confidence interval of RateB − RateA at level 1 − α.</summary>
    public required ConfidenceInterval DifferenceInterval { get; init; }
}

/// <summary>The result of <see cref="IPerformanceTracker.RunAbTestAsync"/>.</summary>
public sealed record AbTestResult
{
    /// <summary>The tested metric.</summary>
    public required MetricKey Metric { get; init; }

    /// <summary>Which way the metric is better.</summary>
    public required MetricDirection Direction { get; init; }

    /// <summary>The significance level α used.</summary>
    public required double SignificanceLevel { get; init; }

    /// <summary>The window compared.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>Arm A.</summary>
    public required AbTestArm A { get; init; }

    /// <summary>Arm B.</summary>
    public required AbTestArm B { get; init; }

    /// <summary>Mean of B minus mean of A.</summary>
    public double MeanDifference { get; init; }

    /// <summary>Welch confidence interval of B − A at level 1 − α; <see langword="null"/> when an arm has fewer than 2 values.</summary>
    public ConfidenceInterval? DifferenceInterval { get; init; }

    /// <summary>Welch's t statistic of B − A; <see langword="null"/> when an arm has fewer than 2 values.</summary>
    public double? TStatistic { get; init; }

    /// <summary>Welch–Satterthwaite degrees of freedom; <see langword="null"/> when an arm has fewer than 2 values.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>Two-sided p-value of Welch's t-test; <see langword="null"/> when an arm has fewer than 2 values.</summary>
    public double? PValue { get; init; }

    /// <summary>The success-rate test, when both arms have request outcomes.</summary>
    public ProportionTestResult? SuccessRateTest { get; init; }

    /// <summary>Which test the verdict rests on.</summary>
    public required AbTestBasis Basis { get; init; }

    /// <summary>The verdict.</summary>
    public required AbTestVerdict Verdict { get; init; }
}
