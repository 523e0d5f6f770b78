namespace ModelRegistry.Registry;

/// <summary>The EU AI Act risk classes a model is registered under.</summary>
public enum RiskTier
{
    /// <summary>Minimal risk (most models).</summary>
    Minimal = 0,

    /// <summary>Limited risk: transparency obligations apply.</summary>
    Limited = 1,

    /// <summary>High risk: documentation, evaluation, oversight and logging are required.</summary>
    High = 2,

    /// <summary>Prohibited practice: may be registered for the record but never promoted.</summary>
    Unacceptable = 3,
}

/// <summary>Whether a registered model is in active use.</summary>
public enum ModelStatus
{
    /// <summary>In use.</summary>
    Active = 0,

    /// <summary>Deprecated, optionally with a replacement model.</summary>
    Deprecated = 1,
}

/// <summary>Where a model version runs. The allowed moves between stages are listed in <see cref="StageTransitions"/>.</summary>
public enum ModelStage
{
    /// <summary>Newly created; not serving.</summary>
    Development = 0,

    /// <summary>Under pre-production validation.</summary>
    Staging = 1,

    /// <summary>Serving a percentage of traffic next to production.</summary>
    Canary = 2,

    /// <summary>Serving production traffic. At most one per model.</summary>
    Production = 3,

    /// <summary>No longer recommended; kept for reference.</summary>
    Deprecated = 4,

    /// <summary>Retired. A previous production version is archived and remembered for rollback.</summary>
    Archived = 5,

    /// <summary>Was production and was replaced by a rollback.</summary>
    RolledBack = 6,
}

/// <summary>The kind of file or image an artifact is.</summary>
public enum ArtifactType
{
    /// <summary>Model weights.</summary>
    Weights = 0,

    /// <summary>A container image.</summary>
    Container = 1,

    /// <summary>A tokenizer.</summary>
    Tokenizer = 2,

    /// <summary>Configuration.</summary>
    Config = 3,

    /// <summary>Anything else.</summary>
    Other = 4,
}

/// <summary>Operational status of a provider binding.</summary>
public enum BindingStatus
{
    /// <summary>Serving normally.</summary>
    Active = 0,

    /// <summary>Serving with degraded latency or success rate.</summary>
    Degraded = 1,

    /// <summary>Not serving.</summary>
    Disabled = 2,
}
