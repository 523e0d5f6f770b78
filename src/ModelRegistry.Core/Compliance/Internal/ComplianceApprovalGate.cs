using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Checks;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// The promotion gate of the compliance workflow, plugged into the registry's gate seam so every store behaves the same:
/// Production — and Canary at High risk — needs an approved, unexpired request for that exact version (content hash) and
/// target stage, approved by as many distinct reviewers as the model's current risk tier requires.
/// </summary>
internal sealed class ComplianceApprovalGate(IRegistryStore store, TimeProvider time, IOptions<ComplianceOptions> options) : IPromotionGate
{
    public const string GateName = "compliance-approval";
    private readonly ApprovalDocuments _approvals = new(store);
    private readonly RegistryClock _clock = new(time);
    private readonly ComplianceOptions _options = options.Value;

    public string Name => GateName;

    public async ValueTask<GateDecision> EvaluateAsync(PromotionContext context, CancellationToken cancellationToken)
    {
        if (!Requires(_options, context.Model.RiskTier, context.TargetStage))
        {
            return GateDecision.Allow;
        }

        var now = _clock.Now();
        var quorum = _options.QuorumFor(context.Model.RiskTier);
        var candidates = (await _approvals.ListForVersionAsync(context.Model.Name, context.Version.Version, cancellationToken))
            .Where(r => r.TargetStage == context.TargetStage)
            .Select(r => ApprovalDocuments.Effective(r, now))
            .ToList();
        if (candidates.Any(r => r.State == ApprovalState.Approved
                                && string.Equals(r.VersionContentHash, context.Version.ContentHash, StringComparison.Ordinal)
                                && r.Approvers.Count >= quorum))
        {
            return GateDecision.Allow;
        }

        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"version {context.Version.Version} of '{context.Model.Name}' has no approved, unexpired approval request for {context.TargetStage} ({quorum} distinct approver{(quorum == 1 ? string.Empty : "s")} at {context.Model.RiskTier} risk).");
        foreach (var r in candidates.TakeLast(3))
        {
            text.Append(CultureInfo.InvariantCulture, $" Request {r.Id} is {r.State}");
            if (r.State == ApprovalState.Pending)
            {
                text.Append(CultureInfo.InvariantCulture, $" with {r.Approvers.Count} of {Math.Max(r.RequiredApprovals, quorum)} approvals");
            }
            else if (r.State == ApprovalState.Expired)
            {
                text.Append(CultureInfo.InvariantCulture, $" (its validity ended {r.ExpiresAt:O})");
            }
            else if (r.State == ApprovalState.Approved && !string.Equals(r.VersionContentHash, context.Version.ContentHash, StringComparison.Ordinal))
            {
                text.Append(" but for different content of the version");
            }
            else if (r.State == ApprovalState.Approved)
            {
                text.Append(CultureInfo.InvariantCulture, $" by {r.Approvers.Count}, but {context.Model.RiskTier} risk now needs {quorum}");
            }

            text.Append('.');
        }

        text.Append(CultureInfo.InvariantCulture, $" Request one with IComplianceManager.RequestApprovalAsync(\"{context.Model.Name}\", \"{context.Version.Version}\", ModelStage.{context.TargetStage}, justification) and have it reviewed.");
        return GateDecision.Deny(text.ToString());
    }

    public static bool Requires(ComplianceOptions options, RiskTier tier, ModelStage target)
        => (target == ModelStage.Production && options.RequireApprovalForProduction)
           || (target == ModelStage.Canary && options.RequireApprovalForHighRiskCanary && CheckScope.AtLeastHigh(tier));
}
