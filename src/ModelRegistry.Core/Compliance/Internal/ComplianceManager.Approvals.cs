using System.Globalization;
using ModelRegistry.Audit;
using ModelRegistry.Compliance.Checks;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

internal sealed partial class ComplianceManager
{
    public async Task<ApprovalRequest> RequestApprovalAsync(string modelName, string version, ModelStage targetStage, string justification, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        Guard.Defined(targetStage);
        if (!CheckScope.GatedStages.Contains(targetStage))
        {
            throw Guard.Invalid(nameof(targetStage), $"Approvals are requested for Staging, Canary or Production, not {targetStage}.");
        }

        Guard.NotEmpty(justification);
        Validation.Text(justification, nameof(justification), Validation.MaxTextLength, required: true);
        var actor = await AuthorizeAsync(ComplianceRoles.Contributor, modelName, "request approvals", cancellationToken);

        return await RetryAsync(async () =>
        {
            var (model, current) = await LoadVersionAsync(modelName, semver, cancellationToken);
            var subject = AuditData.VersionSubject(model.Name, current.Version);
            if (model.RiskTier == RiskTier.Unacceptable)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Model '{model.Name}' is registered at Unacceptable risk (a prohibited practice under the EU AI Act); its versions can never be approved for {targetStage}.", subject);
            }

            var now = _clock.Now();
            var writes = new List<StoreWrite>();
            var audit = new List<AuditDraft>();
            var slot = await _approvals.FindSlotAsync(model.Name, current.Version, targetStage, cancellationToken);
            if (slot is { } s && s.Document.Index == ApprovalDocuments.PendingIndex && await _approvals.FindAsync(s.RequestId, cancellationToken) is { } open)
            {
                var effective = ApprovalDocuments.Effective(open, now);
                if (effective.State == ApprovalState.Pending)
                {
                    throw new ModelRegistryException(ErrorCode.AlreadyExists, $"Request {open.Id} for version {current.Version} of '{model.Name}' to {targetStage} is already pending (requested by {open.RequestedBy} at {open.RequestedAt:O}, {open.Approvers.Count} of {open.RequiredApprovals} approvals); review or withdraw it instead of requesting again.", subject);
                }

                if (effective.State == ApprovalState.Expired && open.State == ApprovalState.Pending)
                {
                    writes.Add(ApprovalDocuments.Put(open with { State = ApprovalState.Expired, DecidedAt = open.ExpiresAt, DecisionReason = "validity ended" }, open.Revision));
                    audit.Add(AuditData.Draft(now, actor, "approval.expired", subject, new { requestId = open.Id, targetStage, expiredAt = open.ExpiresAt }));
                }
            }

            var report = await EvaluateCoreAsync(model, current, targetStage, actor, now, cancellationToken);
            var request = new ApprovalRequest
            {
                Id = "apr-" + Guid.CreateVersion7(now).ToString("N", CultureInfo.InvariantCulture),
                ModelName = model.Name,
                Version = current.Version,
                VersionContentHash = current.ContentHash,
                TargetStage = targetStage,
                RiskTier = model.RiskTier,
                Justification = justification,
                RequestedBy = actor,
                RequestedAt = now,
                ExpiresAt = now + _options.ApprovalValidity,
                State = ApprovalState.Pending,
                RequiredApprovals = _options.QuorumFor(model.RiskTier),
                Checks = report,
                Revision = 1,
            };
            writes.Add(ApprovalDocuments.Put(request, 0));
            writes.Add(ApprovalDocuments.PutSlot(request, pending: true, slot?.Document.Revision ?? 0));
            audit.Add(AuditData.Draft(now, actor, "approval.requested", subject, new
            {
                requestId = request.Id,
                targetStage,
                justification,
                requiredApprovals = request.RequiredApprovals,
                expiresAt = request.ExpiresAt,
                contentHash = request.VersionContentHash,
                checks = report.Results.Select(r => new { check = r.CheckName, version = r.CheckVersion, outcome = r.Outcome }),
            }));
            await CommitAsync(writes, audit, cancellationToken);
            return request;
        });
    }

    public async Task<ApprovalRequest> ReviewAsync(string requestId, ReviewDecision decision, string? comment = null, IReadOnlyList<CheckWaiverRequest>? waivers = null, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(requestId);
        Guard.Defined(decision);
        Validation.Text(comment, nameof(comment));
        if (decision != ReviewDecision.Approve && string.IsNullOrWhiteSpace(comment))
        {
            throw Guard.Invalid(nameof(comment), $"Say why when you {(decision == ReviewDecision.Reject ? "reject a request" : "ask for changes")}: the comment is required.");
        }

        waivers ??= [];
        if (waivers.Count > 0 && decision != ReviewDecision.Approve)
        {
            throw Guard.Invalid(nameof(waivers), "Waivers are recorded with an approving review only.");
        }

        foreach (var w in waivers)
        {
            Guard.NotNull(w, nameof(waivers));
            Guard.NotEmpty(w.CheckName, "waivers.CheckName");
            if (string.IsNullOrWhiteSpace(w.Reason))
            {
                throw Guard.Invalid("waivers.Reason", $"The waiver of '{w.CheckName}' needs a reason: say why it is acceptable to proceed although the check failed.");
            }

            Validation.Text(w.Reason, "waivers.Reason", Validation.MaxTextLength, required: true);
        }

        if (waivers.GroupBy(w => w.CheckName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw Guard.Invalid(nameof(waivers), $"'{twice.Key}' is waived twice in one review.");
        }

        var actor = Actor;
        return await RetryAsync(async () =>
        {
            var request = await LoadRequestAsync(requestId, cancellationToken);
            var subject = AuditData.VersionSubject(request.ModelName, request.Version);
            var now = _clock.Now();
            var effective = ApprovalDocuments.Effective(request, now);
            if (effective.State != ApprovalState.Pending)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Request {request.Id} is {effective.State}{(effective.State == ApprovalState.Expired ? $" (its validity ended {request.ExpiresAt:O})" : string.Empty)}; only a pending request can be reviewed. Request approval again if the version still needs it.", subject);
            }

            var model = await _store.FindModelAsync(request.ModelName, cancellationToken)
                ?? throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Model '{request.ModelName}' no longer exists; request {request.Id} cannot be reviewed. Withdraw it.", subject);
            var needed = decision == ReviewDecision.Approve ? ComplianceRoles.Approver : ComplianceRoles.Reviewer;
            if (waivers.Count > 0)
            {
                needed |= ComplianceRoles.Waiver;
            }

            var roles = await RolesOfAsync(actor, model.Name, cancellationToken);
            if ((roles & needed) != needed)
            {
                throw Forbidden(actor, needed & ~roles, waivers.Count > 0 ? "approve with waivers" : decision == ReviewDecision.Approve ? "approve requests" : "review requests", roles);
            }

            // Separation of duties.
            if (string.Equals(actor, request.RequestedBy, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelRegistryException(ErrorCode.Forbidden, $"'{actor}' requested {request.Id} and so may not review it (separation of duties); ask another reviewer.", subject);
            }

            var tier = (RiskTier)Math.Max((int)request.RiskTier, (int)model.RiskTier);
            if (decision == ReviewDecision.Approve && CheckScope.AtLeastHigh(tier) && model.Owners.Contains(actor, StringComparer.OrdinalIgnoreCase))
            {
                throw new ModelRegistryException(ErrorCode.Forbidden, $"'{actor}' owns '{model.Name}', which is at {tier} risk; owners may not approve their own model's promotion (separation of duties). Ask a reviewer outside the owning team.", subject);
            }

            if (request.Reviews.Any(r => string.Equals(r.Reviewer, actor, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ModelRegistryException(ErrorCode.AlreadyExists, $"'{actor}' has already reviewed {request.Id}; the quorum counts distinct reviewers.", subject);
            }

            var version = await _store.FindVersionAsync(model.Name, request.Version, cancellationToken);
            if (version is null || !string.Equals(version.ContentHash, request.VersionContentHash, StringComparison.Ordinal))
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Version {request.Version} of '{model.Name}' {(version is null ? "no longer exists" : "is not the content that was requested (its content hash changed)")}; withdraw {request.Id} and request approval for the current version.", subject);
            }

            var failed = request.Checks.FailedChecks;
            foreach (var w in waivers)
            {
                if (!failed.Contains(w.CheckName, StringComparer.Ordinal))
                {
                    throw Guard.Invalid(nameof(waivers), $"'{w.CheckName}' did not fail for {request.Id} (failed: {(failed.Count == 0 ? "none" : string.Join(", ", failed))}); only failing checks are waived.", subject);
                }

                if (request.Waivers.Any(x => string.Equals(x.CheckName, w.CheckName, StringComparison.Ordinal)))
                {
                    throw Guard.Invalid(nameof(waivers), $"'{w.CheckName}' is already waived on {request.Id}.", subject);
                }
            }

            var newWaivers = waivers.Select(w => new CheckWaiver(w.CheckName, w.Reason.Trim(), actor, now)).ToList();
            var next = request with
            {
                Reviews = [.. request.Reviews, new ApprovalReview(actor, decision, comment, now)],
                Waivers = [.. request.Waivers, .. newWaivers],
            };
            if (decision == ReviewDecision.Approve && next.BlockingChecks is { Count: > 0 } blocking)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"{(blocking.Count == 1 ? "Check" : "Checks")} {string.Join(", ", blocking.Select(b => $"'{b}'"))} failed for {request.Id}; approving needs an explicit waiver of each, with a reason, by a reviewer with the Waiver permission (ReviewAsync(..., waivers: [new CheckWaiverRequest(\"{blocking[0]}\", \"why\")])), or a new request once they pass.", subject);
            }

            var quorum = Math.Max(request.RequiredApprovals, _options.QuorumFor(model.RiskTier));
            next = next with { RequiredApprovals = quorum };
            string? outcomeAction = null;
            switch (decision)
            {
                case ReviewDecision.Approve when next.Approvers.Count >= quorum:
                    next = next with { State = ApprovalState.Approved, DecidedAt = now, DecidedBy = actor, DecisionReason = comment };
                    outcomeAction = "approval.approved";
                    break;
                case ReviewDecision.Reject:
                    next = next with { State = ApprovalState.Rejected, DecidedAt = now, DecidedBy = actor, DecisionReason = comment };
                    outcomeAction = "approval.rejected";
                    break;
                case ReviewDecision.RequestChanges:
                    next = next with { State = ApprovalState.ChangesRequested, DecidedAt = now, DecidedBy = actor, DecisionReason = comment };
                    outcomeAction = "approval.changes_requested";
                    break;
            }

            var writes = new List<StoreWrite> { ApprovalDocuments.Put(next, request.Revision) };
            if (next.State != ApprovalState.Pending)
            {
                await CloseSlotAsync(next, writes, cancellationToken);
            }

            var audit = new List<AuditDraft>
            {
                AuditData.Draft(now, actor, "approval.reviewed", subject, new { requestId = request.Id, targetStage = request.TargetStage, decision, comment, approvals = next.Approvers.Count, requiredApprovals = quorum }),
            };
            audit.AddRange(newWaivers.Select(w => AuditData.Draft(now, actor, "approval.check_waived", subject, new { requestId = request.Id, check = w.CheckName, reason = w.Reason })));
            if (outcomeAction is not null)
            {
                audit.Add(AuditData.Draft(now, actor, outcomeAction, subject, new { requestId = request.Id, targetStage = request.TargetStage, approvers = next.Approvers, reviewers = next.Reviews.Select(r => r.Reviewer), waivedChecks = next.Waivers.Select(w => w.CheckName), comment }));
            }

            await CommitAsync(writes, audit, cancellationToken);
            return next with { Revision = request.Revision + 1 };
        });
    }

    public async Task<ApprovalRequest> WithdrawApprovalAsync(string requestId, string? reason = null, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(requestId);
        Validation.Text(reason, nameof(reason));
        var actor = Actor;
        return await RetryAsync(async () =>
        {
            var request = await LoadRequestAsync(requestId, cancellationToken);
            var subject = AuditData.VersionSubject(request.ModelName, request.Version);
            var now = _clock.Now();
            var roles = await RolesOfAsync(actor, request.ModelName, cancellationToken);
            var own = string.Equals(actor, request.RequestedBy, StringComparison.OrdinalIgnoreCase);
            var needed = own ? ComplianceRoles.Contributor : ComplianceRoles.Admin;
            if ((roles & needed) != needed)
            {
                throw Forbidden(actor, needed & ~roles, own ? "withdraw requests" : $"withdraw {request.RequestedBy}'s request", roles);
            }

            var effective = ApprovalDocuments.Effective(request, now);
            if (effective.State is not (ApprovalState.Pending or ApprovalState.Approved))
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Request {request.Id} is {effective.State}; only a pending or approved request can be withdrawn.", subject);
            }

            var next = request with { State = ApprovalState.Withdrawn, DecidedAt = now, DecidedBy = actor, DecisionReason = reason };
            var writes = new List<StoreWrite> { ApprovalDocuments.Put(next, request.Revision) };
            await CloseSlotAsync(next, writes, cancellationToken);
            await CommitAsync(writes, [AuditData.Draft(now, actor, "approval.withdrawn", subject, new { requestId = request.Id, targetStage = request.TargetStage, previousState = request.State, reason })], cancellationToken);
            return next with { Revision = request.Revision + 1 };
        });
    }

    public async Task<ApprovalRequest> GetApprovalAsync(string requestId, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(requestId);
        var request = await LoadRequestAsync(requestId, cancellationToken);
        await AuthorizeAsync(ComplianceRoles.Viewer, request.ModelName, "read approval requests", cancellationToken);
        return ApprovalDocuments.Effective(request, _clock.Now());
    }

    public async Task<Page<ApprovalRequest>> ListPendingApprovalsAsync(ApprovalQueueQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ApprovalQueueQuery();
        var pageSize = Guard.InRange(query.PageSize, 1, 1_000, "pageSize");
        var after = DecodeQueueToken(query.ContinuationToken);
        var actor = await AuthorizeAsync(ComplianceRoles.Viewer, query.ModelName, "read approval requests", cancellationToken);
        var now = _clock.Now();
        var pending = (await _approvals.ListOpenAsync(cancellationToken))
            .Select(r => ApprovalDocuments.Effective(r, now))
            .Where(r => r.State == ApprovalState.Pending)
            .Where(r => query.ModelName is null || string.Equals(r.ModelName, query.ModelName, StringComparison.OrdinalIgnoreCase))
            .Where(r => !query.ReviewableByMe || (!string.Equals(r.RequestedBy, actor, StringComparison.OrdinalIgnoreCase) && !r.Reviews.Any(x => string.Equals(x.Reviewer, actor, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(r => r.RequestedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Where(r => after is null || r.RequestedAt > after.Value.At || (r.RequestedAt == after.Value.At && string.CompareOrdinal(r.Id, after.Value.Id) > 0))
            .Take(pageSize + 1)
            .ToList();
        var items = pending.Take(pageSize).ToList();
        return new Page<ApprovalRequest>(items, pending.Count > pageSize ? EncodeQueueToken(items[^1]) : null);
    }

    public async Task<IReadOnlyList<ApprovalRequest>> GetApprovalHistoryAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        await AuthorizeAsync(ComplianceRoles.Viewer, modelName, "read approval requests", cancellationToken);
        var model = await _store.FindModelAsync(modelName, cancellationToken);
        var now = _clock.Now();
        return [.. (await _approvals.ListForVersionAsync(model?.Name ?? modelName, semver, cancellationToken)).Select(r => ApprovalDocuments.Effective(r, now))];
    }

    private async Task<ApprovalRequest> LoadRequestAsync(string requestId, CancellationToken cancellationToken)
        => await _approvals.FindAsync(requestId, cancellationToken)
           ?? throw new ModelRegistryException(ErrorCode.NotFound, $"There is no approval request '{Validation.Show(requestId)}'. List pending requests with ListPendingApprovalsAsync.", $"approval:{requestId}");

    private async Task CloseSlotAsync(ApprovalRequest request, List<StoreWrite> writes, CancellationToken cancellationToken)
    {
        if (await _approvals.FindSlotAsync(request.ModelName, request.Version, request.TargetStage, cancellationToken) is { } slot
            && string.Equals(slot.RequestId, request.Id, StringComparison.Ordinal)
            && slot.Document.Index == ApprovalDocuments.PendingIndex)
        {
            writes.Add(ApprovalDocuments.PutSlot(request, pending: false, slot.Document.Revision));
        }
    }

    private static string EncodeQueueToken(ApprovalRequest last)
        => $"q{last.RequestedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{last.Id}";

    private static (DateTimeOffset At, string Id)? DecodeQueueToken(string? token)
    {
        if (token is null)
        {
            return null;
        }

        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return token.Length > 2 && token[0] == 'q' && colon > 1
               && long.TryParse(token.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
               && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), token[(colon + 1)..])
            : throw Guard.Invalid("continuationToken", "The continuation token is not one this queue query returned.");
    }
}
