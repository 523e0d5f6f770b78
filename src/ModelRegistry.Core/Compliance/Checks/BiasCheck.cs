using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// Bias in errors (equalised-odds style): for every per-group true-positive rate, false-positive rate, error rate and
/// accuracy — evaluated (<c>tpr[attribute=group]</c>, ...) and observed (custom metrics <c>tpr</c>, <c>fpr</c>,
/// <c>error_rate</c> and the Accuracy kind, with the dimension <c>attribute=group</c>) — the gap between the highest and
/// lowest group must be at most <see cref="ComplianceOptions.MaximumErrorRateGap"/>. Missing data: see <see cref="GroupMetricsCheck"/>.
/// </summary>
internal sealed class BiasCheck(IOptions<ComplianceOptions> options) : GroupMetricsCheck(options.Value)
{
    public override string Name => BuiltInChecks.Bias;

    protected override IReadOnlyList<string> Metrics => GroupAnalysis.BiasMetrics;

    protected override string ResultsName => "error rates or accuracy";

    protected override void Judge(GroupComparison c, string where, CheckFindings f)
    {
        if (c.Difference > Options.MaximumErrorRateGap + Tolerance)
        {
            f.Error("bias.error_rate_gap", $"The gap in {where} is {CheckFindings.Format(c.Difference)} ({GroupAnalysis.Describe(c.Groups)}), above the bound of {CheckFindings.Format(Options.MaximumErrorRateGap)}.");
        }
        else
        {
            f.Info("bias.gap_ok", $"The gap in {where} is {CheckFindings.Format(c.Difference)}.");
        }
    }
}
