using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// Bias in errors (equalised-odds style): for every per-group true-positive rate, false-positive rate and error rate in
/// the evaluation results (<c>tpr[attribute=group]</c>, <c>fpr[...]</c>, <c>error_rate[...]</c>), the gap between the
/// highest and lowest group must be at most <see cref="ComplianceOptions.MaximumErrorRateGap"/>. No per-group error
/// results fails at High risk and warns otherwise.
/// </summary>
internal sealed class BiasCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private const double Tolerance = 1e-9;
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.Bias;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.LimitedAndAbove;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var comparisons = GroupAnalysis.Compare(await context.GetEvaluationsAsync(cancellationToken), GroupAnalysis.BiasMetrics);
        if (comparisons.Count == 0)
        {
            f.Evidence("evaluations", "tpr|fpr|error_rate[attribute=group]", null);
            f.Add(
                CheckScope.AtLeastHigh(context.Model.RiskTier) ? FindingSeverity.Error : FindingSeverity.Warning,
                "bias.no_group_results",
                $"No per-group error rates are on record for version {context.Version.Version}; record an evaluation with metrics named like {GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "female")} for every protected group."
                + (context.Lineage is null ? " No lineage tracker is registered, so evaluation nodes could not be read." : string.Empty));
            return f.Build();
        }

        foreach (var c in comparisons)
        {
            foreach (var (group, value) in c.Groups)
            {
                f.Evidence(c.Source, GroupMetrics.Name(c.Metric, c.Attribute, group), value);
            }

            var where = $"{c.Metric} by '{c.Attribute}' in {c.Source}";
            if (c.Groups.Count < 2)
            {
                f.Warning("bias.single_group", $"Only one group is evaluated for {where}; add the other groups to compare them.");
            }
            else if (c.Groups.Values.Any(v => v is < 0 or > 1))
            {
                f.Error("bias.not_a_rate", $"The values for {where} are not all fractions in [0, 1] ({GroupAnalysis.Describe(c.Groups)}).");
            }
            else if (c.Difference > _options.MaximumErrorRateGap + Tolerance)
            {
                f.Error("bias.error_rate_gap", $"The gap in {where} is {CheckFindings.Format(c.Difference)} ({GroupAnalysis.Describe(c.Groups)}), above the bound of {CheckFindings.Format(_options.MaximumErrorRateGap)}.");
            }
            else
            {
                f.Info("bias.gap_ok", $"The gap in {where} is {CheckFindings.Format(c.Difference)}.");
            }
        }

        return f.Build();
    }
}
