using ModelRegistry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Registry.Internal;

internal sealed partial class RegistryService
{
    public Task<ModelVersion> CreateVersionAsync(string modelName, CreateVersionRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        Guard.NotNull(request);
        var explicitVersion = request.Version is null ? null : SemanticVersion.Parse(request.Version);
        Guard.Defined(request.Increment);
        var description = Validation.Text(request.Description, "description");
        var commit = Validation.Text(request.SourceCommit, "sourceCommit", Validation.MaxShortTextLength);
        var runId = Validation.Text(request.RunId, "runId", Validation.MaxShortTextLength);
        var parameters = Validation.Parameters(request.Parameters, _options.MaxMetadataBytes);
        var metrics = Validation.Metrics(request.Metrics);
        var artifacts = (request.Artifacts ?? []).Select(Validation.Artifact).ToList();
        var tags = Validation.Tags(request.Tags, _options.MaxMetadataBytes);
        var idempotencyKey = Validation.Text(request.IdempotencyKey, "idempotencyKey", 128);
        if (idempotencyKey is not null && string.IsNullOrWhiteSpace(idempotencyKey))
        {
            throw Guard.Invalid("idempotencyKey", "An idempotency key cannot be blank.");
        }

        var bindingRequests = request.ProviderBindings ?? [];
        foreach (var b in bindingRequests)
        {
            ValidateBinding(b);
        }

        return RetryAsync(explicitVersion is null || idempotencyKey is not null, async () =>
        {
            var model = await LoadModelAsync(modelName, cancellationToken);
            var actor = Actor;
            var now = _clock.Now();

            string? derivedFrom = null;
            ModelVersion? parent = null;
            if (request.DerivedFrom is not null)
            {
                parent = await ResolveAsync(request.DerivedFrom, cancellationToken);
                derivedFrom = parent.Uri;
            }

            var draft = new ModelVersion
            {
                ModelName = model.Name,
                Version = explicitVersion ?? SemanticVersion.Create(1, 0, 0),
                Description = description,
                SourceCommit = commit,
                RunId = runId,
                Parameters = parameters,
                Metrics = metrics,
                Artifacts = artifacts,
                DerivedFrom = derivedFrom,
                Tags = tags,
                Stage = ModelStage.Development,
                ContentHash = string.Empty,
                IdempotencyKey = idempotencyKey,
                CreatedAt = now,
                CreatedBy = actor,
                UpdatedAt = now,
                UpdatedBy = actor,
                StageChangedAt = now,
                Revision = 1,
            };
            var hash = ContentHash.Compute(draft);

            if (idempotencyKey is not null && await _store.FindVersionByIdempotencyKeyAsync(model.Name, idempotencyKey, cancellationToken) is { } earlier)
            {
                if (!string.Equals(earlier.ContentHash, hash, StringComparison.Ordinal) || (explicitVersion is not null && explicitVersion != earlier.Version))
                {
                    throw new ModelRegistryException(ErrorCode.AlreadyExists, $"Idempotency key '{idempotencyKey}' was already used to create version {earlier.Version} of '{model.Name}' with different content; use a new key for a different version.", AuditData.VersionSubject(model.Name, earlier.Version));
                }

                return earlier;
            }

            // Point lookups, not a listing: the cost of a create must not grow with the model's history.
            SemanticVersion version;
            if (explicitVersion is null)
            {
                var latest = await _store.FindLatestVersionAsync(model.Name, cancellationToken);
                version = latest is null ? SemanticVersion.Create(1, 0, 0) : latest.Version.Next(request.Increment);
            }
            else if (await _store.FindVersionAsync(model.Name, explicitVersion, cancellationToken) is { } clash)
            {
                throw new ModelRegistryException(ErrorCode.AlreadyExists, $"Model '{model.Name}' already has version {clash.Version}; versions are immutable, so create a new version number (or omit Version to get the next one).", AuditData.VersionSubject(model.Name, clash.Version));
            }
            else
            {
                version = explicitVersion;
            }

            if (!request.AllowDuplicateContent && !ContentHash.IsEmpty(draft) && await _store.FindVersionByContentHashAsync(model.Name, hash, cancellationToken) is { } same)
            {
                throw new ModelRegistryException(ErrorCode.AlreadyExists, $"Version {same.Version} of '{model.Name}' has exactly the same content (hash {hash[..12]}…); point an alias at it instead, or set AllowDuplicateContent to register it again.", AuditData.VersionSubject(model.Name, same.Version));
            }

            var bindings = new List<ProviderBinding>();
            foreach (var b in bindingRequests)
            {
                var binding = NewBinding(b, now);
                if (bindings.Any(x => x.Id == binding.Id))
                {
                    throw Guard.Invalid("providerBindings", $"Two provider bindings have the id '{binding.Id}'; give them distinct ids.");
                }

                bindings.Add(binding);
            }

            var created = draft with { Version = version, ContentHash = hash, ProviderBindings = bindings };
            var lineage = await DerivedFromLineageAsync(created, parent, now, actor, cancellationToken);
            await CommitVersionAsync(
                [new PutVersion(created, 0), .. lineage.Writes],
                [AuditData.Draft(now, actor, "version.created", AuditData.VersionSubject(model.Name, version), created), .. lineage.Audit],
                created,
                lineage,
                cancellationToken);
            return created;
        });
    }

    public async Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
        => await LoadVersionAsync(modelName, version, cancellationToken);

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken = default)
    {
        var model = await LoadModelAsync(Guard.NotEmpty(modelName), cancellationToken);
        var versions = await _store.ListVersionsAsync(model.Name, cancellationToken);
        return [.. versions.OrderByDescending(v => v.Version)];
    }

    public async Task<ModelVersion> ResolveAsync(string modelUri, CancellationToken cancellationToken = default)
    {
        var uri = ModelUri.Parse(Guard.NotEmpty(modelUri));
        var model = await LoadModelAsync(uri.ModelName, cancellationToken);
        switch (uri.Kind)
        {
            case ModelUriKind.Version:
                return await _store.FindVersionAsync(model.Name, uri.Version!, cancellationToken)
                       ?? throw new ModelRegistryException(ErrorCode.NotFound, $"'{modelUri}' names version {uri.Version} of '{model.Name}', which does not exist.", AuditData.VersionSubject(model.Name, uri.Version!));
            case ModelUriKind.Alias:
                if (!model.Aliases.TryGetValue(uri.Alias!, out var aliased))
                {
                    throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no alias '{uri.Alias}'. Set it with SetAliasAsync.", AuditData.ModelSubject(model.Name));
                }

                return await _store.FindVersionAsync(model.Name, SemanticVersion.Parse(aliased), cancellationToken)
                       ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Alias '{uri.Alias}' of '{model.Name}' points at version {aliased}, which no longer exists.", AuditData.ModelSubject(model.Name));
            case ModelUriKind.Latest:
            {
                return await _store.FindLatestVersionAsync(model.Name, cancellationToken)
                       ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no versions yet, so 'latest' names nothing.", AuditData.ModelSubject(model.Name));
            }

            default:
            {
                var versions = await _store.ListVersionsAsync(model.Name, cancellationToken);
                return versions.Where(v => v.Stage == uri.Stage).MaxBy(v => v.Version)
                       ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no version in {uri.Stage}.", AuditData.ModelSubject(model.Name));
            }
        }
    }

    public Task<ModelVersion> UpdateVersionDescriptionAsync(string modelName, string version, string? description, CancellationToken cancellationToken = default)
    {
        Validation.Text(description, "description");
        return MutateVersionAsync(modelName, version, null, "version.description_set", (v, _) => (v with { Description = description }, new { description }), cancellationToken);
    }

    public Task<ModelVersion> SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default)
    {
        Validation.TagKey(key);
        Validation.TagValue(value);
        return MutateVersionAsync(modelName, version, null, "version.tag_set", (v, _) =>
        {
            var tags = new Dictionary<string, string>(v.Tags, StringComparer.Ordinal) { [key] = value };
            return (v with { Tags = Validation.Tags(tags, _options.MaxMetadataBytes) }, new { key, value });
        }, cancellationToken);
    }

    public Task<ModelVersion> DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default)
    {
        Validation.TagKey(key);
        return MutateVersionAsync(modelName, version, null, "version.tag_deleted", (v, _) =>
        {
            if (!v.Tags.ContainsKey(key))
            {
                throw new ModelRegistryException(ErrorCode.NotFound, $"Version {v.Version} of '{v.ModelName}' has no tag '{key}'.", AuditData.VersionSubject(v.ModelName, v.Version));
            }

            var tags = new Dictionary<string, string>(v.Tags, StringComparer.Ordinal);
            tags.Remove(key);
            return (v with { Tags = tags }, new { key });
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- aliases

    public Task<RegisteredModel> SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        Validation.Alias(alias);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        return SetAliasCoreAsync(modelName, alias, semver, cancellationToken);
    }

    private async Task<RegisteredModel> SetAliasCoreAsync(string modelName, string alias, SemanticVersion semver, CancellationToken cancellationToken)
    {
        // MutateModelAsync already retries conflicts on the model; the version only has to exist (deleting it means
        // deleting the model, which that conflict check catches).
        var target = await LoadVersionAsync(modelName, semver.ToString(), cancellationToken);
        return await MutateModelAsync(modelName, null, "alias.set", (m, _) =>
        {
            var aliases = new Dictionary<string, string>(m.Aliases, StringComparer.Ordinal) { [alias] = target.Version.ToString() };
            m.Aliases.TryGetValue(alias, out var previous);
            return (m with { Aliases = aliases }, new { alias, version = target.Version.ToString(), previous });
        }, cancellationToken);
    }

    public Task<RegisteredModel> DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        Validation.Alias(alias);
        return MutateModelAsync(modelName, null, "alias.deleted", (m, _) =>
        {
            if (!m.Aliases.TryGetValue(alias, out var previous))
            {
                throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{m.Name}' has no alias '{alias}'.", AuditData.ModelSubject(m.Name));
            }

            var aliases = new Dictionary<string, string>(m.Aliases, StringComparer.Ordinal);
            aliases.Remove(alias);
            return (m with { Aliases = aliases }, new { alias, previous });
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- provider bindings

    private static void ValidateBinding(ProviderBindingRequest b)
    {
        Guard.NotNull(b);
        Validation.Text(b.Provider, "provider", 64, required: true);
        Validation.Text(b.ProviderModelId, "providerModelId", Validation.MaxShortTextLength, required: true);
        if (b.Id is not null)
        {
            Validation.BindingId(b.Id);
        }

        Validation.Endpoint(b.Endpoint);
        Validation.Text(b.Region, "region", 64);
        Validation.Cost(b.CostPer1KInputTokens, "costPer1KInputTokens");
        Validation.Cost(b.CostPer1KOutputTokens, "costPer1KOutputTokens");
        Validation.NonNegative(b.LatencySloMs, "latencySloMs", strictlyPositive: true);
        Guard.Defined(b.Status, "status");
    }

    private static ProviderBinding NewBinding(ProviderBindingRequest b, DateTimeOffset now)
    {
        var id = b.Id ?? GenerateBindingId(b.Provider, b.ProviderModelId);
        return new ProviderBinding
        {
            Id = id,
            Provider = b.Provider.Trim(),
            ProviderModelId = b.ProviderModelId,
            Endpoint = b.Endpoint,
            Region = b.Region,
            CostPer1KInputTokens = b.CostPer1KInputTokens,
            CostPer1KOutputTokens = b.CostPer1KOutputTokens,
            LatencySloMs = b.LatencySloMs,
            Status = b.Status,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    private static string GenerateBindingId(string provider, string modelId)
    {
        var raw = $"{provider.Trim()}:{modelId}".ToLowerInvariant();
        var chars = raw.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-' ? c : '-').Take(128).ToArray();
        return new string(chars);
    }

    public Task<ModelVersion> AddProviderBindingAsync(string modelName, string version, ProviderBindingRequest binding, CancellationToken cancellationToken = default)
    {
        ValidateBinding(binding);
        return MutateVersionAsync(modelName, version, null, "binding.added", (v, now) =>
        {
            var created = NewBinding(binding, now);
            if (v.ProviderBindings.Any(x => x.Id == created.Id))
            {
                throw new ModelRegistryException(ErrorCode.AlreadyExists, $"Version {v.Version} of '{v.ModelName}' already has a provider binding '{created.Id}'; update it, or give the new binding another id.", AuditData.VersionSubject(v.ModelName, v.Version));
            }

            return (v with { ProviderBindings = [.. v.ProviderBindings, created] }, created);
        }, cancellationToken);
    }

    public Task<ModelVersion> UpdateProviderBindingAsync(string modelName, string version, string bindingId, ProviderBindingUpdate update, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(bindingId);
        Guard.NotNull(update);
        Validation.Endpoint(update.Endpoint);
        Validation.Text(update.Region, "region", 64);
        if (update.CostPer1KInputTokens is { } ci)
        {
            Validation.Cost(ci, "costPer1KInputTokens");
        }

        if (update.CostPer1KOutputTokens is { } co)
        {
            Validation.Cost(co, "costPer1KOutputTokens");
        }

        Validation.NonNegative(update.LatencySloMs, "latencySloMs", strictlyPositive: true);
        Validation.NonNegative(update.ObservedLatencyMs, "observedLatencyMs");
        Validation.Rate(update.ObservedSuccessRate, "observedSuccessRate");
        if (update.Status is { } s)
        {
            Guard.Defined(s, "status");
        }

        return MutateVersionAsync(modelName, version, null, "binding.updated", (v, now) =>
        {
            var existing = FindBinding(v, bindingId);
            var changed = existing with
            {
                Endpoint = update.Endpoint ?? existing.Endpoint,
                Region = update.Region ?? existing.Region,
                CostPer1KInputTokens = update.CostPer1KInputTokens ?? existing.CostPer1KInputTokens,
                CostPer1KOutputTokens = update.CostPer1KOutputTokens ?? existing.CostPer1KOutputTokens,
                LatencySloMs = update.LatencySloMs ?? existing.LatencySloMs,
                Status = update.Status ?? existing.Status,
                ObservedLatencyMs = update.ObservedLatencyMs ?? existing.ObservedLatencyMs,
                ObservedSuccessRate = update.ObservedSuccessRate ?? existing.ObservedSuccessRate,
                UpdatedAt = now,
            };
            return (v with { ProviderBindings = [.. v.ProviderBindings.Select(x => x.Id == bindingId ? changed : x)] }, changed);
        }, cancellationToken);
    }

    public Task<ModelVersion> RemoveProviderBindingAsync(string modelName, string version, string bindingId, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(bindingId);
        return MutateVersionAsync(modelName, version, null, "binding.removed", (v, _) =>
        {
            var existing = FindBinding(v, bindingId);
            return (v with { ProviderBindings = [.. v.ProviderBindings.Where(x => x.Id != bindingId)] }, existing);
        }, cancellationToken);
    }

    private static readonly StoreQuery AllVersionsQuery = new(
        null,
        [new Search.SortKey(new Search.FieldRef(Search.SearchField.Name), false), new Search.SortKey(new Search.FieldRef(Search.SearchField.Version), false)],
        int.MaxValue);

    private static readonly StoreQuery AllModelsQuery = new(null, [new Search.SortKey(new Search.FieldRef(Search.SearchField.Name), false)], int.MaxValue);

    private static ProviderBinding FindBinding(ModelVersion v, string bindingId)
        => v.ProviderBindings.FirstOrDefault(x => x.Id == bindingId)
           ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Version {v.Version} of '{v.ModelName}' has no provider binding '{Validation.Show(bindingId)}'.", AuditData.VersionSubject(v.ModelName, v.Version));

    public async Task<IReadOnlyList<ProviderBindingEntry>> ListProviderBindingsAsync(ProviderBindingQuery query, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(query);
        Validation.Rate(query.MinimumSuccessRate, "minimumSuccessRate");
        if (query.Status is { } s)
        {
            Guard.Defined(s, "status");
        }

        IEnumerable<ModelVersion> versions;
        if (query.ModelName is not null)
        {
            versions = query.Version is not null
                ? [await LoadVersionAsync(query.ModelName, query.Version, cancellationToken)]
                : await ListVersionsAsync(query.ModelName, cancellationToken);
        }
        else if (query.Version is not null)
        {
            throw Guard.Invalid("version", "A version filter needs a ModelName as well.");
        }
        else
        {
            versions = await _store.QueryVersionsAsync(AllVersionsQuery, cancellationToken);
        }

        return [.. versions
            .SelectMany(v => v.ProviderBindings.Select(b => new ProviderBindingEntry(v.ModelName, v.Version, v.Stage, b)))
            .Where(e => query.Provider is null || string.Equals(e.Binding.Provider, query.Provider, StringComparison.OrdinalIgnoreCase))
            .Where(e => query.Status is null || e.Binding.Status == query.Status)
            .Where(e => query.Region is null || string.Equals(e.Binding.Region, query.Region, StringComparison.OrdinalIgnoreCase))
            .Where(e => query.MinimumSuccessRate is null || (e.Binding.ObservedSuccessRate is { } r && r >= query.MinimumSuccessRate))];
    }
}
