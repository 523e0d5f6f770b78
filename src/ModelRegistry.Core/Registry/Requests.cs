namespace ModelRegistry.Registry;

/// <summary>What to register with <see cref="IModelRegistry.RegisterModelAsync"/>.</summary>
public sealed record RegisterModelRequest
{
    /// <summary>1–128 characters of letters, digits, <c>.</c>, <c>_</c> and <c>-</c>; unique case-insensitively.</summary>
    public required string Name { get; init; }

    /// <summary>What the model does.</summary>
    public string? Description { get; init; }

    /// <summary>Accountable people or teams; at least one.</summary>
    public required IReadOnlyList<string> Owners { get; init; }

    /// <summary>The EU AI Act risk class (default <see cref="RiskTier.Minimal"/>).</summary>
    public RiskTier RiskTier { get; init; }

    /// <summary>Task metadata.</summary>
    public string? Task { get; init; }

    /// <summary>Framework metadata.</summary>
    public string? Framework { get; init; }

    /// <summary>Provider metadata.</summary>
    public string? Provider { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>
/// Changes to a registered model. Properties left <see langword="null"/> are not changed.
/// Pass <see cref="ExpectedRevision"/> to fail with <see cref="ErrorCode.ConcurrencyConflict"/> if someone else changed the model first.
/// </summary>
public sealed record ModelUpdate
{
    /// <summary>New description.</summary>
    public string? Description { get; init; }

    /// <summary>New owners (replaces the list).</summary>
    public IReadOnlyList<string>? Owners { get; init; }

    /// <summary>New risk tier.</summary>
    public RiskTier? RiskTier { get; init; }

    /// <summary>New task.</summary>
    public string? Task { get; init; }

    /// <summary>New framework.</summary>
    public string? Framework { get; init; }

    /// <summary>New provider.</summary>
    public string? Provider { get; init; }

    /// <summary>The revision the change is based on.</summary>
    public long? ExpectedRevision { get; init; }
}

/// <summary>What to create with <see cref="IModelRegistry.CreateVersionAsync"/>.</summary>
public sealed record CreateVersionRequest
{
    /// <summary>The explicit semantic version; when <see langword="null"/>, <see cref="Increment"/> is applied to the highest existing version (1.0.0 for the first).</summary>
    public string? Version { get; init; }

    /// <summary>How to compute the next version when <see cref="Version"/> is not given (default patch).</summary>
    public VersionIncrement Increment { get; init; } = VersionIncrement.Patch;

    /// <summary>What changed.</summary>
    public string? Description { get; init; }

    /// <summary>Source commit.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>Training run id.</summary>
    public string? RunId { get; init; }

    /// <summary>Training parameters.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Metrics (finite numbers).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Artifacts.</summary>
    public IReadOnlyList<ModelArtifact>? Artifacts { get; init; }

    /// <summary>The version this one derives from, as <c>models:/name/version</c> or any model URI; it must exist.</summary>
    public string? DerivedFrom { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Initial provider bindings.</summary>
    public IReadOnlyList<ProviderBindingRequest>? ProviderBindings { get; init; }

    /// <summary>
    /// A client-chosen key (≤ 128 characters). Repeating a create with the same key for the same model returns the
    /// version created the first time instead of creating another.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// When <see langword="false"/> (the default), creating a version whose content hash equals an existing version of
    /// the same model is refused with <see cref="ErrorCode.AlreadyExists"/> naming that version.
    /// </summary>
    public bool AllowDuplicateContent { get; init; }
}

/// <summary>A provider binding to add to a version.</summary>
public sealed record ProviderBindingRequest
{
    /// <summary>The binding id; generated from provider and model id when <see langword="null"/>.</summary>
    public string? Id { get; init; }

    /// <summary>Provider name (see <see cref="ModelProviders"/>).</summary>
    public required string Provider { get; init; }

    /// <summary>Model identifier at the provider.</summary>
    public required string ProviderModelId { get; init; }

    /// <summary>Endpoint URI (absolute).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Region.</summary>
    public string? Region { get; init; }

    /// <summary>Price per 1,000 input tokens (≥ 0).</summary>
    public decimal CostPer1KInputTokens { get; init; }

    /// <summary>Price per 1,000 output tokens (≥ 0).</summary>
    public decimal CostPer1KOutputTokens { get; init; }

    /// <summary>Latency objective in milliseconds (&gt; 0).</summary>
    public double? LatencySloMs { get; init; }

    /// <summary>Initial status.</summary>
    public BindingStatus Status { get; init; }
}

/// <summary>Changes to a provider binding; <see langword="null"/> properties are not changed.</summary>
public sealed record ProviderBindingUpdate
{
    /// <summary>New endpoint.</summary>
    public string? Endpoint { get; init; }

    /// <summary>New region.</summary>
    public string? Region { get; init; }

    /// <summary>New input price.</summary>
    public decimal? CostPer1KInputTokens { get; init; }

    /// <summary>New output price.</summary>
    public decimal? CostPer1KOutputTokens { get; init; }

    /// <summary>New latency objective.</summary>
    public double? LatencySloMs { get; init; }

    /// <summary>New status.</summary>
    public BindingStatus? Status { get; init; }

    /// <summary>Observed latency in milliseconds (≥ 0).</summary>
    public double? ObservedLatencyMs { get; init; }

    /// <summary>Observed success rate in [0, 1].</summary>
    public double? ObservedSuccessRate { get; init; }
}

/// <summary>Filters for <see cref="IModelRegistry.ListProviderBindingsAsync"/>; all given filters must match.</summary>
public sealed record ProviderBindingQuery
{
    /// <summary>Only bindings of versions of this model.</summary>
    public string? ModelName { get; init; }

    /// <summary>Only bindings of this version (requires <see cref="ModelName"/>).</summary>
    public string? Version { get; init; }

    /// <summary>Only this provider (case-insensitive).</summary>
    public string? Provider { get; init; }

    /// <summary>Only this status.</summary>
    public BindingStatus? Status { get; init; }

    /// <summary>Only bindings whose observed success rate is at least this.</summary>
    public double? MinimumSuccessRate { get; init; }

    /// <summary>Only this region (case-insensitive).</summary>
    public string? Region { get; init; }
}

/// <summary>A provider binding together with the version it belongs to.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Stage">The version's stage.</param>
/// <param name="Binding">The binding.</param>
public sealed record ProviderBindingEntry(string ModelName, SemanticVersion Version, ModelStage Stage, ProviderBinding Binding);

/// <summary>Options for a stage transition.</summary>
public sealed record StageTransitionOptions
{
    /// <summary>Traffic percentage (1–99); required when the target is <see cref="ModelStage.Canary"/>.</summary>
    public int? CanaryTrafficPercent { get; init; }

    /// <summary>Why the transition is made; recorded in the audit trail.</summary>
    public string? Reason { get; init; }

    /// <summary>The version revision the transition is based on.</summary>
    public long? ExpectedRevision { get; init; }
}

/// <summary>The outcome of a rollback.</summary>
/// <param name="Restored">The previous production version, now in production again.</param>
/// <param name="RolledBack">The version that was in production and is now <see cref="ModelStage.RolledBack"/>.</param>
public sealed record RollbackResult(ModelVersion Restored, ModelVersion RolledBack);

/// <summary>A page of results and the token that fetches the next one.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items on this page.</param>
/// <param name="ContinuationToken">Opaque token for the next page; <see langword="null"/> on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>A search with a filter expression, ordering and paging.</summary>
public sealed record SearchRequest
{
    /// <summary>
    /// The filter, for example <c>name LIKE 'fraud%' AND tags.team = 'risk' AND (stage = 'production' OR risk_tier IN ('High'))</c>.
    /// <see langword="null"/> or empty matches everything. See the filter language reference.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Ordering, for example <c>created_at DESC, name</c>. Ties are broken by identity so paging is stable.</summary>
    public string? OrderBy { get; init; }

    /// <summary>Items per page (1–1,000; default 100).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token returned by the previous page, to continue a search with the same filter and ordering.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>A retention run: keep the last N versions of each model and archive older ones.</summary>
public sealed record RetentionRequest
{
    /// <summary>Only this model; all models when <see langword="null"/>.</summary>
    public string? ModelName { get; init; }

    /// <summary>How many most recent versions to keep (1–10; default from options, 3).</summary>
    public int? KeepLast { get; init; }

    /// <summary>When <see langword="true"/>, returns the plan without changing anything.</summary>
    public bool DryRun { get; init; }
}

/// <summary>Why a version is kept or archived by retention.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Stage">Its stage when planned.</param>
/// <param name="Reason">Why it is kept, or <c>beyond the last N</c> when archived.</param>
public sealed record RetentionDecision(string ModelName, SemanticVersion Version, ModelStage Stage, string Reason);

/// <summary>The plan or outcome of a retention run, with statistics.</summary>
/// <param name="DryRun">Whether anything was changed.</param>
/// <param name="KeepLast">The N applied.</param>
/// <param name="Archived">Versions archived (or to be archived on a dry run).</param>
/// <param name="Kept">Versions kept, with the reason.</param>
/// <param name="ModelsExamined">Number of models looked at.</param>
public sealed record RetentionResult(bool DryRun, int KeepLast, IReadOnlyList<RetentionDecision> Archived, IReadOnlyList<RetentionDecision> Kept, int ModelsExamined);

/// <summary>Counts over the whole registry.</summary>
/// <param name="ModelCount">Registered models.</param>
/// <param name="VersionCount">Versions of all models.</param>
/// <param name="DeprecatedModelCount">Deprecated models.</param>
/// <param name="VersionsByStage">Versions per stage (every stage present, zero when none).</param>
/// <param name="VersionsByProvider">Versions with at least one binding per provider.</param>
/// <param name="ModelsByRiskTier">Models per risk tier (every tier present).</param>
public sealed record RegistryStatistics(
    int ModelCount,
    int VersionCount,
    int DeprecatedModelCount,
    IReadOnlyDictionary<ModelStage, int> VersionsByStage,
    IReadOnlyDictionary<string, int> VersionsByProvider,
    IReadOnlyDictionary<RiskTier, int> ModelsByRiskTier);
