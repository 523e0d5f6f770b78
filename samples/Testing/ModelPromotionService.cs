namespace Testing;

/// <summary>What <see cref="ModelPromotionService.PromoteToProductionAsync"/> did.</summary>
public enum PromotionStatus
{
    /// <summary>The version now serves production.</summary>
    Promoted,

    /// <summary>No approval has been granted yet; the version stays where it is.</summary>
    AwaitingApproval,

    /// <summary>The approval ran out before anyone promoted; request a new one.</summary>
    ApprovalExpired,
}

/// <summary>The outcome with a sentence for the operator.</summary>
public sealed record PromotionOutcome(PromotionStatus Status, string Message);

/// <summary>
/// Application code under test (it would live in the application's own project): promotes a staging version to
/// production once its approval is granted, and tells an operator in plain words why it did not. It reads "now" from the
/// injected <see cref="TimeProvider"/>, the same clock the registry uses, so a test moves both with one FakeTimeProvider.
/// </summary>
public sealed class ModelPromotionService(IModelRegistry registry, IComplianceManager compliance, TimeProvider time)
{
    /// <summary>How close to its expiry an approval is reported as "expires soon".</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(3);

    public async Task<PromotionOutcome> PromoteToProductionAsync(string model, string version, CancellationToken cancellationToken = default)
    {
        var history = await compliance.GetApprovalHistoryAsync(model, version, cancellationToken);
        var latest = history.LastOrDefault(r => r.TargetStage == ModelStage.Production);
        switch (latest?.State)
        {
            case ApprovalState.Approved:
                await registry.TransitionStageAsync(model, version, ModelStage.Production, cancellationToken: cancellationToken);
                return new PromotionOutcome(PromotionStatus.Promoted, $"{model} {version} serves production.");
            case ApprovalState.Expired:
                return new PromotionOutcome(PromotionStatus.ApprovalExpired, $"The approval of {model} {version} ended on {latest.ExpiresAt:yyyy-MM-dd}; request a new one.");
            default:
                return new PromotionOutcome(PromotionStatus.AwaitingApproval, $"{model} {version} has no granted production approval yet.");
        }
    }

    /// <summary>Approved requests that run out within <see cref="ExpiryWarning"/>, so someone promotes (or re-requests) in time.</summary>
    public async Task<IReadOnlyList<ApprovalRequest>> ApprovalsExpiringSoonAsync(string model, string version, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var history = await compliance.GetApprovalHistoryAsync(model, version, cancellationToken);
        return [.. history.Where(r => r.State == ApprovalState.Approved && r.ExpiresAt - now <= ExpiryWarning)];
    }
}
