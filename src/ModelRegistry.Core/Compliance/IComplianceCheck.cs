using System.Text.Json.Serialization;
using ModelRegistry.Audit;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance;

/// <summary>
/// A pluggable compliance rule (GDPR, EU AI Act, fairness, security, ...). Checks are registered in dependency injection
/// with <c>builder.AddComplianceCheck&lt;T&gt;()</c>; every approval request runs the checks that apply to the model's
/// risk tier and the target stage and stores their results with the request.
/// </summary>
/// <remarks>
/// A check reads real registry, lineage and performance data through the <see cref="ComplianceContext"/>. When the data
/// it needs is missing (no lineage tracker, no evaluation on record), it reports that as a finding: a check never
/// passes silently. A check that throws is recorded as <see cref="ComplianceOutcome.Fail"/>.
/// </remarks>
public interface IComplianceCheck
{
    /// <summary>A short, stable name (<c>gdpr</c>, <c>eu-ai-act</c>); waivers refer to it.</summary>
    string Name { get; }

    /// <summary>The version of the rule set, recorded with every result (<c>1.0</c>).</summary>
    string Version { get; }

    /// <summary>The risk tiers the check applies to; for other tiers the result is <see cref="ComplianceOutcome.NotApplicable"/>.</summary>
    IReadOnlyCollection<RiskTier> RiskTiers { get; }

    /// <summary>The target stages the check applies to; for other stages the result is <see cref="ComplianceOutcome.NotApplicable"/>.</summary>
    IReadOnlyCollection<ModelStage> TargetStages { get; }

    /// <summary>Evaluates the rule against one version on its way to a stage.</summary>
    /// <param name="context">The model, version, target stage and the data sources.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome with its findings and the evidence looked at.</returns>
    ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken);
}

/// <summary>The outcome of a compliance check, from best to worst.</summary>
public enum ComplianceOutcome
{
    /// <summary>The check does not apply to this risk tier or target stage.</summary>
    NotApplicable = 0,

    /// <summary>The rule is met, with evidence.</summary>
    Pass = 1,

    /// <summary>The rule is met, but something needs attention (missing data that is not required, a near miss).</summary>
    Warn = 2,

    /// <summary>The rule is not met; an approval is blocked unless the check is explicitly waived.</summary>
    Fail = 3,
}

/// <summary>How serious a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>For information; does not change a passing outcome.</summary>
    Info = 0,

    /// <summary>Needs attention; makes the outcome at least <see cref="ComplianceOutcome.Warn"/>.</summary>
    Warning = 1,

    /// <summary>The rule is not met; makes the outcome <see cref="ComplianceOutcome.Fail"/>.</summary>
    Error = 2,
}

/// <summary>One thing a check found.</summary>
/// <param name="Severity">How serious it is.</param>
/// <param name="Code">A stable, machine-readable code (<c>gdpr.lawful_basis_missing</c>).</param>
/// <param name="Message">A sentence that says what is wrong and what to do.</param>
public sealed record ComplianceFinding(FindingSeverity Severity, string Code, string Message);

/// <summary>One piece of data a check looked at.</summary>
/// <param name="Source">Where it came from (<c>version.tags</c>, <c>lineage:dataset:customers</c>, <c>evaluation:fairness-q1</c>).</param>
/// <param name="Item">What it is (<c>compliance.lawful_basis</c>, <c>selection_rate[gender=female]</c>).</param>
/// <param name="Value">Its value as text, or <see langword="null"/> when it was absent.</param>
public sealed record ComplianceEvidence(string Source, string Item, string? Value);

/// <summary>What a check returns: an outcome, findings and evidence.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Findings">What was found.</param>
/// <param name="Evidence">What was looked at.</param>
public sealed record ComplianceEvaluation(ComplianceOutcome Outcome, IReadOnlyList<ComplianceFinding> Findings, IReadOnlyList<ComplianceEvidence> Evidence)
{
    /// <summary>
    /// Derives the outcome from the findings: any <see cref="FindingSeverity.Error"/> fails, any
    /// <see cref="FindingSeverity.Warning"/> warns, otherwise the check passes.
    /// </summary>
    /// <param name="findings">The findings.</param>
    /// <param name="evidence">The evidence looked at.</param>
    /// <returns>The evaluation.</returns>
    public static ComplianceEvaluation FromFindings(IReadOnlyList<ComplianceFinding> findings, IReadOnlyList<ComplianceEvidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(evidence);
        var outcome = findings.Any(f => f.Severity == FindingSeverity.Error) ? ComplianceOutcome.Fail
            : findings.Any(f => f.Severity == FindingSeverity.Warning) ? ComplianceOutcome.Warn
            : ComplianceOutcome.Pass;
        return new ComplianceEvaluation(outcome, findings, evidence);
    }

    /// <summary>The check does not apply.</summary>
    /// <param name="reason">Why not.</param>
    /// <returns>The evaluation.</returns>
    public static ComplianceEvaluation NotApplicable(string reason)
        => new(ComplianceOutcome.NotApplicable, [new ComplianceFinding(FindingSeverity.Info, "not_applicable", reason)], []);
}

/// <summary>The recorded result of one check.</summary>
/// <param name="CheckName">The check's name.</param>
/// <param name="CheckVersion">The check's version.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Findings">What was found.</param>
/// <param name="Evidence">What was looked at.</param>
/// <param name="EvaluatedAt">When.</param>
public sealed record ComplianceCheckResult(
    string CheckName,
    string CheckVersion,
    ComplianceOutcome Outcome,
    IReadOnlyList<ComplianceFinding> Findings,
    IReadOnlyList<ComplianceEvidence> Evidence,
    DateTimeOffset EvaluatedAt);

/// <summary>The results of every registered check for one version and target stage.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="TargetStage">The stage the version is on its way to.</param>
/// <param name="RiskTier">The model's risk tier when evaluated.</param>
/// <param name="EvaluatedAt">When.</param>
/// <param name="Results">One result per registered check, in registration order.</param>
public sealed record ComplianceReport(
    string ModelName,
    SemanticVersion Version,
    ModelStage TargetStage,
    RiskTier RiskTier,
    DateTimeOffset EvaluatedAt,
    IReadOnlyList<ComplianceCheckResult> Results)
{
    /// <summary>The worst outcome of all results (<see cref="ComplianceOutcome.NotApplicable"/> when there are none).</summary>
    [JsonIgnore]
    public ComplianceOutcome Outcome => Results.Count == 0 ? ComplianceOutcome.NotApplicable : Results.Max(r => r.Outcome);

    /// <summary>The names of the checks that failed.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> FailedChecks => [.. Results.Where(r => r.Outcome == ComplianceOutcome.Fail).Select(r => r.CheckName)];
}

/// <summary>One set of evaluation results a check can read: the version's own metrics, or a lineage evaluation node.</summary>
/// <param name="Source"><c>version</c> for the metrics recorded with the version, otherwise the evaluation node's id.</param>
/// <param name="Suite">The evaluation suite (<c>fairness-v2</c>), when known.</param>
/// <param name="Metrics">Metric name → value. Per-group metrics are named as <see cref="GroupMetrics"/> describes.</param>
/// <param name="RecordedAt">When the results were recorded.</param>
public sealed record EvaluationResult(string Source, string? Suite, IReadOnlyDictionary<string, double> Metrics, DateTimeOffset RecordedAt);

/// <summary>
/// What a <see cref="IComplianceCheck"/> evaluates: the model, the version, the target stage, and access to the data
/// sources. Data is read lazily and cached for the duration of one evaluation, so several checks share one read.
/// </summary>
public sealed class ComplianceContext
{
    private Task<ProvenanceReport?>? _provenance;
    private Task<IReadOnlyList<EvaluationResult>>? _evaluations;
    private readonly List<GroupComparison> _observedGroupComparisons = [];

    /// <summary>Creates a context; the compliance manager does this for every evaluation, tests of a host's own checks may too.</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="targetStage">The stage the version is on its way to.</param>
    /// <param name="actor">Who asked for the evaluation.</param>
    /// <param name="evaluatedAt">When.</param>
    /// <param name="auditTrail">The audit trail, when available.</param>
    /// <param name="lineage">The lineage tracker, when registered.</param>
    /// <param name="performance">The performance tracker, when registered.</param>
    public ComplianceContext(
        RegisteredModel model,
        ModelVersion version,
        ModelStage targetStage,
        string actor,
        DateTimeOffset evaluatedAt,
        IAuditTrail? auditTrail = null,
        ILineageTracker? lineage = null,
        IPerformanceTracker? performance = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Version = version ?? throw new ArgumentNullException(nameof(version));
        TargetStage = targetStage;
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        EvaluatedAt = evaluatedAt;
        AuditTrail = auditTrail;
        Lineage = lineage;
        Performance = performance;
    }

    /// <summary>The model.</summary>
    public RegisteredModel Model { get; }

    /// <summary>The version.</summary>
    public ModelVersion Version { get; }

    /// <summary>The stage the version is on its way to.</summary>
    public ModelStage TargetStage { get; }

    /// <summary>Who asked for the evaluation.</summary>
    public string Actor { get; }

    /// <summary>When the evaluation runs.</summary>
    public DateTimeOffset EvaluatedAt { get; }

    /// <summary>The audit trail, or <see langword="null"/> when not available.</summary>
    public IAuditTrail? AuditTrail { get; }

    /// <summary>The lineage tracker, or <see langword="null"/> when none is registered.</summary>
    public ILineageTracker? Lineage { get; }

    /// <summary>The performance tracker, or <see langword="null"/> when none is registered.</summary>
    public IPerformanceTracker? Performance { get; }

    /// <summary>
    /// A compliance field (see <see cref="ComplianceFields"/>): the version's tag when set, otherwise the model's tag;
    /// <see langword="null"/> when neither is set or the value is blank.
    /// </summary>
    /// <param name="key">The tag key.</param>
    /// <returns>The trimmed value, or <see langword="null"/>.</returns>
    public string? GetField(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Version.Tags.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v))
        {
            return v.Trim();
        }

        return Model.Tags.TryGetValue(key, out var m) && !string.IsNullOrWhiteSpace(m) ? m.Trim() : null;
    }

    /// <summary>Where a field was found: <c>version.tags</c>, <c>model.tags</c>, or <see langword="null"/>.</summary>
    /// <param name="key">The tag key.</param>
    /// <returns>The source.</returns>
    public string? GetFieldSource(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Version.Tags.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? "version.tags"
            : Model.Tags.TryGetValue(key, out var m) && !string.IsNullOrWhiteSpace(m) ? "model.tags"
            : null;
    }

    /// <summary>
    /// The datasets upstream of the version (lineage provenance). <see langword="null"/> when no lineage tracker is
    /// registered (see <see cref="Lineage"/>) or the version has no lineage node yet.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The provenance, or <see langword="null"/>.</returns>
    public Task<ProvenanceReport?> GetProvenanceAsync(CancellationToken cancellationToken)
        => _provenance ??= LoadProvenanceAsync(cancellationToken);

    /// <summary>
    /// Every evaluation result on record for the version: the metrics recorded with the version (source <c>version</c>),
    /// then each lineage evaluation node that evaluates it (<c>evaluation -EvaluatedOn-&gt; version</c>), oldest first.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results (empty when there are none).</returns>
    public Task<IReadOnlyList<EvaluationResult>> GetEvaluationsAsync(CancellationToken cancellationToken)
        => _evaluations ??= LoadEvaluationsAsync(cancellationToken);

    /// <summary>
    /// The observed per-group comparisons the built-in fairness and bias checks built in this evaluation, in the order
    /// they were added; the model card shows them next to the evaluated ones.
    /// </summary>
    internal IReadOnlyList<GroupComparison> ObservedGroupComparisons
    {
        get
        {
            lock (_observedGroupComparisons)
            {
                return [.. _observedGroupComparisons];
            }
        }
    }

    /// <summary>Called by a check that finished comparing observed per-group results (see <see cref="ObservedGroupComparisons"/>).</summary>
    internal void AddObservedGroupComparisons(IEnumerable<GroupComparison> comparisons)
    {
        lock (_observedGroupComparisons)
        {
            _observedGroupComparisons.AddRange(comparisons);
        }
    }

    private async Task<ProvenanceReport?> LoadProvenanceAsync(CancellationToken cancellationToken)
    {
        if (Lineage is null)
        {
            return null;
        }

        try
        {
            return await Lineage.GetProvenanceAsync(LineageNodeIds.Version(Version.ModelName, Version.Version), null, cancellationToken);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<EvaluationResult>> LoadEvaluationsAsync(CancellationToken cancellationToken)
    {
        var results = new List<EvaluationResult>();
        if (Version.Metrics.Count > 0)
        {
            results.Add(new EvaluationResult("version", null, Version.Metrics, Version.CreatedAt));
        }

        if (Lineage is null)
        {
            return results;
        }

        LineageGraph graph;
        try
        {
            graph = await Lineage.GetDownstreamAsync(
                LineageNodeIds.Version(Version.ModelName, Version.Version),
                new LineageQuery { MaxDepth = 1, EdgeKinds = [LineageEdgeKind.EvaluatedOn], NodeKinds = [LineageNodeKind.Evaluation] },
                cancellationToken);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return results;
        }

        results.AddRange(graph.Nodes
            .Where(n => n.Depth == 1 && n.Node.Kind == LineageNodeKind.Evaluation && n.Node.Details is EvaluationDetails)
            .Select(n => (Node: n.Node, Details: (EvaluationDetails)n.Node.Details!))
            .OrderBy(n => n.Node.CreatedAt).ThenBy(n => n.Node.Id, StringComparer.Ordinal)
            .Select(n => new EvaluationResult(n.Node.Id, n.Details.Suite, n.Details.Metrics, n.Node.CreatedAt)));
        return results;
    }
}
