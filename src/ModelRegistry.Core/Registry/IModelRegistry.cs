namespace ModelRegistry.Registry;

/// <summary>
/// Registered models, their semantic versions, stages, aliases, tags, artifacts and provider bindings; search and retention.
/// Every mutation is validated before anything is written and is committed atomically with its audit record.
/// </summary>
public interface IModelRegistry
{
    /// <summary>Registers a model.</summary>
    /// <param name="request">What to register.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The registered model (revision 1).</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.AlreadyExists"/> when the name is taken (case-insensitively); <see cref="ErrorCode.InvalidArgument"/> for bad input.</exception>
    Task<RegisteredModel> RegisterModelAsync(RegisterModelRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a model by name (case-insensitive).</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when there is no such model.</exception>
    Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Updates a model's descriptive fields.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="update">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Marks a model deprecated, optionally naming the model that replaces it.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="reason">Why it is deprecated.</param>
    /// <param name="replacedBy">The replacement model, which must exist and differ from this one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    Task<RegisteredModel> DeprecateModelAsync(string name, string reason, string? replacedBy = null, CancellationToken cancellationToken = default);

    /// <summary>Returns a deprecated model to active use.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    Task<RegisteredModel> UndeprecateModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a model and its versions. Refused while any version is in canary or production; the audit trail keeps the history.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="expectedRevision">The model revision the deletion is based on, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the model is deleted.</returns>
    Task DeleteModelAsync(string name, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>Sets (adds or replaces) a tag on a model.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="key">Tag key (1–250 characters).</param>
    /// <param name="value">Tag value (≤ 5,000 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    Task<RegisteredModel> SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes a tag from a model.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="key">Tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the tag is not set.</exception>
    Task<RegisteredModel> DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default);

    /// <summary>Creates a version of a model.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="request">The version definition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created version in <see cref="ModelStage.Development"/>, or the earlier one with the same idempotency key.</returns>
    Task<ModelVersion> CreateVersionAsync(string modelName, CreateVersionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a version by model name and semantic version (build metadata ignored).</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's versions, highest first.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Resolves a model URI: <c>models:/name/1.2.0</c>, <c>models:/name@alias</c>, <c>models:/name/production</c> (or any stage), <c>models:/name/latest</c>.</summary>
    /// <param name="modelUri">The URI.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The one version it names.</returns>
    Task<ModelVersion> ResolveAsync(string modelUri, CancellationToken cancellationToken = default);

    /// <summary>Changes a version's description.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="description">The new description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> UpdateVersionDescriptionAsync(string modelName, string version, string? description, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag on a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="key">Tag key (1–250 characters).</param>
    /// <param name="value">Tag value (≤ 5,000 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes a tag from a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="key">Tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a version to another stage, following the table in <see cref="StageTransitions"/> and every registered
    /// <see cref="IPromotionGate"/>. Promoting to production archives the previous production version and remembers it for rollback.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="target">The target stage.</param>
    /// <param name="options">Canary percentage, reason, expected revision.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version in its new stage.</returns>
    Task<ModelVersion> TransitionStageAsync(string modelName, string version, ModelStage target, StageTransitionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Changes the traffic percentage of the model's canary version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The canary version.</param>
    /// <param name="percent">1–99.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> SetCanaryTrafficAsync(string modelName, string version, int percent, CancellationToken cancellationToken = default);

    /// <summary>Restores the previous production version in one atomic step and marks the current one <see cref="ModelStage.RolledBack"/>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="reason">Why; recorded in the audit trail.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The restored and the rolled-back versions.</returns>
    Task<RollbackResult> RollbackAsync(string modelName, string reason, CancellationToken cancellationToken = default);

    /// <summary>Points an alias at a version, moving it if it already exists. <c>latest</c> is reserved.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias (<c>^[A-Za-z0-9_-]{1,64}$</c>).</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model with its aliases.</returns>
    Task<RegisteredModel> SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default);

    /// <summary>Removes an alias.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    Task<RegisteredModel> DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Adds a provider binding to a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="binding">The binding.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> AddProviderBindingAsync(string modelName, string version, ProviderBindingRequest binding, CancellationToken cancellationToken = default);

    /// <summary>Updates a provider binding.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="bindingId">The binding id.</param>
    /// <param name="update">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> UpdateProviderBindingAsync(string modelName, string version, string bindingId, ProviderBindingUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Removes a provider binding.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <param name="bindingId">The binding id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    Task<ModelVersion> RemoveProviderBindingAsync(string modelName, string version, string bindingId, CancellationToken cancellationToken = default);

    /// <summary>Lists provider bindings matching the query.</summary>
    /// <param name="query">Filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Matching bindings with their versions.</returns>
    Task<IReadOnlyList<ProviderBindingEntry>> ListProviderBindingsAsync(ProviderBindingQuery query, CancellationToken cancellationToken = default);

    /// <summary>Searches models with a filter expression, ordering and keyset paging.</summary>
    /// <param name="request">The search.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page of models.</returns>
    Task<Page<RegisteredModel>> SearchModelsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Searches versions of all models with a filter expression, ordering and keyset paging.</summary>
    /// <param name="request">The search.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page of versions.</returns>
    Task<Page<ModelVersion>> SearchVersionsAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Archives versions beyond the last N of each model, never those in staging, canary or production or holding an alias.</summary>
    /// <param name="request">Scope, N and dry-run flag.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan or outcome.</returns>
    Task<RetentionResult> ApplyRetentionAsync(RetentionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counts models and versions.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics.</returns>
    Task<RegistryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);
}
