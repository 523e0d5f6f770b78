using System.Globalization;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// How compliance checks read the performance tracker: the window, metric names in declarations, and the statistics of
/// one series (optionally one protected group).
/// </summary>
internal static class ObservedMetrics
{
    /// <summary>The statistics of one observed series, with what was asked for (for the evidence).</summary>
    public sealed record Observation(MetricKey Metric, IReadOnlyDictionary<string, string>? Dimensions, MetricStatistics Statistics);

    /// <summary>(evaluation time − <see cref="ComplianceOptions.ObservedMetricsWindow"/>, evaluation time].</summary>
    public static MetricWindow Window(ComplianceContext context, ComplianceOptions options)
        // MetricWindow is half-open [From, To); one tick past the evaluation time includes a point recorded at that instant.
        => new(context.EvaluatedAt - options.ObservedMetricsWindow, context.EvaluatedAt.AddTicks(1));

    /// <summary>The evidence source of everything read from the tracker in <paramref name="window"/>.</summary>
    public static string Source(MetricWindow window) => $"performance {window}";

    public static bool IsValidKey(MetricKey key)
        => Enum.IsDefined(key.Kind) && (key.Kind == MetricKind.Custom ? MetricValidation.IsCustomName(key.CustomName) : key.CustomName is null);

    /// <summary>
    /// Reads a metric name from a declaration: a <see cref="MetricKind"/> name (ignoring case) is that kind,
    /// <c>custom:name</c> or any other valid name is a custom metric.
    /// </summary>
    public static MetricKey? ParseKey(string name)
    {
        if (name.StartsWith("custom:", StringComparison.OrdinalIgnoreCase))
        {
            var custom = name["custom:".Length..];
            return MetricValidation.IsCustomName(custom) ? MetricKey.Custom(custom) : null;
        }

        if (name.Length > 0 && char.IsLetter(name[0]) && Enum.TryParse<MetricKind>(name, ignoreCase: true, out var kind) && kind != MetricKind.Custom)
        {
            return new MetricKey(kind);
        }

        return MetricValidation.IsCustomName(name) ? MetricKey.Custom(name) : null;
    }

    /// <summary>The tracker's series for a per-group metric name: <c>accuracy</c> is the Accuracy kind, the others are custom metrics.</summary>
    public static MetricKey KeyOf(string groupMetric)
        => string.Equals(groupMetric, GroupMetrics.Accuracy, StringComparison.Ordinal) ? MetricKey.Accuracy : MetricKey.Custom(groupMetric);

    public static double Select(MetricStatistics s, ObservedStatistic statistic) => statistic switch
    {
        ObservedStatistic.P50 => s.P50,
        ObservedStatistic.P90 => s.P90,
        ObservedStatistic.P95 => s.P95,
        ObservedStatistic.P99 => s.P99,
        ObservedStatistic.Min => s.Min,
        ObservedStatistic.Max => s.Max,
        _ => s.Mean,
    };

    public static async Task<Observation> ReadAsync(ComplianceContext context, IPerformanceTracker tracker, MetricKey metric, MetricWindow window, IReadOnlyDictionary<string, string>? dimensions, CancellationToken cancellationToken)
    {
        var statistics = await tracker.GetStatisticsAsync(
            new MetricQuery { Subject = new MetricSubject(context.Version.ModelName, context.Version.Version.ToString()), Metric = metric, Window = window, Dimensions = dimensions },
            cancellationToken);
        return new Observation(metric, dimensions, statistics);
    }

    /// <summary><c>0.45 (mean of 120 points)</c>, or <c>no points</c>.</summary>
    public static string Describe(MetricStatistics s, ObservedStatistic statistic = ObservedStatistic.Mean)
        => s.IsEmpty ? "no points" : string.Create(CultureInfo.InvariantCulture, $"{CheckFindings.Format(Select(s, statistic))} ({statistic.ToString().ToLowerInvariant()} of {s.Count} points)");
}
