using System.Text.Json;
using System.Text.Json.Serialization;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance;

/// <summary>
/// A model card for one version, assembled from registry, lineage, performance, compliance and audit data; render it with
/// <see cref="ToMarkdown"/> or <see cref="ToJson"/>. Data a source could not supply is listed in <see cref="Notes"/>
/// rather than left out silently.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The model.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version.</summary>
    public required SemanticVersion Version { get; init; }

    /// <summary>What the model does.</summary>
    public string? Description { get; init; }

    /// <summary>What changed in this version.</summary>
    public string? VersionDescription { get; init; }

    /// <summary>The risk tier.</summary>
    public RiskTier RiskTier { get; init; }

    /// <summary>The accountable owners.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    /// <summary>The version's current stage.</summary>
    public ModelStage Stage { get; init; }

    /// <summary>The task.</summary>
    public string? Task { get; init; }

    /// <summary>The framework.</summary>
    public string? Framework { get; init; }

    /// <summary>The source commit.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>The content hash of the version's definition.</summary>
    public required string ContentHash { get; init; }

    /// <summary>Intended use (<see cref="ComplianceFields.IntendedUse"/>).</summary>
    public string? IntendedUse { get; init; }

    /// <summary>Limitations (<see cref="ComplianceFields.Limitations"/>).</summary>
    public string? Limitations { get; init; }

    /// <summary>Ethical considerations (<see cref="ComplianceFields.EthicalConsiderations"/>).</summary>
    public string? EthicalConsiderations { get; init; }

    /// <summary>Transparency notice (<see cref="ComplianceFields.TransparencyNotice"/>).</summary>
    public string? TransparencyNotice { get; init; }

    /// <summary>Human oversight contact (<see cref="ComplianceFields.HumanOversightContact"/>).</summary>
    public string? HumanOversightContact { get; init; }

    /// <summary>Technical documentation reference (<see cref="ComplianceFields.TechnicalDocumentation"/>).</summary>
    public string? TechnicalDocumentation { get; init; }

    /// <summary>The artifacts.</summary>
    public IReadOnlyList<ModelArtifact> Artifacts { get; init; } = [];

    /// <summary>The training data from lineage provenance.</summary>
    public IReadOnlyList<ModelCardDataset> TrainingData { get; init; } = [];

    /// <summary>The evaluation results on record.</summary>
    public IReadOnlyList<EvaluationResult> Evaluations { get; init; } = [];

    /// <summary>Per-group comparisons computed from the evaluation results (fairness and bias).</summary>
    public IReadOnlyList<GroupComparison> GroupComparisons { get; init; } = [];

    /// <summary>
    /// Per-group comparisons observed by the performance tracker, as the fairness and bias checks of <see cref="Compliance"/>
    /// read them (source <c>performance [from, to)</c>, value = mean per group; a group with fewer than
    /// <see cref="ComplianceOptions.MinimumObservedSamples"/> points is left out, as in the checks). Empty when the checks
    /// did not run for this model or observed nothing.
    /// </summary>
    public IReadOnlyList<GroupComparison> ObservedGroupComparisons { get; init; } = [];

    /// <summary>The window of <see cref="Performance"/>.</summary>
    public required MetricWindow PerformanceWindow { get; init; }

    /// <summary>Observed performance per metric over <see cref="PerformanceWindow"/> (metrics without data are left out).</summary>
    public IReadOnlyList<ModelCardMetric> Performance { get; init; } = [];

    /// <summary>The compliance checks evaluated for production when the card was made.</summary>
    public required ComplianceReport Compliance { get; init; }

    /// <summary>Every approval request for the version, oldest first.</summary>
    public IReadOnlyList<ApprovalRequest> Approvals { get; init; } = [];

    /// <summary>The version's stage changes from the audit trail, oldest first.</summary>
    public IReadOnlyList<StageChange> StageHistory { get; init; } = [];

    /// <summary>What could not be filled in, and why.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>When the card was made.</summary>
    public DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Who made it.</summary>
    public required string GeneratedBy { get; init; }

    /// <summary>The card as indented JSON.</summary>
    /// <returns>The JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ComplianceJson.Indented);

    /// <summary>The card as Markdown, with user text escaped so it cannot break the layout.</summary>
    /// <returns>The Markdown.</returns>
    public string ToMarkdown() => ModelCardMarkdown.Render(this);
}

/// <summary>A training dataset on a model card.</summary>
/// <param name="Id">The lineage node id.</param>
/// <param name="Name">The dataset's name.</param>
/// <param name="License">Its licence, if declared.</param>
/// <param name="ContainsPersonalData">Whether it contains personal data; <see langword="null"/> when not declared.</param>
/// <param name="PersonalDataCategories">The declared categories of personal data.</param>
/// <param name="IsRoot">Whether it is a root (nothing further upstream).</param>
/// <param name="Path">How the version depends on it.</param>
public sealed record ModelCardDataset(string Id, string Name, string? License, bool? ContainsPersonalData, IReadOnlyList<string> PersonalDataCategories, bool IsRoot, string Path);

/// <summary>A metric of a group comparison: each group's value, the spread, and the ratio of lowest to highest.</summary>
/// <param name="Source">The evaluation result it comes from, or for an observed comparison the performance window read (<c>performance [from, to)</c>).</param>
/// <param name="Metric">The metric (<see cref="GroupMetrics.SelectionRate"/>, ...).</param>
/// <param name="Attribute">The protected attribute.</param>
/// <param name="Groups">Group → value.</param>
/// <param name="Difference">Highest − lowest value.</param>
/// <param name="Ratio">Lowest ÷ highest value, or <see langword="null"/> when the highest is 0.</param>
public sealed record GroupComparison(string Source, string Metric, string Attribute, IReadOnlyDictionary<string, double> Groups, double Difference, double? Ratio);

/// <summary>Observed statistics of one metric on a model card.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Statistics">Its statistics over the card's window.</param>
public sealed record ModelCardMetric(string Metric, MetricStatistics Statistics);

/// <summary>One stage change of a version, from the audit trail.</summary>
/// <param name="Sequence">The audit record's sequence.</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
/// <param name="From">The stage before.</param>
/// <param name="To">The stage after.</param>
/// <param name="Reason">The reason given, if any.</param>
public sealed record StageChange(long Sequence, DateTimeOffset At, string Actor, ModelStage? From, ModelStage? To, string? Reason);

/// <summary>What an evidence bundle holds; returned by <see cref="IComplianceManager.WriteEvidenceBundleAsync"/>.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Files">Every file with its SHA-256, as listed in <c>manifest.json</c>.</param>
/// <param name="Checkpoint">The checkpoint that covers the bundled audit records, or <see langword="null"/> when anchoring is off.</param>
/// <param name="AuditRecordCount">How many audit records about the version are included.</param>
public sealed record EvidenceBundleInfo(string ModelName, SemanticVersion Version, IReadOnlyList<EvidenceFile> Files, AuditCheckpoint? Checkpoint, int AuditRecordCount);

/// <summary>A file of an evidence bundle.</summary>
/// <param name="Path">Its path inside the zip.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its bytes.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record EvidenceFile(string Path, string Sha256, long Size);

/// <summary>The outcome of verifying an evidence bundle offline with <see cref="EvidenceBundle.VerifyAsync"/>.</summary>
/// <param name="IsValid">Whether every check passed.</param>
/// <param name="Problems">What failed, one sentence each.</param>
/// <param name="FilesVerified">How many files matched the manifest.</param>
/// <param name="AuditRecordsVerified">How many audit records were re-hashed and linked up to the checkpoint.</param>
/// <param name="CheckpointSignatureVerified">Whether the checkpoint's signature was checked with the key given (and matched).</param>
public sealed record EvidenceBundleVerification(bool IsValid, IReadOnlyList<string> Problems, int FilesVerified, int AuditRecordsVerified, bool CheckpointSignatureVerified);

/// <summary>Helpers for evidence bundles that need no registry: an auditor verifies a bundle with only the zip (and, optionally, the checkpoint key).</summary>
public static class EvidenceBundle
{
    /// <summary>
    /// Verifies a bundle offline: every file's SHA-256 against the manifest (and no unlisted file), every audit record's
    /// hash and link in the included chain segment, that the segment ends at the checkpoint's record with the signed hash,
    /// that every audit record about the version lies in the segment, and — when <paramref name="checkpointKey"/> is
    /// given — the checkpoint's signature.
    /// </summary>
    /// <param name="bundle">The zip (read only; left open).</param>
    /// <param name="checkpointKey">The key the checkpoint was signed with, or <see langword="null"/> to skip the signature.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verification.</returns>
    public static Task<EvidenceBundleVerification> VerifyAsync(Stream bundle, byte[]? checkpointKey = null, CancellationToken cancellationToken = default)
        => EvidenceBundleVerifier.VerifyAsync(bundle, checkpointKey, cancellationToken);
}
