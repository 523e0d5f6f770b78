using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// The version's results meet their declared thresholds. Evaluation thresholds — <see cref="ComplianceOptions.EvaluationThresholds"/>
/// and <c>compliance.threshold.&lt;metric&gt;</c> tags (model tags, overridden per metric by version tags) — are checked
/// against the most recent evaluation result that holds the metric (and suite, when given); one without a result fails.
/// Observed thresholds — <see cref="ComplianceOptions.ObservedThresholds"/> and <c>compliance.observed_threshold.&lt;metric&gt;</c>
/// tags — are checked against the performance tracker's statistic over <see cref="ComplianceOptions.ObservedMetricsWindow"/>
/// when the target stage is in <see cref="ComplianceOptions.ObservedMetricsRequiredFor"/>: no tracker, no points or fewer
/// than <see cref="ComplianceOptions.MinimumObservedSamples"/> fail; at other stages they are reported for information.
/// No thresholds at all is a warning.
/// </summary>
internal sealed partial class EvaluationThresholdsCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.EvaluationThresholds;

    public string Version => "1.1";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    [GeneratedRegex(@"^\s*(>=|<=|>|<)\s*([-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)\s*$")]
    private static partial Regex ThresholdText();

    [GeneratedRegex(@"^\s*(?:(mean|p50|p90|p95|p99|min|max)\s*)?(>=|<=|>|<)\s*([-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ObservedThresholdText();

    private sealed record Threshold(string Metric, string Operator, double Value, string? Suite, string DeclaredIn);

    private sealed record ObservedThreshold(MetricKey Metric, ObservedStatistic Statistic, string Operator, double Value, string DeclaredIn)
    {
        public string Rule => $"{Statistic.ToString().ToLowerInvariant()} of {Metric} {Operator} {CheckFindings.Format(Value)}";
    }

    private static bool Meets(double value, string op, double bound) => op switch
    {
        ">=" => value >= bound,
        ">" => value > bound,
        "<=" => value <= bound,
        _ => value < bound,
    };

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var thresholds = Declared(context, f);
        var observed = DeclaredObserved(context, f);
        if (thresholds.Count == 0 && observed.Count == 0 && !f.HasErrors)
        {
            f.Evidence("thresholds", "declared", "none");
            f.Warning("thresholds.none_declared", $"No evaluation or observed thresholds are declared for '{context.Model.Name}'; declare them with '{ComplianceFields.ThresholdPrefix}<metric>' or '{ComplianceFields.ObservedThresholdPrefix}<metric>' tags (>=0.9), or ComplianceOptions.EvaluationThresholds / ObservedThresholds, so results are judged.");
            return f.Build();
        }

        await CheckObservedAsync(context, observed, f, cancellationToken);

        var results = await context.GetEvaluationsAsync(cancellationToken);
        foreach (var t in thresholds)
        {
            var latest = results.LastOrDefault(r => r.Metrics.ContainsKey(t.Metric) && (t.Suite is null || string.Equals(r.Suite, t.Suite, StringComparison.Ordinal)));
            var rule = $"{t.Metric} {t.Operator} {CheckFindings.Format(t.Value)}{(t.Suite is null ? string.Empty : $" (suite {t.Suite})")}";
            if (latest is null)
            {
                f.Evidence("evaluations", t.Metric, null);
                f.Error("thresholds.result_missing", $"Threshold {rule}, declared in {t.DeclaredIn}, has no result on record for version {context.Version.Version}; run the evaluation and record it."
                    + (context.Lineage is null ? " No lineage tracker is registered, so evaluation nodes could not be read." : string.Empty));
                continue;
            }

            var value = latest.Metrics[t.Metric];
            f.Evidence(latest.Source, t.Metric, value);
            if (Meets(value, t.Operator, t.Value))
            {
                f.Info("thresholds.met", $"{t.Metric} = {CheckFindings.Format(value)} in {latest.Source} meets {rule}.");
            }
            else
            {
                f.Error("thresholds.not_met", $"{t.Metric} = {CheckFindings.Format(value)} in {latest.Source} does not meet {rule}, declared in {t.DeclaredIn}.");
            }
        }

        return f.Build();
    }

    private List<Threshold> Declared(ComplianceContext context, CheckFindings f)
    {
        var list = new List<Threshold>();
        foreach (var t in _options.EvaluationThresholds)
        {
            if (t.Minimum is { } min)
            {
                list.Add(new Threshold(t.Metric, ">=", min, t.Suite, "ComplianceOptions.EvaluationThresholds"));
            }

            if (t.Maximum is { } max)
            {
                list.Add(new Threshold(t.Metric, "<=", max, t.Suite, "ComplianceOptions.EvaluationThresholds"));
            }
        }

        // Version tags override model tags metric by metric.
        foreach (var (key, value, source) in ThresholdTags(context, ComplianceFields.ThresholdPrefix))
        {
            var metric = key[ComplianceFields.ThresholdPrefix.Length..];
            f.Evidence(source, key, value);
            var m = ThresholdText().Match(value);
            if (metric.Length == 0 || !m.Success || !double.TryParse(m.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                f.Error("thresholds.invalid", $"The threshold tag '{key}' = '{value}' ({source}) is not of the form '>=0.9', '>0.9', '<=0.05' or '<0.05' after a metric name.");
                continue;
            }

            list.Add(new Threshold(metric, m.Groups[1].Value, number, null, $"{source} '{key}'"));
        }

        return list;
    }

    private async Task CheckObservedAsync(ComplianceContext context, List<ObservedThreshold> thresholds, CheckFindings f, CancellationToken cancellationToken)
    {
        if (thresholds.Count == 0)
        {
            return;
        }

        var judged = _options.ObservedMetricsRequiredFor.Contains(context.TargetStage);
        var window = ObservedMetrics.Window(context, _options);
        var source = ObservedMetrics.Source(window);
        foreach (var t in thresholds)
        {
            var item = $"{t.Statistic.ToString().ToLowerInvariant()} of {t.Metric}";
            var notJudged = $"Observed threshold {t.Rule} is judged only on the way to {string.Join(", ", _options.ObservedMetricsRequiredFor)} (ObservedMetricsRequiredFor)";
            if (context.Performance is not { } tracker)
            {
                f.Evidence(source, item, null);
                f.Add(judged ? FindingSeverity.Error : FindingSeverity.Info, "thresholds.observed_unavailable",
                    judged ? $"Observed threshold {t.Rule}, declared in {t.DeclaredIn}, cannot be checked: no performance tracker is registered." : $"{notJudged}; no performance tracker is registered.");
                continue;
            }

            var statistics = (await ObservedMetrics.ReadAsync(context, tracker, t.Metric, window, null, cancellationToken)).Statistics;
            f.Evidence(source, item, ObservedMetrics.Describe(statistics, t.Statistic));
            if (!judged)
            {
                f.Info("thresholds.observed_not_judged", $"{notJudged}; observed {ObservedMetrics.Describe(statistics, t.Statistic)} in {window}.");
            }
            else if (statistics.Count < _options.MinimumObservedSamples)
            {
                f.Error(statistics.IsEmpty ? "thresholds.observed_missing" : "thresholds.observed_too_few",
                    $"Observed threshold {t.Rule}, declared in {t.DeclaredIn}, needs at least {_options.MinimumObservedSamples} {t.Metric} points of version {context.Version.Version} in {window} (MinimumObservedSamples); {statistics.Count} were recorded. Serve staging or canary traffic and record it with the performance tracker.");
            }
            else
            {
                var value = ObservedMetrics.Select(statistics, t.Statistic);
                if (Meets(value, t.Operator, t.Value))
                {
                    f.Info("thresholds.observed_met", $"{item} = {CheckFindings.Format(value)} over {statistics.Count} points in {window} meets {t.Rule}.");
                }
                else
                {
                    f.Error("thresholds.observed_not_met", $"{item} = {CheckFindings.Format(value)} over {statistics.Count} points in {window} does not meet {t.Rule}, declared in {t.DeclaredIn}.");
                }
            }
        }
    }

    private List<ObservedThreshold> DeclaredObserved(ComplianceContext context, CheckFindings f)
    {
        var list = new List<ObservedThreshold>();
        foreach (var t in _options.ObservedThresholds)
        {
            if (t.Minimum is { } min)
            {
                list.Add(new ObservedThreshold(t.Metric, t.Statistic, ">=", min, "ComplianceOptions.ObservedThresholds"));
            }

            if (t.Maximum is { } max)
            {
                list.Add(new ObservedThreshold(t.Metric, t.Statistic, "<=", max, "ComplianceOptions.ObservedThresholds"));
            }
        }

        foreach (var (key, value, source) in ThresholdTags(context, ComplianceFields.ObservedThresholdPrefix))
        {
            f.Evidence(source, key, value);
            var metric = ObservedMetrics.ParseKey(key[ComplianceFields.ObservedThresholdPrefix.Length..]);
            var m = ObservedThresholdText().Match(value);
            if (metric is null || !m.Success || !double.TryParse(m.Groups[3].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                f.Error("thresholds.invalid", $"The observed threshold tag '{key}' = '{value}' ({source}) is not of the form '>=0.9' or 'p95<=250' (mean, p50, p90, p95, p99, min, max) after a metric kind or custom metric name.");
                continue;
            }

            var statistic = m.Groups[1].Success ? Enum.Parse<ObservedStatistic>(m.Groups[1].Value, ignoreCase: true) : ObservedStatistic.Mean;
            list.Add(new ObservedThreshold(metric, statistic, m.Groups[2].Value, number, $"{source} '{key}'"));
        }

        return list;
    }

    /// <summary>The tags with a prefix, model tags overridden key by key by version tags, in key order.</summary>
    private static IEnumerable<(string Key, string Value, string Source)> ThresholdTags(ComplianceContext context, string prefix)
    {
        var tags = new Dictionary<string, (string Value, string Source)>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Model.Tags.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            tags[key] = (value, "model.tags");
        }

        foreach (var (key, value) in context.Version.Tags.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            tags[key] = (value, "version.tags");
        }

        return tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value.Value, t.Value.Source));
    }
}
