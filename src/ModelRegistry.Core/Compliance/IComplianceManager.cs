using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance;

/// <summary>
/// Compliance checks, approval requests and reviews with separation of duties, the promotion gate's approvals, the audit
/// trail with anchored verification, governance events, model cards and evidence bundles.
/// </summary>
/// <remarks>
/// Every mutation is validated first, refused with a typed <see cref="ModelRegistryException"/> that changes nothing, and
/// committed atomically with its audit record. Who may do what is decided by <see cref="IComplianceRoleProvider"/>; a
/// refused action gets <see cref="ErrorCode.Forbidden"/>.
/// </remarks>
public interface IComplianceManager
{
    // ------------------------------------------------------------------ checks

    /// <summary>The registered checks, in the order they run (disabled ones left out).</summary>
    IReadOnlyList<IComplianceCheck> Checks { get; }

    /// <summary>Runs every registered check for a version on its way to a stage, without recording anything.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="targetStage">The stage the version would move to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per check.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> for an unknown model or version; <see cref="ErrorCode.Forbidden"/> without <see cref="ComplianceRoles.Viewer"/>.</exception>
    Task<ComplianceReport> EvaluateAsync(string modelName, string version, ModelStage targetStage, CancellationToken cancellationToken = default);

    // ------------------------------------------------------------------ approvals

    /// <summary>
    /// Requests approval to move a version to <paramref name="targetStage"/> (staging, canary or production). The
    /// applicable checks run now and their results are stored with the request; failing checks block approval unless waived.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="targetStage">Staging, Canary or Production.</param>
    /// <param name="justification">Why (1–10,000 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending request.</returns>
    /// <exception cref="ModelRegistryException">
    /// <see cref="ErrorCode.AlreadyExists"/> when a request for the same version and stage is pending;
    /// <see cref="ErrorCode.PolicyViolation"/> for an Unacceptable-risk model; <see cref="ErrorCode.Forbidden"/> without
    /// <see cref="ComplianceRoles.Contributor"/>; <see cref="ErrorCode.NotFound"/>; <see cref="ErrorCode.InvalidArgument"/>.
    /// </exception>
    Task<ApprovalRequest> RequestApprovalAsync(string modelName, string version, ModelStage targetStage, string justification, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reviews a pending request. Separation of duties: the requester never reviews their own request, and at High risk no
    /// owner of the model may approve. The request is approved when the quorum of distinct approvers for its risk tier is
    /// reached; one rejection or change request decides it. Approving while checks fail needs an explicit waiver of each
    /// failing check, with a reason, by a reviewer holding <see cref="ComplianceRoles.Waiver"/>.
    /// </summary>
    /// <param name="requestId">The request.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="comment">The comment; required to reject or request changes.</param>
    /// <param name="waivers">Waivers of failing checks (only with <see cref="ReviewDecision.Approve"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request after the review.</returns>
    /// <exception cref="ModelRegistryException">
    /// <see cref="ErrorCode.Forbidden"/> for the requester, an owner approving at High risk, or a missing role;
    /// <see cref="ErrorCode.AlreadyExists"/> when the actor already reviewed it; <see cref="ErrorCode.InvalidTransition"/>
    /// when the request is no longer pending; <see cref="ErrorCode.PolicyViolation"/> when failing checks are not waived
    /// or the version changed; <see cref="ErrorCode.NotFound"/>; <see cref="ErrorCode.InvalidArgument"/>.
    /// </exception>
    Task<ApprovalRequest> ReviewAsync(string requestId, ReviewDecision decision, string? comment = null, IReadOnlyList<CheckWaiverRequest>? waivers = null, CancellationToken cancellationToken = default);

    /// <summary>Withdraws a pending or approved request (the requester, or an admin).</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="reason">Why, if given.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The withdrawn request.</returns>
    Task<ApprovalRequest> WithdrawApprovalAsync(string requestId, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a request.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request (reported <see cref="ApprovalState.Expired"/> after its validity).</returns>
    Task<ApprovalRequest> GetApprovalAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>The pending queue: unexpired pending requests, oldest first.</summary>
    /// <param name="query">Filters and paging; <see langword="null"/> for every pending request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page of requests.</returns>
    Task<Page<ApprovalRequest>> ListPendingApprovalsAsync(ApprovalQueueQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Every request ever made for a version, oldest first.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests.</returns>
    Task<IReadOnlyList<ApprovalRequest>> GetApprovalHistoryAsync(string modelName, string version, CancellationToken cancellationToken = default);

    // ------------------------------------------------------------------ audit

    /// <summary>Reads audit records by subject (exact or <c>prefix*</c>), actor, action and time window, paged.</summary>
    /// <param name="query">Filters and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page of records in sequence order.</returns>
    Task<Page<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the matching audit records as JSON Lines (one record per line, UTF-8, every field including
    /// <c>previousHash</c> and <c>hash</c>, so the chain can be re-verified from the file).
    /// </summary>
    /// <param name="destination">Where to write (left open).</param>
    /// <param name="query">Filters (paging fields ignored); <see langword="null"/> for every record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many records were written.</returns>
    Task<long> ExportAuditAsync(Stream destination, AuditQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Walks the hash chain and checks every checkpoint against it; reports the first bad record and what is wrong
    /// (edited, deleted, reordered, relinked, truncated, rewritten, forged checkpoint).
    /// </summary>
    /// <param name="options">Externally kept checkpoints to verify against; <see langword="null"/> for the stored ones only.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verification.</returns>
    Task<AuditTrailVerification> VerifyAuditTrailAsync(AuditVerificationOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Signs the current head of the audit trail and stores the checkpoint (audited). Export it with
    /// <see cref="AuditCheckpoint.ToJson"/> to keep a copy outside the registry. The trail since the previous checkpoint is
    /// verified first, so a damaged trail is never signed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.PolicyViolation"/> without a signing key or when the trail does not verify.</exception>
    Task<AuditCheckpoint> CreateAuditCheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>The stored checkpoints, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints.</returns>
    Task<IReadOnlyList<AuditCheckpoint>> ListAuditCheckpointsAsync(CancellationToken cancellationToken = default);

    // ------------------------------------------------------------------ events

    /// <summary>
    /// Delivers committed governance events that registered <see cref="IRegistryEventHandler"/>s have not handled yet
    /// (events are also delivered after every commit made in this process). Call it at start-up to catch up.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many events were handled successfully.</returns>
    Task<int> DeliverEventsAsync(CancellationToken cancellationToken = default);

    // ------------------------------------------------------------------ documents

    /// <summary>Builds the model card of a version.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The card.</returns>
    Task<ModelCard> GetModelCardAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the evidence bundle of a version as a zip: the model card (Markdown and JSON), check results, approvals, the
    /// audit records about the version with the chain segment up to the checkpoint that covers them, the lineage export,
    /// a metrics summary, and <c>manifest.json</c> with the SHA-256 of every file. Verify it offline with
    /// <see cref="EvidenceBundle.VerifyAsync"/>. When a signing key is configured and no stored checkpoint covers the
    /// records, one is created (audited).
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="destination">Where to write the zip (left open).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the bundle holds.</returns>
    Task<EvidenceBundleInfo> WriteEvidenceBundleAsync(string modelName, string version, Stream destination, CancellationToken cancellationToken = default);
}
