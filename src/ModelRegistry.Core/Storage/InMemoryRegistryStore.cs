using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage;

/// <summary>
/// The default store: everything in process memory, nothing persisted. It is the reference implementation of the
/// storage seam and the fake that unit tests use. Thread-safe: one lock serialises commits and reads see whole commits.
/// </summary>
internal sealed class InMemoryRegistryStore : IRegistryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegisteredModel> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, ModelVersion>> _versions = new(StringComparer.Ordinal);
    private readonly List<AuditRecord> _audit = [];
    private readonly Dictionary<(string Collection, string Key), StoredDocument> _documents = [];

    internal static string ModelKey(string name) => name.ToUpperInvariant();

    public ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_models.GetValueOrDefault(ModelKey(name)));
        }
    }

    public ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(
                _versions.TryGetValue(ModelKey(modelName), out var byKey) ? byKey.GetValueOrDefault(version.SortKey) : null);
        }
    }

    public ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ModelVersion> list = _versions.TryGetValue(ModelKey(modelName), out var byKey) ? [.. byKey.Values] : [];
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask<ModelVersion?> FindLatestVersionAsync(string modelName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Sorted by SortKey, whose ordinal order is precedence order.
            return ValueTask.FromResult(_versions.TryGetValue(ModelKey(modelName), out var byKey) && byKey.Count > 0 ? byKey.Values.Last() : null);
        }
    }

    public ValueTask<ModelVersion?> FindVersionByContentHashAsync(string modelName, string contentHash, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var found = _versions.TryGetValue(ModelKey(modelName), out var byKey)
                ? byKey.Values.FirstOrDefault(v => string.Equals(v.ContentHash, contentHash, StringComparison.Ordinal))
                : null;
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var found = _versions.TryGetValue(ModelKey(modelName), out var byKey)
                ? byKey.Values.FirstOrDefault(v => string.Equals(v.IdempotencyKey, idempotencyKey, StringComparison.Ordinal))
                : null;
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken)
    {
        RegisteredModel[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _models.Values];
        }

        IReadOnlyList<RegisteredModel> result = [.. snapshot
            .Where(m => FilterEvaluator.Matches(query.Filter, m))
            .Order(SearchOrdering.ForModels(query.OrderBy))
            .Take(query.Limit)];
        return ValueTask.FromResult(result);
    }

    public ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken)
    {
        List<(ModelVersion Version, RegisteredModel Model)> snapshot = [];
        lock (_gate)
        {
            foreach (var (key, byKey) in _versions)
            {
                var model = _models[key];
                snapshot.AddRange(byKey.Values.Select(v => (v, model)));
            }
        }

        IReadOnlyList<ModelVersion> result = [.. snapshot
            .Where(p => FilterEvaluator.Matches(query.Filter, p.Version, p.Model))
            .Select(p => p.Version)
            .Order(SearchOrdering.ForVersions(query.OrderBy))
            .Take(query.Limit)];
        return ValueTask.FromResult(result);
    }

    public ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Check every write against the current state first, so a failure leaves nothing applied.
            var pendingModels = new Dictionary<string, RegisteredModel?>(StringComparer.Ordinal);
            var pendingVersions = new Dictionary<(string, string), ModelVersion?>();
            var pendingDocuments = new Dictionary<(string, string), PutDocument>();
            foreach (var write in transaction.Writes)
            {
                switch (write)
                {
                    case PutModel put:
                    {
                        var key = ModelKey(put.Model.Name);
                        var current = pendingModels.TryGetValue(key, out var p) ? p : _models.GetValueOrDefault(key);
                        CheckRevision(current?.Revision ?? 0, put.ExpectedRevision, $"model:{put.Model.Name}");
                        pendingModels[key] = put.Model;
                        break;
                    }

                    case DeleteModel delete:
                    {
                        var key = ModelKey(delete.Name);
                        var current = pendingModels.TryGetValue(key, out var p) ? p : _models.GetValueOrDefault(key);
                        CheckRevision(current?.Revision ?? 0, delete.ExpectedRevision, $"model:{delete.Name}");
                        pendingModels[key] = null;
                        break;
                    }

                    case PutVersion put:
                    {
                        var mkey = ModelKey(put.Version.ModelName);
                        var vkey = (mkey, put.Version.Version.SortKey);
                        var current = pendingVersions.TryGetValue(vkey, out var p)
                            ? p
                            : _versions.TryGetValue(mkey, out var byKey) ? byKey.GetValueOrDefault(vkey.SortKey) : null;
                        CheckRevision(current?.Revision ?? 0, put.ExpectedRevision, $"version:{put.Version.ModelName}/{put.Version.Version}");
                        pendingVersions[vkey] = put.Version;
                        break;
                    }

                    case PutDocument put:
                    {
                        var key = (put.Collection, put.Key);
                        var stored = pendingDocuments.TryGetValue(key, out var p) ? p.ExpectedRevision + 1 : _documents.GetValueOrDefault(key)?.Revision ?? 0;
                        CheckRevision(stored, put.ExpectedRevision, $"{put.Collection}:{put.Key}");
                        pendingDocuments[key] = put;
                        break;
                    }

                    default:
                        throw new ModelRegistryException(ErrorCode.InvalidArgument, $"The in-memory store does not support {write.GetType().Name}.");
                }
            }

            foreach (var ((mkey, _), version) in pendingVersions)
            {
                var modelExists = pendingModels.TryGetValue(mkey, out var pm) ? pm is not null : _models.ContainsKey(mkey);
                if (version is not null && !modelExists)
                {
                    throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"Model '{version.ModelName}' no longer exists, so version {version.Version} cannot be written; it was deleted by another writer.", $"model:{version.ModelName}");
                }
            }

            foreach (var (key, model) in pendingModels)
            {
                if (model is null)
                {
                    _models.Remove(key);
                    _versions.Remove(key);
                }
                else
                {
                    _models[key] = model;
                }
            }

            foreach (var ((mkey, vkey), version) in pendingVersions)
            {
                if (version is null)
                {
                    continue;
                }

                if (!_versions.TryGetValue(mkey, out var byKey))
                {
                    _versions[mkey] = byKey = new SortedDictionary<string, ModelVersion>(StringComparer.Ordinal);
                }

                byKey[vkey] = version;
            }

            var sealedRecords = new List<AuditRecord>(transaction.Audit.Count);
            foreach (var draft in transaction.Audit)
            {
                var head = _audit.Count == 0 ? null : _audit[^1];
                var record = AuditChain.Seal(draft, head?.Sequence ?? 0, head?.Hash ?? AuditChain.GenesisHash);
                _audit.Add(record);
                sealedRecords.Add(record);
            }

            var changeSequence = _audit.Count == 0 ? 0 : _audit[^1].Sequence;
            foreach (var (key, put) in pendingDocuments)
            {
                _documents[key] = new StoredDocument(put.Collection, put.Key, put.Json, put.Index, put.ExpectedRevision + 1, changeSequence);
            }

            return ValueTask.FromResult<IReadOnlyList<AuditRecord>>(sealedRecords);
        }
    }

    private static void CheckRevision(long stored, long expected, string subject)
    {
        if (stored == expected)
        {
            return;
        }

        if (expected == 0)
        {
            throw new ModelRegistryException(ErrorCode.AlreadyExists, $"{subject} already exists.", subject);
        }

        throw new ModelRegistryException(
            ErrorCode.ConcurrencyConflict,
            stored == 0
                ? $"{subject} no longer exists; it was deleted by another writer."
                : $"{subject} is at revision {stored}, not {expected}; it was changed by another writer. Read it again and retry.",
            subject);
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var start = (int)Math.Min(Math.Max(afterSequence, 0), _audit.Count);
            IReadOnlyList<AuditRecord> result = [.. _audit.Skip(start).Where(r => AuditFilter.Matches(filter, r)).Take(limit)];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_documents.GetValueOrDefault((collection, key)));
        }
    }

    public ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredDocument> result = [.. _documents.Values
                .Where(d => d.Collection == query.Collection && d.ChangeSequence > query.AfterChangeSequence)
                .Where(d => query.Index is null || string.Equals(d.Index, query.Index, StringComparison.Ordinal))
                .OrderBy(d => d.ChangeSequence).ThenBy(d => d.Key, CodePoints.Comparer)
                .Take(query.Limit)];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_audit.Count == 0 ? 0L : _audit[^1].Sequence);
        }
    }

    /// <summary>Test hook: lets tamper tests edit the in-memory trail as an attacker would edit a file.</summary>
    internal void TamperAudit(Action<List<AuditRecord>> edit)
    {
        lock (_gate)
        {
            edit(_audit);
        }
    }
}
