using System.Globalization;
using ModelRegistry.Registry;

namespace ModelRegistry.Performance.Internal;

/// <summary>One priced request (or a cost point) as the cost analysis sees it.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version text.</param>
/// <param name="BindingId">The binding, if any.</param>
/// <param name="Provider">The binding's provider, if known.</param>
/// <param name="Cost">What it cost.</param>
/// <param name="InputTokens">Input tokens (0 for a cost point without tokens).</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Succeeded">Whether the request succeeded; <see langword="null"/> for a cost point without an outcome.</param>
internal readonly record struct CostEntry(
    DateTimeOffset Timestamp,
    string ModelName,
    string Version,
    string? BindingId,
    string? Provider,
    decimal Cost,
    long InputTokens = 0,
    long OutputTokens = 0,
    bool? Succeeded = null);

/// <summary>Cost summaries, trends and ROI from priced requests. Filters by the query itself, so it is also the reference the stores are checked against.</summary>
internal static class CostAnalysis
{
    public const string NoProvider = "(none)";

    public static CostSummary Summarize(CostQuery query, CostGrouping groupBy, IEnumerable<CostEntry> entries)
    {
        RequestValidation.Cost(query);
        if (!Enum.IsDefined(groupBy))
        {
            throw ModelRegistry.Internal.Guard.Invalid("groupBy", $"'groupBy' has the undefined value {(int)groupBy}.");
        }

        var groups = new Dictionary<string, (decimal Cost, long Requests, long In, long Out)>(StringComparer.Ordinal);
        decimal total = 0;
        long requests = 0, input = 0, output = 0;
        var matches = Matcher(query);
        foreach (var e in entries)
        {
            if (!matches(e))
            {
                continue;
            }

            var key = groupBy switch
            {
                CostGrouping.Provider => e.Provider ?? NoProvider,
                CostGrouping.Model => e.ModelName,
                CostGrouping.Version => $"{e.ModelName}/{e.Version}",
                _ => e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            groups.TryGetValue(key, out var g);
            groups[key] = (g.Cost + e.Cost, g.Requests + 1, g.In + e.InputTokens, g.Out + e.OutputTokens);
            total += e.Cost;
            requests++;
            input += e.InputTokens;
            output += e.OutputTokens;
        }

        var list = groups
            .Select(g => new CostGroup { Key = g.Key, Cost = g.Value.Cost, RequestCount = g.Value.Requests, InputTokens = g.Value.In, OutputTokens = g.Value.Out })
            .OrderByDescending(g => g.Cost)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        return new CostSummary { Query = query, GroupBy = groupBy, TotalCost = total, RequestCount = requests, InputTokens = input, OutputTokens = output, Groups = list };
    }

    public static CostTrend Trend(CostQuery query, TimeBucketSize bucketSize, IEnumerable<CostEntry> entries)
    {
        RequestValidation.Cost(query);
        RequestValidation.BucketSize(bucketSize);
        var cover = TimeBucketing.Cover(query.Window, bucketSize);
        var cost = new decimal[cover.Count];
        var count = new long[cover.Count];
        var firstStart = cover[0].Start.UtcTicks;
        var length = TimeBucketing.Ticks(bucketSize);
        var matches = Matcher(query);
        foreach (var e in entries)
        {
            if (!matches(e))
            {
                continue;
            }

            var i = (int)((TimeBucketing.Start(e.Timestamp, bucketSize).UtcTicks - firstStart) / length);
            cost[i] += e.Cost;
            count[i]++;
        }

        var points = cover.Select((b, i) => new CostTrendPoint { Start = b.Start, End = b.End, Cost = cost[i], RequestCount = count[i] }).ToArray();
        return new CostTrend
        {
            Query = query,
            BucketSize = bucketSize,
            Points = points,
            TotalCost = cost.Sum(),
            SlopePerBucket = Slope(cost.Select(c => (double)c).ToArray()),
        };
    }

    /// <summary>
    /// ROI of one subject over a window. Quality per dollar is mean quality ÷ mean cost per request (the value score).
    /// Observed cost per 1,000 tokens counts only entries that carry tokens (a bare cost point has none and would inflate
    /// it); the list price is the binding's, blended at the same input/output mix.
    /// </summary>
    public static RoiReport Roi(MetricSubject subject, MetricWindow window, IEnumerable<CostEntry> entries, RunningMoments? quality, ProviderBinding? binding)
    {
        MetricValidation.Subject(subject, "subject");
        MetricValidation.Window(window, "window");
        var query = new CostQuery { ModelName = subject.ModelName, Version = subject.Version, BindingId = subject.BindingId, Window = window };
        var matches = Matcher(query);
        decimal total = 0, tokenCost = 0;
        long requests = 0, succeeded = 0, input = 0, output = 0;
        foreach (var e in entries)
        {
            if (!matches(e))
            {
                continue;
            }

            total += e.Cost;
            requests++;
            if (e.Succeeded == true)
            {
                succeeded++;
            }

            if (e.InputTokens + e.OutputTokens > 0)
            {
                tokenCost += e.Cost;
                input += e.InputTokens;
                output += e.OutputTokens;
            }
        }

        var tokens = input + output;
        decimal? observed = tokens > 0 ? tokenCost * 1000m / tokens : null;
        decimal? list = tokens > 0 && binding is not null
            ? ((input * binding.CostPer1KInputTokens) + (output * binding.CostPer1KOutputTokens)) / tokens
            : null;
        double? meanQuality = quality is { Count: > 0 } ? quality.Mean : null;
        return RoiOf(subject, window, total, requests, succeeded, input, output, meanQuality, observed, list);
    }

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

    private static Func<CostEntry, bool> Matcher(CostQuery query)
    {
        var version = query.Version is null ? null : SemanticVersion.Parse(query.Version);
        var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
        return e =>
        {
            if (!query.Window.Contains(e.Timestamp))
            {
                return false;
            }

            if (query.ModelName is not null && !string.Equals(query.ModelName, e.ModelName, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (version is not null)
            {
                if (!seen.TryGetValue(e.Version, out var same))
                {
                    seen[e.Version] = same = SemanticVersion.TryParse(e.Version, out var v) && v.Equals(version);
                }

                if (!same)
                {
                    return false;
                }
            }

            if (query.BindingId is not null && !string.Equals(query.BindingId, e.BindingId, StringComparison.Ordinal))
            {
                return false;
            }

            return query.Provider is null || string.Equals(query.Provider, e.Provider, StringComparison.OrdinalIgnoreCase);
        };
    }
}
