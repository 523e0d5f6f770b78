namespace ModelRegistry.Performance.Internal;

/// <summary>The pieces of the tracker's cost summaries, trends and ROI that do not read the store: the group key without a provider, the ROI ratios and the trend slope.</summary>
internal static class CostAnalysis
{
    public const string NoProvider = "(none)";

    /// <summary>The ROI report from a window's totals: the derived ratios (quality per dollar, cost per success, observed ÷ list) in one place.</summary>
    public static RoiReport RoiOf(MetricSubject subject, MetricWindow window, decimal total, long requests, long succeeded, long input, long output, double? meanQuality, decimal? observed, decimal? list)
        => new()
        {
            Subject = subject,
            Window = window,
            TotalCost = total,
            RequestCount = requests,
            SuccessfulRequests = succeeded,
            InputTokens = input,
            OutputTokens = output,
            MeanQuality = meanQuality,
            QualityPerDollar = requests > 0 ? AbTestAnalysis.ValueScore(meanQuality, total / requests) : null,
            CostPerSuccessfulRequest = succeeded > 0 ? total / succeeded : null,
            ObservedCostPer1KTokens = observed,
            ListCostPer1KTokens = list,
            ObservedToListRatio = observed is { } o && list is { } l && l > 0 ? (double)(o / l) : null,
        };

    /// <summary>Least-squares slope of y against 0, 1, 2, …; 0 with fewer than two points.</summary>
    public static double Slope(IReadOnlyList<double> y)
    {
        var n = y.Count;
        if (n < 2)
        {
            return 0;
        }

        var meanX = (n - 1) / 2.0;
        var meanY = y.Average();
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (i - meanX) * (y[i] - meanY);
            sxx += (i - meanX) * (i - meanX);
        }

        return sxy / sxx;
    }
}
