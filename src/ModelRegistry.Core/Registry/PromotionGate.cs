namespace ModelRegistry.Registry;

/// <summary>
/// A check every stage transition passes through. All registered gates must allow a transition; the first refusal
/// stops it with <see cref="ErrorCode.PolicyViolation"/> and changes nothing. Register with
/// <c>builder.AddPromotionGate&lt;T&gt;()</c>.
/// </summary>
public interface IPromotionGate
{
    /// <summary>A short name shown in refusals and the audit trail.</summary>
    string Name { get; }

    /// <summary>Decides whether the transition may happen.</summary>
    /// <param name="context">The transition being made.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision.</returns>
    ValueTask<GateDecision> EvaluateAsync(PromotionContext context, CancellationToken cancellationToken);
}

/// <summary>A transition about to be made, as seen by a <see cref="IPromotionGate"/>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version in its current stage.</param>
/// <param name="TargetStage">Where it is going.</param>
/// <param name="CanaryTrafficPercent">The canary percentage, when the target is canary.</param>
/// <param name="Actor">Who is making the transition.</param>
/// <param name="Reason">The reason given.</param>
public sealed record PromotionContext(RegisteredModel Model, ModelVersion Version, ModelStage TargetStage, int? CanaryTrafficPercent, string Actor, string? Reason);

/// <summary>A gate's answer.</summary>
public sealed record GateDecision
{
    private GateDecision(bool allowed, string? reason) => (IsAllowed, Reason) = (allowed, reason);

    /// <summary>Whether the transition may happen.</summary>
    public bool IsAllowed { get; }

    /// <summary>Why not, as a sentence that says what to do.</summary>
    public string? Reason { get; }

    /// <summary>The transition may happen.</summary>
    public static GateDecision Allow { get; } = new(true, null);

    /// <summary>The transition is refused.</summary>
    /// <param name="reason">What is missing and how to get it.</param>
    /// <returns>A refusal.</returns>
    public static GateDecision Deny(string reason) => new(false, reason);
}
