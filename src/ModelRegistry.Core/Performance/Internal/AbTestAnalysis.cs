namespace ModelRegistry.Performance.Internal;

/// <summary>What the store yielded for one arm of an A/B test.</summary>
/// <param name="Subject">The arm.</param>
/// <param name="Metric">Moments of the tested metric's values.</param>
/// <param name="Requests">Requests with a tracked outcome, if outcomes were tracked.</param>
/// <param name="SuccessfulRequests">Of those, the successful ones.</param>
/// <param name="MeanQuality">Mean quality score, if measured.</param>
/// <param name="MeanCost">Mean cost per request, if known.</param>
internal sealed record AbArmObservations(
    MetricSubject Subject,
    RunningMoments Metric,
    long? Requests = null,
    long? SuccessfulRequests = null,
    double? MeanQuality = null,
    decimal? MeanCost = null);

/// <summary>Judges an A/B test from the two arms' observations. Pure: same observations, same result.</summary>
internal static class AbTestAnalysis
{
    /// <summary>
    /// Per arm: count, mean, standard deviation, t-interval of the mean, success rate and value score. Between arms: Welch's
    /// t-test and interval of B − A, and the two-proportion test of success rates when both arms have request outcomes.
    /// The verdict rests on the z-test when the metric is the error rate and outcomes are known (per-request 0/1 outcomes are
    /// what that test is for), else on Welch's test; it is NotEnoughData while an arm is below the minimum sample size, and
    /// a significant difference (p &lt; α) is awarded to the arm that is better in the metric's direction.
    /// </summary>
    public static AbTestResult Evaluate(AbTestRequest request, AbArmObservations a, AbArmObservations b)
    {
        var (_, options, direction) = RequestValidation.AbTest(request);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var level = 1 - options.SignificanceLevel;

        WelchTestResult? welch = a.Metric.Count >= 2 && b.Metric.Count >= 2 ? HypothesisTests.Welch(a.Metric, b.Metric, level) : null;
        TwoProportionTestResult? proportions = a.Requests > 0 && b.Requests > 0 && a.SuccessfulRequests is not null && b.SuccessfulRequests is not null
            ? HypothesisTests.TwoProportion(a.SuccessfulRequests.Value, a.Requests.Value, b.SuccessfulRequests.Value, b.Requests.Value, level)
            : null;

        var basis = options.Metric.Kind == MetricKind.ErrorRate && proportions is not null ? AbTestBasis.TwoProportionZTest : AbTestBasis.WelchTTest;
        AbTestVerdict verdict;
        if (basis == AbTestBasis.TwoProportionZTest)
        {
            var p = proportions!.Value;
            verdict = a.Requests < options.MinimumSampleSizePerArm || b.Requests < options.MinimumSampleSizePerArm
                ? AbTestVerdict.NotEnoughData
                : !(p.PValue < options.SignificanceLevel) ? AbTestVerdict.NoSignificantDifference

                // Error rate is lower-is-better by default; the higher success rate is the lower error rate.
                : Winner(-(p.RateB - p.RateA), direction);
        }
        else
        {
            verdict = a.Metric.Count < options.MinimumSampleSizePerArm || b.Metric.Count < options.MinimumSampleSizePerArm || welch is null
                ? AbTestVerdict.NotEnoughData
                : !(welch.Value.PValue < options.SignificanceLevel) ? AbTestVerdict.NoSignificantDifference
                : Winner(welch.Value.MeanDifference, direction);
        }

        return new AbTestResult
        {
            Metric = options.Metric,
            Direction = direction,
            SignificanceLevel = options.SignificanceLevel,
            Window = request.Window,
            A = Arm(a, level),
            B = Arm(b, level),
            MeanDifference = b.Metric.Mean - a.Metric.Mean,
            DifferenceInterval = welch?.DifferenceInterval,
            TStatistic = welch?.TStatistic,
            DegreesOfFreedom = welch?.DegreesOfFreedom,
            PValue = welch?.PValue,
            SuccessRateTest = proportions is { } pr
                ? new ProportionTestResult { RateA = pr.RateA, RateB = pr.RateB, ZStatistic = pr.ZStatistic, PValue = pr.PValue, DifferenceInterval = pr.DifferenceInterval }
                : null,
            Basis = basis,
            Verdict = verdict,
        };
    }

    /// <summary>Mean quality ÷ mean cost per request; <see langword="null"/> when either is unknown or the cost is 0.</summary>
    public static double? ValueScore(double? meanQuality, decimal? meanCost)
        => meanQuality is { } q && meanCost is { } c && c > 0 ? q / (double)c : null;

    /// <summary>B wins when B − A points the better way.</summary>
    private static AbTestVerdict Winner(double differenceBMinusA, MetricDirection direction)
    {
        if (differenceBMinusA == 0)
        {
            return AbTestVerdict.NoSignificantDifference;
        }

        var bIsHigher = differenceBMinusA > 0;
        return bIsHigher == (direction == MetricDirection.HigherIsBetter) ? AbTestVerdict.BWins : AbTestVerdict.AWins;
    }

    private static AbTestArm Arm(AbArmObservations o, double level) => new()
    {
        Subject = o.Subject,
        Count = o.Metric.Count,
        Mean = o.Metric.Count == 0 ? 0 : o.Metric.Mean,
        StandardDeviation = o.Metric.StandardDeviation,
        MeanInterval = o.Metric.Count >= 2 ? HypothesisTests.MeanInterval(o.Metric, level) : null,
        Requests = o.Requests,
        SuccessfulRequests = o.SuccessfulRequests,
        SuccessRate = o.Requests > 0 && o.SuccessfulRequests is { } s ? (double)s / o.Requests.Value : null,
        MeanQuality = o.MeanQuality,
        MeanCost = o.MeanCost,
        ValueScore = ValueScore(o.MeanQuality, o.MeanCost),
    };
}

/// <summary>Builds a <see cref="ModelComparison"/> from each subject's statistics per metric.</summary>
internal static class ModelComparer
{
    /// <summary>
    /// One <see cref="MetricComparison"/> per metric with the subjects in request order; <see cref="MetricComparison.Best"/> is
    /// the subject with the best mean in the metric's direction among those with data, unless that best mean is shared.
    /// </summary>
    public static ModelComparison Compare(ModelComparisonRequest request, Func<MetricSubject, MetricKey, MetricStatistics> statistics)
    {
        RequestValidation.Comparison(request);
        ArgumentNullException.ThrowIfNull(statistics);
        var metrics = new List<MetricComparison>(request.Metrics.Count);
        foreach (var metric in request.Metrics)
        {
            var direction = request.Directions is not null && request.Directions.TryGetValue(metric, out var d) ? d : metric.DefaultDirection;
            var entries = request.Subjects.Select(s => new SubjectStatistics { Subject = s, Statistics = statistics(s, metric) }).ToArray();
            metrics.Add(new MetricComparison { Metric = metric, Direction = direction, Entries = entries, Best = Best(entries, direction) });
        }

        return new ModelComparison { Window = request.Window, Metrics = metrics };
    }

    private static MetricSubject? Best(IReadOnlyList<SubjectStatistics> entries, MetricDirection? direction)
    {
        if (direction is null)
        {
            return null;
        }

        var withData = entries.Where(e => e.Statistics.Count > 0).ToList();
        if (withData.Count == 0)
        {
            return null;
        }

        var best = direction == MetricDirection.HigherIsBetter ? withData.Max(e => e.Statistics.Mean) : withData.Min(e => e.Statistics.Mean);
        var winners = withData.Where(e => e.Statistics.Mean == best).ToList();
        return winners.Count == 1 ? winners[0].Subject : null;
    }
}
