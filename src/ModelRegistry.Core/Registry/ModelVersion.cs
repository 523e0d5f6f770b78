namespace ModelRegistry.Registry;

/// <summary>
/// An immutable snapshot of a model. Only <see cref="Stage"/>, <see cref="CanaryTrafficPercent"/>, <see cref="Tags"/>,
/// <see cref="Description"/> and <see cref="ProviderBindings"/> change after creation.
/// </summary>
public sealed record ModelVersion
{
    /// <summary>The owning model's name as registered.</summary>
    public required string ModelName { get; init; }

    /// <summary>The semantic version.</summary>
    public required SemanticVersion Version { get; init; }

    /// <summary>What changed in this version.</summary>
    public string? Description { get; init; }

    /// <summary>The source-control commit the version was built from.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>The training run that produced it.</summary>
    public string? RunId { get; init; }

    /// <summary>Training parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = EmptyMap.Strings;

    /// <summary>Metrics recorded at creation (finite numbers).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = EmptyMap.Numbers;

    /// <summary>Files and images.</summary>
    public IReadOnlyList<ModelArtifact> Artifacts { get; init; } = [];

    /// <summary>The version this one was derived from (fine-tuned, distilled, retrained), as a model URI <c>models:/name/version</c>.</summary>
    public string? DerivedFrom { get; init; }

    /// <summary>Free-form tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMap.Strings;

    /// <summary>The current stage.</summary>
    public ModelStage Stage { get; init; }

    /// <summary>Percentage of traffic (1–99) while in <see cref="ModelStage.Canary"/>; otherwise <see langword="null"/>.</summary>
    public int? CanaryTrafficPercent { get; init; }

    /// <summary>Lower-case hex SHA-256 over the canonical JSON of the version's immutable definition.</summary>
    public required string ContentHash { get; init; }

    /// <summary>The idempotency key the version was created with, if any.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>How providers serve this version.</summary>
    public IReadOnlyList<ProviderBinding> ProviderBindings { get; init; } = [];

    /// <summary>When the version was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who last changed it.</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>When it entered its current stage.</summary>
    public DateTimeOffset StageChangedAt { get; init; }

    /// <summary>Optimistic-concurrency revision; 1 after creation.</summary>
    public long Revision { get; init; }

    /// <summary>The version's model URI, <c>models:/name/version</c>.</summary>
    public string Uri => $"models:/{ModelName}/{Version}";
}
