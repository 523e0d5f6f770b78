using System.Collections.ObjectModel;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance;

/// <summary>
/// Options of the compliance services, validated when they are first resolved (the message names the option).
/// Configure them with <c>builder.ConfigureCompliance(o =&gt; ...)</c>.
/// </summary>
public sealed class ComplianceOptions
{
    /// <summary>
    /// Whether moving a version to <see cref="ModelStage.Production"/> requires an approved, unexpired approval request
    /// for that version and stage (default <see langword="true"/>). Turn it off only where the registry is used without
    /// governance (scratch environments, tests of other features).
    /// </summary>
    public bool RequireApprovalForProduction { get; set; } = true;

    /// <summary>Whether moving a version of a High-risk model to <see cref="ModelStage.Canary"/> requires an approval (default <see langword="true"/>).</summary>
    public bool RequireApprovalForHighRiskCanary { get; set; } = true;

    /// <summary>How long an approval request stays valid after it was made, pending or approved (default 30 days; 1 minute to 365 days).</summary>
    public TimeSpan ApprovalValidity { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How many distinct reviewers must approve, per risk tier (defaults: Minimal 1, Limited 1, High 2, Unacceptable 2;
    /// each 1–10). A tier missing from the map uses its default.
    /// </summary>
    public IReadOnlyDictionary<RiskTier, int> RequiredApprovals { get; set; } = DefaultRequiredApprovals;

    /// <summary>The roles of actors not listed in <see cref="Roles"/>, used by the default role provider (default Contributor, Reviewer and Approver).</summary>
    /// <remarks>
    /// Separation of duties holds whatever the roles: nobody reviews their own request, and at High risk no owner of
    /// the model approves. Set <see cref="ComplianceRoles.Viewer"/> here to require explicit grants in <see cref="Roles"/>.
    /// </remarks>
    public ComplianceRoles DefaultRoles { get; set; } = ComplianceRoles.Contributor | ComplianceRoles.Reviewer | ComplianceRoles.Approver;

    /// <summary>Roles of named actors (ordinal match), used by the default role provider. Hosts with an identity system replace <see cref="IComplianceRoleProvider"/> instead.</summary>
    public IReadOnlyDictionary<string, ComplianceRoles> Roles { get; set; } = new Dictionary<string, ComplianceRoles>(StringComparer.Ordinal);

    /// <summary>Checks (by name) that are not run; see <see cref="BuiltInChecks"/>.</summary>
    public IReadOnlyCollection<string> DisabledChecks { get; set; } = [];

    /// <summary>The smallest accepted disparate-impact ratio, lowest ÷ highest selection rate (default 0.8, the four-fifths rule).</summary>
    public double MinimumDisparateImpactRatio { get; set; } = 0.8;

    /// <summary>The largest accepted demographic-parity difference, highest − lowest selection rate (default 0.1).</summary>
    public double MaximumDemographicParityDifference { get; set; } = 0.1;

    /// <summary>The largest accepted gap between groups in true-positive, false-positive or error rate, or accuracy (default 0.1).</summary>
    public double MaximumErrorRateGap { get; set; } = 0.1;

    /// <summary>
    /// From which risk tier up a version without any per-group results fails the fairness and bias checks (default
    /// <see cref="RiskTier.High"/>); below it the missing results are a warning.
    /// </summary>
    public RiskTier GroupResultsRequiredFrom { get; set; } = RiskTier.High;

    /// <summary>
    /// How far back the checks read observed metrics from the performance tracker: the window is
    /// (evaluation time − this, evaluation time] (default 7 days; 1 minute to 3,660 days). Per-group reads filter by
    /// dimension, which only raw points carry, so keep it within <c>PerformanceOptions.RawRetentionDays</c>.
    /// </summary>
    public TimeSpan ObservedMetricsWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The fewest observed points that count as evidence, per protected group (fairness, bias) and per observed
    /// threshold (default 30; 1 to 1,000,000). A group with fewer points is reported and left out of the comparison; an
    /// observed threshold with fewer points fails.
    /// </summary>
    public int MinimumObservedSamples { get; set; } = 30;

    /// <summary>
    /// The target stages at which observed metrics are required evidence (default <see cref="ModelStage.Production"/>:
    /// by then the version has served staging or canary traffic). There, observed thresholds are judged (missing data
    /// fails) and per-group observations missing for the fairness and bias checks are a warning; at other stages both are
    /// reported for information only.
    /// </summary>
    public IReadOnlyCollection<ModelStage> ObservedMetricsRequiredFor { get; set; } = [ModelStage.Production];

    /// <summary>
    /// Thresholds on observed metrics (the performance tracker's statistics over <see cref="ObservedMetricsWindow"/>) every
    /// version must meet, in addition to those declared in <see cref="ComplianceFields.ObservedThresholdPrefix"/> tags.
    /// </summary>
    public IReadOnlyList<ObservedMetricThreshold> ObservedThresholds { get; set; } = [];

    /// <summary>
    /// Replaces the risk tiers and target stages a check declares, by check name (built-in or the host's own). Checks
    /// not listed keep their own scope; the built-in defaults are in <see cref="BuiltInChecks"/>.
    /// </summary>
    public IReadOnlyDictionary<string, ComplianceCheckScope> CheckScopes { get; set; } = new Dictionary<string, ComplianceCheckScope>(StringComparer.Ordinal);

    /// <summary>
    /// Licences (SPDX identifiers, compared ignoring case) artifacts may carry; <see langword="null"/> (the default)
    /// means no allow-list, and an artifact without a licence is only a warning.
    /// </summary>
    public IReadOnlyCollection<string>? AllowedLicenses { get; set; }

    /// <summary>Thresholds every version must meet, in addition to those declared in <see cref="ComplianceFields.ThresholdPrefix"/> tags.</summary>
    public IReadOnlyList<EvaluationThreshold> EvaluationThresholds { get; set; } = [];

    /// <summary>The fields (tag keys) the documentation check requires (default intended use and limitations).</summary>
    public IReadOnlyList<string> RequiredDocumentationFields { get; set; } = [ComplianceFields.IntendedUse, ComplianceFields.Limitations];

    /// <summary>
    /// The HMAC-SHA256 key that signs audit checkpoints (at least 32 bytes). Without a key no checkpoint can be made,
    /// and verification can detect edited, deleted and reordered records but not a truncated or fully rewritten trail.
    /// Keep the key outside the store (a secret store, an environment variable).
    /// </summary>
    public byte[]? CheckpointSigningKey { get; set; }

    /// <summary>The identifier recorded with checkpoints signed by <see cref="CheckpointSigningKey"/> (default <c>default</c>).</summary>
    public string CheckpointKeyId { get; set; } = "default";

    /// <summary>Retired signing keys by key id, so checkpoints signed before a key rotation still verify.</summary>
    public IReadOnlyDictionary<string, byte[]> PreviousCheckpointKeys { get; set; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    /// <summary>
    /// Write a signed checkpoint automatically once this many audit records have been added since the last one
    /// (default 1,000; 0 turns automatic checkpoints off). Needs <see cref="CheckpointSigningKey"/>.
    /// </summary>
    public int CheckpointEvery { get; set; } = 1_000;

    /// <summary>The window of the performance summary in model cards and evidence bundles (default 30 days).</summary>
    public TimeSpan PerformanceSummaryWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The default quorum: Minimal 1, Limited 1, High 2, Unacceptable 2.</summary>
    public static IReadOnlyDictionary<RiskTier, int> DefaultRequiredApprovals { get; } = new ReadOnlyDictionary<RiskTier, int>(new Dictionary<RiskTier, int>
    {
        [RiskTier.Minimal] = 1,
        [RiskTier.Limited] = 1,
        [RiskTier.High] = 2,
        [RiskTier.Unacceptable] = 2,
    });

    internal int QuorumFor(RiskTier tier)
        => RequiredApprovals.TryGetValue(tier, out var n) ? n : DefaultRequiredApprovals.GetValueOrDefault(tier, 2);
}

/// <summary>A threshold an evaluation metric must meet.</summary>
/// <param name="Metric">The metric name as recorded in evaluation results (<c>accuracy</c>, <c>toxicity_rate</c>).</param>
/// <param name="Minimum">The smallest accepted value (inclusive), if any.</param>
/// <param name="Maximum">The largest accepted value (inclusive), if any.</param>
/// <param name="Suite">Only results of this evaluation suite count, or any suite when <see langword="null"/>.</param>
public sealed record EvaluationThreshold(string Metric, double? Minimum = null, double? Maximum = null, string? Suite = null);

/// <summary>Which statistic of an observed metric a threshold applies to.</summary>
public enum ObservedStatistic
{
    /// <summary>The mean of the points (for 0/1 outcome points, the rate).</summary>
    Mean = 0,

    /// <summary>The median (nearest rank).</summary>
    P50 = 1,

    /// <summary>The 90th percentile (nearest rank).</summary>
    P90 = 2,

    /// <summary>The 95th percentile (nearest rank).</summary>
    P95 = 3,

    /// <summary>The 99th percentile (nearest rank).</summary>
    P99 = 4,

    /// <summary>The smallest point.</summary>
    Min = 5,

    /// <summary>The largest point.</summary>
    Max = 6,
}

/// <summary>A threshold an observed metric of the version must meet over <see cref="ComplianceOptions.ObservedMetricsWindow"/>.</summary>
/// <param name="Metric">The metric as recorded with the performance tracker (<c>MetricKey.Latency</c>, <c>MetricKey.Custom("toxicity_rate")</c>).</param>
/// <param name="Minimum">The smallest accepted value (inclusive), if any.</param>
/// <param name="Maximum">The largest accepted value (inclusive), if any.</param>
/// <param name="Statistic">The statistic compared (default the mean).</param>
public sealed record ObservedMetricThreshold(MetricKey Metric, double? Minimum = null, double? Maximum = null, ObservedStatistic Statistic = ObservedStatistic.Mean);

/// <summary>The risk tiers and target stages a check applies to (see <see cref="ComplianceOptions.CheckScopes"/>).</summary>
/// <param name="RiskTiers">The tiers; for others the check's result is <see cref="ComplianceOutcome.NotApplicable"/>.</param>
/// <param name="TargetStages">The target stages; for others the check's result is <see cref="ComplianceOutcome.NotApplicable"/>.</param>
public sealed record ComplianceCheckScope(IReadOnlyCollection<RiskTier> RiskTiers, IReadOnlyCollection<ModelStage> TargetStages);

/// <summary>
/// What an actor may do in compliance workflows. Roles combine; <see cref="Approver"/> includes <see cref="Reviewer"/>,
/// <see cref="Reviewer"/> and <see cref="Contributor"/> include <see cref="Viewer"/>, and <see cref="Admin"/> includes everything.
/// </summary>
[Flags]
public enum ComplianceRoles
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Reads checks, approvals, the audit trail, model cards and evidence bundles.</summary>
    Viewer = 1,

    /// <summary>Requests approvals and withdraws their own requests; creates audit checkpoints.</summary>
    Contributor = 2,

    /// <summary>Rejects requests or requests changes.</summary>
    Reviewer = 4,

    /// <summary>Approves requests (counts towards the quorum).</summary>
    Approver = 8,

    /// <summary>The waiver permission: records an explicit waiver, with a reason, for a failing check while approving.</summary>
    Waiver = 16,

    /// <summary>Everything, including withdrawing other people's requests.</summary>
    Admin = 32,
}

/// <summary>
/// Maps the current actor onto <see cref="ComplianceRoles"/>. The default provider reads <see cref="ComplianceOptions.Roles"/>
/// and <see cref="ComplianceOptions.DefaultRoles"/>; hosts map their own identity system (claims, groups) by registering
/// another implementation with <c>builder.UseComplianceRoles&lt;T&gt;()</c>.
/// </summary>
public interface IComplianceRoleProvider
{
    /// <summary>The roles of an actor, optionally for one model (a host may grant reviewers per model).</summary>
    /// <param name="actor">The actor, as returned by <see cref="IActorAccessor"/>.</param>
    /// <param name="modelName">The model the action concerns, or <see langword="null"/> for registry-wide actions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The roles.</returns>
    ValueTask<ComplianceRoles> GetRolesAsync(string actor, string? modelName, CancellationToken cancellationToken);
}
