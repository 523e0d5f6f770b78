using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// Fairness across protected groups, from per-group selection rates — evaluated (<c>selection_rate[attribute=group]</c>)
/// and observed (the custom metric <c>selection_rate</c> with the dimension <c>attribute=group</c>): the disparate-impact
/// ratio (lowest ÷ highest rate, four-fifths rule) must be at least <see cref="ComplianceOptions.MinimumDisparateImpactRatio"/>,
/// and the demographic-parity difference (highest − lowest) at most <see cref="ComplianceOptions.MaximumDemographicParityDifference"/>.
/// Every evaluation result and the observation must meet both. Missing data: see <see cref="GroupMetricsCheck"/>.
/// </summary>
internal sealed class FairnessCheck(IOptions<ComplianceOptions> options) : GroupMetricsCheck(options.Value)
{
    public override string Name => BuiltInChecks.Fairness;

    protected override IReadOnlyList<string> Metrics => GroupAnalysis.FairnessMetrics;

    protected override string ResultsName => "selection rates";

    protected override void Judge(GroupComparison c, string where, CheckFindings f)
    {
        if (c.Ratio is not { } ratio)
        {
            f.Warning("fairness.no_positive_outcomes", $"No group receives the positive outcome for {where}; the disparate-impact ratio is undefined.");
        }
        else if (ratio < Options.MinimumDisparateImpactRatio - Tolerance)
        {
            f.Error("fairness.disparate_impact", $"The disparate-impact ratio for {where} is {CheckFindings.Format(ratio)} ({GroupAnalysis.Describe(c.Groups)}), below the minimum of {CheckFindings.Format(Options.MinimumDisparateImpactRatio)} (four-fifths rule).");
        }
        else
        {
            f.Info("fairness.disparate_impact_ok", $"The disparate-impact ratio for {where} is {CheckFindings.Format(ratio)}.");
        }

        if (c.Difference > Options.MaximumDemographicParityDifference + Tolerance)
        {
            f.Error("fairness.demographic_parity", $"The demographic-parity difference for {where} is {CheckFindings.Format(c.Difference)} ({GroupAnalysis.Describe(c.Groups)}), above the bound of {CheckFindings.Format(Options.MaximumDemographicParityDifference)}.");
        }
    }
}
