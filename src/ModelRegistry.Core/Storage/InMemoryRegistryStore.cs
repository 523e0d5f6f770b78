using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage;

/// <summary>
/// The default store: everything in process memory, nothing persisted. It is the reference implementation of the
/// storage seam and the fake that unit tests use. Thread-safe: one lock serialises commits and reads see whole commits.
/// </summary>
/// <remarks>
/// Every lookup the services make on a hot path is answered from an index kept beside the data, so that its cost does
/// not grow with the store: versions by content hash and idempotency key, documents by collection and by index value
/// (each in listing order), audit records by exact subject, action and actor. Only model and version search, and
/// audit queries by subject prefix or time alone, scan.
/// </remarks>
internal sealed class InMemoryRegistryStore : IRegistryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegisteredModel> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, ModelVersion>> _versions = new(StringComparer.Ordinal);
    private readonly List<AuditRecord> _audit = [];
    private readonly Dictionary<(string Collection, string Key), StoredDocument> _documents = [];

    // Sort keys of a model's versions by content hash and by idempotency key (a set each: the lowest precedence wins).
    private readonly Dictionary<(string ModelKey, string Hash), SortedSet<string>> _versionsByHash = [];
    private readonly Dictionary<(string ModelKey, string IdempotencyKey), SortedSet<string>> _versionsByIdempotencyKey = [];

    // Documents per collection and per (collection, index value), in listing order: a listing reads only what it returns.
    private readonly Dictionary<string, SortedSet<StoredDocument>> _documentsByCollection = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Collection, string Index), SortedSet<StoredDocument>> _documentsByIndex = [];

    // Positions in _audit, ascending, of the records with an exact subject, action and actor.
    private readonly Dictionary<string, List<int>> _auditBySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _auditByAction = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _auditByActor = new(StringComparer.Ordinal);

    /// <summary>How many stored entries (versions, documents, audit records) lookups and listings have examined: lets tests prove an index is used without timing anything.</summary>
    internal long Examined { get; private set; }

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
            return ValueTask.FromResult(FirstIndexed(_versionsByHash, ModelKey(modelName), contentHash));
        }
    }

    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(FirstIndexed(_versionsByIdempotencyKey, ModelKey(modelName), idempotencyKey));
        }
    }

    /// <summary>The version of lowest precedence under an index value. Call under the gate.</summary>
    private ModelVersion? FirstIndexed(Dictionary<(string, string), SortedSet<string>> index, string modelKey, string value)
    {
        if (!index.TryGetValue((modelKey, value), out var sortKeys))
        {
            return null;
        }

        Examined++;
        return _versions[modelKey][sortKeys.Min!];
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
                    if (_versions.Remove(key, out var removed))
                    {
                        foreach (var version in removed.Values)
                        {
                            UnindexVersion(key, version);
                        }
                    }
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

                if (byKey.TryGetValue(vkey, out var replaced))
                {
                    UnindexVersion(mkey, replaced);
                }

                byKey[vkey] = version;
                IndexVersion(mkey, version);
            }

            var sealedRecords = new List<AuditRecord>(transaction.Audit.Count);
            foreach (var draft in transaction.Audit)
            {
                var head = _audit.Count == 0 ? null : _audit[^1];
                var record = AuditChain.Seal(draft, head?.Sequence ?? 0, head?.Hash ?? AuditChain.GenesisHash);
                _audit.Add(record);
                IndexAudit(_audit.Count - 1);
                sealedRecords.Add(record);
            }

            var changeSequence = _audit.Count == 0 ? 0 : _audit[^1].Sequence;
            foreach (var (key, put) in pendingDocuments)
            {
                if (_documents.TryGetValue(key, out var replaced))
                {
                    UnindexDocument(replaced);
                }

                var stored = new StoredDocument(put.Collection, put.Key, put.Json, put.Index, put.ExpectedRevision + 1, changeSequence);
                _documents[key] = stored;
                IndexDocument(stored);
            }

            return ValueTask.FromResult<IReadOnlyList<AuditRecord>>(sealedRecords);
        }
    }

    private void IndexVersion(string modelKey, ModelVersion version)
    {
        AddTo(_versionsByHash, (modelKey, version.ContentHash), version.Version.SortKey, NewSortKeySet);
        if (version.IdempotencyKey is { } idempotencyKey)
        {
            AddTo(_versionsByIdempotencyKey, (modelKey, idempotencyKey), version.Version.SortKey, NewSortKeySet);
        }
    }

    private void UnindexVersion(string modelKey, ModelVersion version)
    {
        RemoveFrom(_versionsByHash, (modelKey, version.ContentHash), version.Version.SortKey);
        if (version.IdempotencyKey is { } idempotencyKey)
        {
            RemoveFrom(_versionsByIdempotencyKey, (modelKey, idempotencyKey), version.Version.SortKey);
        }
    }

    private void IndexDocument(StoredDocument document)
    {
        AddTo(_documentsByCollection, document.Collection, document, NewListing);
        if (document.Index is { } index)
        {
            AddTo(_documentsByIndex, (document.Collection, index), document, NewListing);
        }
    }

    private void UnindexDocument(StoredDocument document)
    {
        RemoveFrom(_documentsByCollection, document.Collection, document);
        if (document.Index is { } index)
        {
            RemoveFrom(_documentsByIndex, (document.Collection, index), document);
        }
    }

    private void IndexAudit(int position)
    {
        var record = _audit[position];
        AddTo(_auditBySubject, record.Subject, position, NewPositions);
        AddTo(_auditByAction, record.Action, position, NewPositions);
        AddTo(_auditByActor, record.Actor, position, NewPositions);
    }

    private static SortedSet<string> NewSortKeySet() => new(StringComparer.Ordinal);

    private static SortedSet<StoredDocument> NewListing() => new(ListingOrder.Instance);

    private static List<int> NewPositions() => [];

    /// <summary>Adds <paramref name="value"/> to the entries an index holds under <paramref name="key"/>, creating them when absent.</summary>
    private static void AddTo<TKey, TEntries, TValue>(Dictionary<TKey, TEntries> index, TKey key, TValue value, Func<TEntries> create)
        where TKey : notnull
        where TEntries : ICollection<TValue>
    {
        if (!index.TryGetValue(key, out var entries))
        {
            index[key] = entries = create();
        }

        entries.Add(value);
    }

    /// <summary>Removes <paramref name="value"/> from an index's entries under <paramref name="key"/>, and the key when none are left.</summary>
    private static void RemoveFrom<TKey, TEntries, TValue>(Dictionary<TKey, TEntries> index, TKey key, TValue value)
        where TKey : notnull
        where TEntries : ICollection<TValue>
    {
        if (index.TryGetValue(key, out var entries) && entries.Remove(value) && entries.Count == 0)
        {
            index.Remove(key);
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
            var result = new List<AuditRecord>(Math.Clamp(limit, 0, 256));
            if (AuditCandidates(filter) is { } positions)
            {
                // Every record that can match is in the shortest posting list of an exact filter: walk it from the start.
                var first = positions.BinarySearch(start);
                for (var i = first < 0 ? ~first : first; i < positions.Count && result.Count < limit; i++)
                {
                    Collect(_audit[positions[i]]);
                }
            }
            else
            {
                for (var i = start; i < _audit.Count && result.Count < limit; i++)
                {
                    Collect(_audit[i]);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<AuditRecord>>(result);

            void Collect(AuditRecord record)
            {
                Examined++;
                if (AuditFilter.Matches(filter, record))
                {
                    result.Add(record);
                }
            }
        }
    }

    /// <summary>The shortest posting list among the query's exact filters, or <see langword="null"/> when it has none. Call under the gate.</summary>
    private List<int>? AuditCandidates(AuditQuery filter)
    {
        List<int>? shortest = null;
        Consider(_auditBySubject, filter.Subject is { } subject && !subject.EndsWith('*') ? subject : null);
        Consider(_auditByAction, filter.Action);
        Consider(_auditByActor, filter.Actor);
        return shortest;

        void Consider(Dictionary<string, List<int>> index, string? value)
        {
            if (value is not null)
            {
                var positions = index.GetValueOrDefault(value) ?? [];
                if (shortest is null || positions.Count < shortest.Count)
                {
                    shortest = positions;
                }
            }
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
            var listing = query.Index is null
                ? _documentsByCollection.GetValueOrDefault(query.Collection)
                : _documentsByIndex.GetValueOrDefault((query.Collection, query.Index));
            var result = new List<StoredDocument>();
            if (listing is not null && query.Limit > 0 && listing.Max!.ChangeSequence > query.AfterChangeSequence)
            {
                // The empty key sorts before every stored key, so this bound is just past the last document at or before
                // the requested change sequence.
                var from = new StoredDocument(query.Collection, string.Empty, string.Empty, null, 0, query.AfterChangeSequence + 1);
                foreach (var document in listing.GetViewBetween(from, listing.Max))
                {
                    Examined++;
                    result.Add(document);
                    if (result.Count == query.Limit)
                    {
                        break;
                    }
                }
            }

            return ValueTask.FromResult<IReadOnlyList<StoredDocument>>(result);
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
            _auditBySubject.Clear();
            _auditByAction.Clear();
            _auditByActor.Clear();
            for (var i = 0; i < _audit.Count; i++)
            {
                IndexAudit(i);
            }
        }
    }

    /// <summary>The order documents are listed in: change sequence, then key by code point.</summary>
    private sealed class ListingOrder : IComparer<StoredDocument>
    {
        public static readonly ListingOrder Instance = new();

        public int Compare(StoredDocument? x, StoredDocument? y)
        {
            var bySequence = x!.ChangeSequence.CompareTo(y!.ChangeSequence);
            return bySequence != 0 ? bySequence : CodePoints.Comparer.Compare(x.Key, y.Key);
        }
    }
}
