using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// The version's evaluation results meet their declared thresholds: those in
/// <see cref="ComplianceOptions.EvaluationThresholds"/> and those in <c>compliance.threshold.&lt;metric&gt;</c> tags
/// (model tags, overridden per metric by version tags). Each threshold is checked against the most recent result that
/// holds the metric (and suite, when given); a threshold without a result fails; no thresholds at all is a warning.
/// </summary>
internal sealed partial class EvaluationThresholdsCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.EvaluationThresholds;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    [GeneratedRegex(@"^\s*(>=|<=|>|<)\s*([-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)\s*$")]
    private static partial Regex ThresholdText();

    private sealed record Threshold(string Metric, string Operator, double Value, string? Suite, string DeclaredIn);

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var thresholds = Declared(context, f);
        if (thresholds.Count == 0 && !f.HasErrors)
        {
            f.Evidence("thresholds", "declared", "none");
            f.Warning("thresholds.none_declared", $"No evaluation thresholds are declared for '{context.Model.Name}'; declare them with '{ComplianceFields.ThresholdPrefix}<metric>' tags (>=0.9) or ComplianceOptions.EvaluationThresholds so results are judged.");
            return f.Build();
        }

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
            var met = t.Operator switch
            {
                ">=" => value >= t.Value,
                ">" => value > t.Value,
                "<=" => value <= t.Value,
                _ => value < t.Value,
            };
            if (met)
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
        var tags = new Dictionary<string, (string Value, string Source)>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Model.Tags.Where(t => t.Key.StartsWith(ComplianceFields.ThresholdPrefix, StringComparison.Ordinal)))
        {
            tags[key] = (value, "model.tags");
        }

        foreach (var (key, value) in context.Version.Tags.Where(t => t.Key.StartsWith(ComplianceFields.ThresholdPrefix, StringComparison.Ordinal)))
        {
            tags[key] = (value, "version.tags");
        }

        foreach (var (key, (value, source)) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
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
}
