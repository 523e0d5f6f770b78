using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>The tier and stage sets the built-in checks declare.</summary>
internal static class CheckScope
{
    public static readonly IReadOnlyCollection<RiskTier> AllTiers = [RiskTier.Minimal, RiskTier.Limited, RiskTier.High, RiskTier.Unacceptable];

    /// <summary>Tiers where fairness and bias obligations apply (people are affected by the model's decisions).</summary>
    public static readonly IReadOnlyCollection<RiskTier> LimitedAndAbove = [RiskTier.Limited, RiskTier.High, RiskTier.Unacceptable];

    /// <summary>The stages an approval can be requested for.</summary>
    public static readonly IReadOnlyCollection<ModelStage> GatedStages = [ModelStage.Staging, ModelStage.Canary, ModelStage.Production];

    public static bool AtLeastHigh(RiskTier tier) => tier is RiskTier.High or RiskTier.Unacceptable;
}
