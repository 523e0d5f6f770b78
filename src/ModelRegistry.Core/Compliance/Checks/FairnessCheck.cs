using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// Fairness across protected groups, from per-group selection rates in the evaluation results
/// (<c>selection_rate[attribute=group]</c>): the disparate-impact ratio (lowest ÷ highest rate, four-fifths rule) must be
/// at least <see cref="ComplianceOptions.MinimumDisparateImpactRatio"/>, and the demographic-parity difference
/// (highest − lowest) at most <see cref="ComplianceOptions.MaximumDemographicParityDifference"/>. Every evaluation result
/// that carries selection rates must meet both. No per-group results at all fails at High risk and warns otherwise.
/// </summary>
internal sealed class FairnessCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private const double Tolerance = 1e-9;
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.Fairness;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.LimitedAndAbove;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var comparisons = GroupAnalysis.Compare(await context.GetEvaluationsAsync(cancellationToken), GroupAnalysis.FairnessMetrics);
        if (comparisons.Count == 0)
        {
            f.Evidence("evaluations", "selection_rate[attribute=group]", null);
            f.Add(
                CheckScope.AtLeastHigh(context.Model.RiskTier) ? FindingSeverity.Error : FindingSeverity.Warning,
                "fairness.no_group_results",
                $"No per-group selection rates are on record for version {context.Version.Version}; record an evaluation with metrics named like {GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "female")} (GroupMetrics.Name) for every protected group."
                + (context.Lineage is null ? " No lineage tracker is registered, so evaluation nodes could not be read." : string.Empty));
            return f.Build();
        }

        foreach (var c in comparisons)
        {
            foreach (var (group, value) in c.Groups)
            {
                f.Evidence(c.Source, GroupMetrics.Name(c.Metric, c.Attribute, group), value);
            }

            var where = $"'{c.Attribute}' in {c.Source}";
            if (c.Groups.Count < 2)
            {
                f.Warning("fairness.single_group", $"Only one group is evaluated for {where}; add the other groups to compare them.");
                continue;
            }

            if (c.Groups.Values.Any(v => v is < 0 or > 1))
            {
                f.Error("fairness.not_a_rate", $"The selection rates for {where} are not all fractions in [0, 1] ({GroupAnalysis.Describe(c.Groups)}).");
                continue;
            }

            if (c.Ratio is not { } ratio)
            {
                f.Warning("fairness.no_positive_outcomes", $"No group receives the positive outcome for {where}; the disparate-impact ratio is undefined.");
            }
            else if (ratio < _options.MinimumDisparateImpactRatio - Tolerance)
            {
                f.Error("fairness.disparate_impact", $"The disparate-impact ratio for {where} is {CheckFindings.Format(ratio)} ({GroupAnalysis.Describe(c.Groups)}), below the minimum of {CheckFindings.Format(_options.MinimumDisparateImpactRatio)} (four-fifths rule).");
            }
            else
            {
                f.Info("fairness.disparate_impact_ok", $"The disparate-impact ratio for {where} is {CheckFindings.Format(ratio)}.");
            }

            if (c.Difference > _options.MaximumDemographicParityDifference + Tolerance)
            {
                f.Error("fairness.demographic_parity", $"The demographic-parity difference for {where} is {CheckFindings.Format(c.Difference)} ({GroupAnalysis.Describe(c.Groups)}), above the bound of {CheckFindings.Format(_options.MaximumDemographicParityDifference)}.");
            }
        }

        return f.Build();
    }
}
