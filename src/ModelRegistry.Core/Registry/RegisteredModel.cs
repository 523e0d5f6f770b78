namespace ModelRegistry.Registry;

/// <summary>A named, owned model (for example <c>fraud-detector</c>) and the aliases that point at its versions.</summary>
public sealed record RegisteredModel
{
    /// <summary>The model name as typed at registration; unique case-insensitively.</summary>
    public required string Name { get; init; }

    /// <summary>What the model does.</summary>
    public string? Description { get; init; }

    /// <summary>The people or teams accountable for the model (at least one).</summary>
    public required IReadOnlyList<string> Owners { get; init; }

    /// <summary>The EU AI Act risk class.</summary>
    public RiskTier RiskTier { get; init; }

    /// <summary>The task, such as <c>classification</c> or <c>chat</c>.</summary>
    public string? Task { get; init; }

    /// <summary>The framework, such as <c>pytorch</c>.</summary>
    public string? Framework { get; init; }

    /// <summary>The provider family, such as <c>OpenAI</c> or <c>SelfHosted</c>.</summary>
    public string? Provider { get; init; }

    /// <summary>Free-form tags (key ≤ 250, value ≤ 5,000 characters).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMap.Strings;

    /// <summary>Active or deprecated.</summary>
    public ModelStatus Status { get; init; }

    /// <summary>The model that replaces this one, when deprecated with a replacement.</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>Why the model was deprecated.</summary>
    public string? DeprecationReason { get; init; }

    /// <summary>Aliases (name → version text) defined on this model; <c>latest</c> is implicit and never stored.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = EmptyMap.Strings;

    /// <summary>Versions that were in production before the current one, most recent last; rollback restores the last.</summary>
    public IReadOnlyList<string> ProductionHistory { get; init; } = [];

    /// <summary>When the model was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who registered the model.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the model was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who last changed the model.</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>Optimistic-concurrency revision; 1 after registration, incremented by every change.</summary>
    public long Revision { get; init; }
}

/// <summary>A file or image that belongs to a model version.</summary>
/// <param name="Type">What the artifact is.</param>
/// <param name="Uri">Where it is stored.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its content (64 characters).</param>
/// <param name="SizeBytes">Size in bytes (≥ 0).</param>
/// <param name="License">SPDX licence identifier or name, if known.</param>
public sealed record ModelArtifact(ArtifactType Type, string Uri, string? Sha256 = null, long? SizeBytes = null, string? License = null);

internal static class EmptyMap
{
    public static readonly IReadOnlyDictionary<string, string> Strings = new Dictionary<string, string>(StringComparer.Ordinal);
    public static readonly IReadOnlyDictionary<string, double> Numbers = new Dictionary<string, double>(StringComparer.Ordinal);
}
