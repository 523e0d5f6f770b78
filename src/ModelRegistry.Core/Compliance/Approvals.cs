using System.Text.Json.Serialization;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance;

/// <summary>
/// The states of an approval request. <see cref="Pending"/> moves to <see cref="Approved"/> (quorum reached),
/// <see cref="Rejected"/> or <see cref="ChangesRequested"/> by review; a pending or approved request can be
/// <see cref="Withdrawn"/>, and becomes <see cref="Expired"/> when its validity ends. Every state but
/// <see cref="Pending"/> and <see cref="Approved"/> is final: after changes, request again (the checks run again).
/// </summary>
public enum ApprovalState
{
    /// <summary>Waiting for reviews.</summary>
    Pending = 0,

    /// <summary>Approved by the required number of distinct reviewers; the promotion gate accepts it until it expires.</summary>
    Approved = 1,

    /// <summary>Rejected by a reviewer.</summary>
    Rejected = 2,

    /// <summary>A reviewer asked for changes.</summary>
    ChangesRequested = 3,

    /// <summary>Withdrawn by the requester or an admin.</summary>
    Withdrawn = 4,

    /// <summary>Its validity ended before it was used.</summary>
    Expired = 5,
}

/// <summary>A reviewer's decision.</summary>
public enum ReviewDecision
{
    /// <summary>Approve; counts towards the quorum (needs <see cref="ComplianceRoles.Approver"/>).</summary>
    Approve = 0,

    /// <summary>Reject; the request becomes <see cref="ApprovalState.Rejected"/> (needs <see cref="ComplianceRoles.Reviewer"/>).</summary>
    Reject = 1,

    /// <summary>Ask for changes; the request becomes <see cref="ApprovalState.ChangesRequested"/> (needs <see cref="ComplianceRoles.Reviewer"/>).</summary>
    RequestChanges = 2,
}

/// <summary>A request to move one version into a gated stage, with the compliance results it was made with.</summary>
public sealed record ApprovalRequest
{
    /// <summary>The request's id (<c>apr-…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The model.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version.</summary>
    public required SemanticVersion Version { get; init; }

    /// <summary>The content hash of the version when requested; the approval is valid only for that exact content.</summary>
    public required string VersionContentHash { get; init; }

    /// <summary>The stage the version is to move to.</summary>
    public ModelStage TargetStage { get; init; }

    /// <summary>The model's risk tier when requested.</summary>
    public RiskTier RiskTier { get; init; }

    /// <summary>Why the move is wanted.</summary>
    public required string Justification { get; init; }

    /// <summary>Who requested it; never a reviewer of it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was requested.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When it stops being valid (pending or approved).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The state. A request read after <see cref="ExpiresAt"/> that was pending or approved is reported <see cref="ApprovalState.Expired"/>.</summary>
    public ApprovalState State { get; init; }

    /// <summary>How many distinct approvals the request needs (the quorum of its risk tier).</summary>
    public int RequiredApprovals { get; init; }

    /// <summary>The results of the checks that ran when the request was made.</summary>
    public required ComplianceReport Checks { get; init; }

    /// <summary>The reviews, in order.</summary>
    public IReadOnlyList<ApprovalReview> Reviews { get; init; } = [];

    /// <summary>The explicit waivers of failing checks.</summary>
    public IReadOnlyList<CheckWaiver> Waivers { get; init; } = [];

    /// <summary>When the request left <see cref="ApprovalState.Pending"/>, if it has.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who decided it (the last approver, the rejecting reviewer, the withdrawing actor).</summary>
    public string? DecidedBy { get; init; }

    /// <summary>The withdrawal reason or the deciding reviewer's comment.</summary>
    public string? DecisionReason { get; init; }

    /// <summary>Optimistic-concurrency revision; 1 when created.</summary>
    public long Revision { get; init; }

    /// <summary>The distinct actors who approved (compared ignoring case, as separation of duties does).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Approvers => [.. Reviews.Where(r => r.Decision == ReviewDecision.Approve).Select(r => r.Reviewer).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The failing checks that are not waived; an approval is refused while any remain.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> BlockingChecks => [.. Checks.FailedChecks.Where(c => !Waivers.Any(w => string.Equals(w.CheckName, c, StringComparison.Ordinal)))];
}

/// <summary>One review of an approval request.</summary>
/// <param name="Reviewer">Who reviewed.</param>
/// <param name="Decision">The decision.</param>
/// <param name="Comment">The comment, if any.</param>
/// <param name="ReviewedAt">When.</param>
public sealed record ApprovalReview(string Reviewer, ReviewDecision Decision, string? Comment, DateTimeOffset ReviewedAt);

/// <summary>An explicit waiver of a failing check, recorded on an approval request.</summary>
/// <param name="CheckName">The failing check.</param>
/// <param name="Reason">Why it is acceptable to proceed.</param>
/// <param name="WaivedBy">The reviewer with the waiver permission who recorded it.</param>
/// <param name="WaivedAt">When.</param>
public sealed record CheckWaiver(string CheckName, string Reason, string WaivedBy, DateTimeOffset WaivedAt);

/// <summary>A waiver to record with an approving review.</summary>
/// <param name="CheckName">The failing check to waive.</param>
/// <param name="Reason">Why it is acceptable to proceed (required).</param>
public sealed record CheckWaiverRequest(string CheckName, string Reason);

/// <summary>Which pending requests <see cref="IComplianceManager.ListPendingApprovalsAsync"/> returns.</summary>
public sealed record ApprovalQueueQuery
{
    /// <summary>Only requests for this model (case-insensitive).</summary>
    public string? ModelName { get; init; }

    /// <summary>Only requests the current actor may review (not their own, not yet reviewed by them).</summary>
    public bool ReviewableByMe { get; init; }

    /// <summary>Requests per page (1–1,000; default 100).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token returned by the previous page.</summary>
    public string? ContinuationToken { get; init; }
}
