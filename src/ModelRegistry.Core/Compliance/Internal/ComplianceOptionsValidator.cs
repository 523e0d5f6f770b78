using Microsoft.Extensions.Options;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Internal;

/// <summary>Checks <see cref="ComplianceOptions"/> once; messages name the option and the bad value.</summary>
internal sealed class ComplianceOptionsValidator : IValidateOptions<ComplianceOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceOptions options)
    {
        var failures = new List<string>();
        if (options.ApprovalValidity < TimeSpan.FromMinutes(1) || options.ApprovalValidity > TimeSpan.FromDays(365))
        {
            failures.Add($"ComplianceOptions.ApprovalValidity is {options.ApprovalValidity}; it must be between 1 minute and 365 days.");
        }

        if (options.RequiredApprovals is null)
        {
            failures.Add("ComplianceOptions.RequiredApprovals must not be null.");
        }
        else
        {
            foreach (var (tier, count) in options.RequiredApprovals)
            {
                if (!Enum.IsDefined(tier) || count is < 1 or > 10)
                {
                    failures.Add($"ComplianceOptions.RequiredApprovals[{tier}] is {count}; every tier needs 1 to 10 distinct approvers.");
                }
            }

            if (options.RequiredApprovals.TryGetValue(RiskTier.High, out var high) && options.RequiredApprovals.TryGetValue(RiskTier.Minimal, out var minimal) && high < minimal)
            {
                failures.Add($"ComplianceOptions.RequiredApprovals[High] is {high}, fewer than Minimal's {minimal}; higher risk cannot need fewer approvers.");
            }
        }

        if ((options.DefaultRoles & ~Internal.RoleRules.All) != 0)
        {
            failures.Add($"ComplianceOptions.DefaultRoles has the undefined value {options.DefaultRoles}.");
        }

        if (options.Roles is null || options.Roles.Any(r => string.IsNullOrWhiteSpace(r.Key) || (r.Value & ~Internal.RoleRules.All) != 0))
        {
            failures.Add("ComplianceOptions.Roles must map non-empty actor names to defined roles.");
        }

        if (options.DisabledChecks is null)
        {
            failures.Add("ComplianceOptions.DisabledChecks must not be null.");
        }

        Fraction(options.MinimumDisparateImpactRatio, nameof(options.MinimumDisparateImpactRatio), failures);
        Fraction(options.MaximumDemographicParityDifference, nameof(options.MaximumDemographicParityDifference), failures);
        Fraction(options.MaximumErrorRateGap, nameof(options.MaximumErrorRateGap), failures);

        if (options.EvaluationThresholds is null)
        {
            failures.Add("ComplianceOptions.EvaluationThresholds must not be null.");
        }
        else
        {
            foreach (var t in options.EvaluationThresholds)
            {
                if (t is null || string.IsNullOrWhiteSpace(t.Metric) || (t.Minimum is null && t.Maximum is null)
                    || (t.Minimum is { } min && !double.IsFinite(min)) || (t.Maximum is { } max && !double.IsFinite(max))
                    || (t.Minimum > t.Maximum))
                {
                    failures.Add($"ComplianceOptions.EvaluationThresholds has an invalid entry ({t}); each needs a metric and a finite minimum and/or maximum, minimum ≤ maximum.");
                }
            }
        }

        if (!Enum.IsDefined(options.GroupResultsRequiredFrom))
        {
            failures.Add($"ComplianceOptions.GroupResultsRequiredFrom has the undefined value {options.GroupResultsRequiredFrom}.");
        }

        if (options.ObservedMetricsWindow < TimeSpan.FromMinutes(1) || options.ObservedMetricsWindow > TimeSpan.FromDays(3660))
        {
            failures.Add($"ComplianceOptions.ObservedMetricsWindow is {options.ObservedMetricsWindow}; it must be between 1 minute and 3,660 days.");
        }

        if (options.MinimumObservedSamples is < 1 or > 1_000_000)
        {
            failures.Add($"ComplianceOptions.MinimumObservedSamples is {options.MinimumObservedSamples}; it must be between 1 and 1,000,000.");
        }

        if (options.ObservedMetricsRequiredFor is null || options.ObservedMetricsRequiredFor.Any(s => !Enum.IsDefined(s)))
        {
            failures.Add("ComplianceOptions.ObservedMetricsRequiredFor must list defined stages (it may be empty).");
        }

        if (options.ObservedThresholds is null)
        {
            failures.Add("ComplianceOptions.ObservedThresholds must not be null.");
        }
        else
        {
            foreach (var t in options.ObservedThresholds)
            {
                if (t is null || t.Metric is null || !ObservedMetrics.IsValidKey(t.Metric) || !Enum.IsDefined(t.Statistic) || (t.Minimum is null && t.Maximum is null)
                    || (t.Minimum is { } min && !double.IsFinite(min)) || (t.Maximum is { } max && !double.IsFinite(max))
                    || (t.Minimum > t.Maximum))
                {
                    failures.Add($"ComplianceOptions.ObservedThresholds has an invalid entry ({t}); each needs a valid metric key, a defined statistic and a finite minimum and/or maximum, minimum ≤ maximum.");
                }
            }
        }

        if (options.CheckScopes is null)
        {
            failures.Add("ComplianceOptions.CheckScopes must not be null.");
        }
        else
        {
            foreach (var (check, scope) in options.CheckScopes)
            {
                if (string.IsNullOrWhiteSpace(check) || scope?.RiskTiers is null || scope.TargetStages is null
                    || scope.RiskTiers.Any(t => !Enum.IsDefined(t)) || scope.TargetStages.Any(s => !Enum.IsDefined(s)))
                {
                    failures.Add($"ComplianceOptions.CheckScopes['{check}'] is invalid; give a check name and defined risk tiers and target stages (turn a check off with DisabledChecks instead).");
                }
            }
        }

        if (options.RequiredDocumentationFields is null || options.RequiredDocumentationFields.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("ComplianceOptions.RequiredDocumentationFields must list non-empty tag keys.");
        }

        if (options.CheckpointSigningKey is { Length: < 32 } key)
        {
            failures.Add($"ComplianceOptions.CheckpointSigningKey is {key.Length} bytes; an HMAC-SHA256 key needs at least 32 bytes.");
        }

        if (string.IsNullOrWhiteSpace(options.CheckpointKeyId) || options.CheckpointKeyId.Length > 64)
        {
            failures.Add($"ComplianceOptions.CheckpointKeyId is '{options.CheckpointKeyId}'; it must be 1–64 characters.");
        }

        if (options.PreviousCheckpointKeys is null || options.PreviousCheckpointKeys.Any(k => k.Value is null || k.Value.Length < 32))
        {
            failures.Add("ComplianceOptions.PreviousCheckpointKeys must map key ids to keys of at least 32 bytes.");
        }

        if (options.CheckpointEvery < 0)
        {
            failures.Add($"ComplianceOptions.CheckpointEvery is {options.CheckpointEvery}; use 0 to turn automatic checkpoints off, or a positive record count.");
        }

        if (options.PerformanceSummaryWindow <= TimeSpan.Zero || options.PerformanceSummaryWindow > TimeSpan.FromDays(3660))
        {
            failures.Add($"ComplianceOptions.PerformanceSummaryWindow is {options.PerformanceSummaryWindow}; it must be positive and at most 3,660 days.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Fraction(double value, string name, List<string> failures)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            failures.Add($"ComplianceOptions.{name} is {value}; it must be a fraction between 0 and 1.");
        }
    }
}
