namespace ModelRegistry.Registry;

/// <summary>
/// The one table of allowed stage transitions. Anything not listed is refused with <see cref="ErrorCode.InvalidTransition"/>.
/// <see cref="ModelStage.RolledBack"/> is only entered through <see cref="IModelRegistry.RollbackAsync"/>.
/// </summary>
public static class StageTransitions
{
    private static readonly Dictionary<ModelStage, ModelStage[]> Allowed = new()
    {
        [ModelStage.Development] = [ModelStage.Staging, ModelStage.Deprecated, ModelStage.Archived],
        [ModelStage.Staging] = [ModelStage.Development, ModelStage.Canary, ModelStage.Production, ModelStage.Deprecated, ModelStage.Archived],
        [ModelStage.Canary] = [ModelStage.Staging, ModelStage.Production, ModelStage.Deprecated, ModelStage.Archived],
        [ModelStage.Production] = [ModelStage.Deprecated, ModelStage.Archived],
        [ModelStage.Deprecated] = [ModelStage.Archived],
        [ModelStage.Archived] = [ModelStage.Staging],
        [ModelStage.RolledBack] = [ModelStage.Staging, ModelStage.Archived],
    };

    /// <summary>Whether a transition from <paramref name="from"/> to <paramref name="to"/> is in the table.</summary>
    /// <param name="from">The current stage.</param>
    /// <param name="to">The target stage.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public static bool IsAllowed(ModelStage from, ModelStage to)
        => Allowed.TryGetValue(from, out var targets) && Array.IndexOf(targets, to) >= 0;

    /// <summary>The stages reachable from <paramref name="from"/>.</summary>
    /// <param name="from">The current stage.</param>
    /// <returns>The allowed targets.</returns>
    public static IReadOnlyList<ModelStage> AllowedFrom(ModelStage from)
        => Allowed.TryGetValue(from, out var targets) ? targets : [];
}
