namespace ModelRegistry.Compliance.Internal;

/// <summary>Per-group comparisons of evaluation results (fairness and bias), shared by the checks and the model card.</summary>
internal static class GroupAnalysis
{
    public static readonly string[] FairnessMetrics = [GroupMetrics.SelectionRate];

    public static readonly string[] BiasMetrics = [GroupMetrics.TruePositiveRate, GroupMetrics.FalsePositiveRate, GroupMetrics.ErrorRate, GroupMetrics.Accuracy];

    /// <summary>Groups every per-group metric of each result by (metric, attribute) and compares the groups.</summary>
    public static IReadOnlyList<GroupComparison> Compare(IEnumerable<EvaluationResult> results, IReadOnlyCollection<string>? metrics = null)
    {
        var comparisons = new List<GroupComparison>();
        foreach (var result in results)
        {
            var byKey = new Dictionary<(string Metric, string Attribute), SortedDictionary<string, double>>();
            foreach (var (name, value) in result.Metrics)
            {
                if (!GroupMetrics.TryParse(name, out var metric, out var attribute, out var group)
                    || (metrics is not null && !metrics.Contains(metric, StringComparer.Ordinal)))
                {
                    continue;
                }

                if (!byKey.TryGetValue((metric, attribute), out var groups))
                {
                    byKey[(metric, attribute)] = groups = new SortedDictionary<string, double>(StringComparer.Ordinal);
                }

                groups[group] = value;
            }

            foreach (var ((metric, attribute), groups) in byKey.OrderBy(k => k.Key.Metric, StringComparer.Ordinal).ThenBy(k => k.Key.Attribute, StringComparer.Ordinal))
            {
                var max = groups.Values.Max();
                var min = groups.Values.Min();
                comparisons.Add(new GroupComparison(result.Source, metric, attribute, groups, max - min, max > 0 ? min / max : null));
            }
        }

        return comparisons;
    }

    public static string Describe(IReadOnlyDictionary<string, double> groups)
        => string.Join(", ", groups.Select(g => $"{g.Key} {CheckFindings.Format(g.Value)}"));
}
