using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// <see cref="IRegistryStore"/> on LiteDB 5. Every <see cref="CommitAsync"/> is one LiteDB transaction holding all of its
/// writes and audit records; the audit head is read inside it, so the chain stays linear. Only one write transaction at a
/// time touches a database (<see cref="LiteDbFile.WriteLock"/>), which also sidesteps LiteDB 5.0.20's free-page-list race
/// between concurrent transactions on different collections (upstream #2825).
/// </summary>
internal sealed class LiteDbRegistryStore : LiteDbStore, IRegistryStore
{
    private LiteDbRegistryStore(LiteDbFile file, ILogger logger)
        : base(file, logger, "registry")
    {
    }

    /// <summary>The database file (or <c>:memory:</c>), for messages and tests.</summary>
    public string DisplayName => File.DisplayName;

    /// <summary>Opens a store on validated settings.</summary>
    public static LiteDbRegistryStore Open(LiteDbStoreSettings settings, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        return new LiteDbRegistryStore(LiteDbFile.Acquire(settings, logger), logger);
    }

    /// <summary>The underlying database, for tests that look below the store's surface.</summary>
    internal LiteDatabase Database => Db;

    public ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var doc = Db.GetCollection(Schema.Models).FindById(RecordDocuments.KeyOf(name));
            return doc is null ? null : RecordDocuments.ToRecord<RegisteredModel>(doc, "model");
        }));
    }

    public ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(version);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var doc = Db.GetCollection(Schema.Versions).FindById(RecordDocuments.VersionId(RecordDocuments.KeyOf(modelName), version));
            return doc is null ? null : RecordDocuments.ToRecord<ModelVersion>(doc, "version");
        }));
    }

    public ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded<IReadOnlyList<ModelVersion>>(() =>
        [
            .. Db.GetCollection(Schema.Versions).Query()
                .Where(Parameterised("$.mk = @0", RecordDocuments.KeyOf(modelName)))
                .OrderBy(FilterTranslator.FieldPath(RecordDocuments.Version))
                .ToDocuments()
                .Select(d => RecordDocuments.ToRecord<ModelVersion>(d, "version")),
        ]));
    }

    public ValueTask<ModelVersion?> FindLatestVersionAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var doc = ModelVersionRange(modelName).OrderByDescending(RecordDocuments.Id).Limit(1).FirstOrDefault();
            return doc is null ? null : RecordDocuments.ToRecord<ModelVersion>(doc, "version");
        }));
    }

    public ValueTask<ModelVersion?> FindVersionByContentHashAsync(string modelName, string contentHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(contentHash);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            // A version document carries the hash's prefix; only candidates are read whole. Documents written before
            // the prefix was copied onto them have none and are read whole too.
            var prefix = RecordDocuments.ContentHashPrefix(contentHash);
            foreach (var doc in ModelVersionRange(modelName).OrderBy(RecordDocuments.Id).ToDocuments())
            {
                var copy = doc[RecordDocuments.ContentHash];
                if (copy.IsString && !string.Equals(copy.AsString, prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var version = RecordDocuments.ToRecord<ModelVersion>(doc, "version");
                if (string.Equals(version.ContentHash, contentHash, StringComparison.Ordinal))
                {
                    return version;
                }
            }

            return null;
        }));
    }

    /// <summary>The versions of one model as a range of <c>_id</c> (<c>KEY|SortKey</c>; '}' follows '|'), read in index order.</summary>
    private ILiteQueryable<BsonDocument> ModelVersionRange(string modelName)
    {
        var key = RecordDocuments.KeyOf(modelName);
        return Db.GetCollection(Schema.Versions).Query().Where(Query.Between(RecordDocuments.Id, key + "|", key + "}"));
    }

    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var doc = Db.GetCollection(Schema.Versions).Query()
                .Where(Parameterised("$.mk = @0 AND $.ik = @1", RecordDocuments.KeyOf(modelName), idempotencyKey))
                .OrderBy(FilterTranslator.FieldPath(RecordDocuments.Version))
                .FirstOrDefault();
            return doc is null ? null : RecordDocuments.ToRecord<ModelVersion>(doc, "version");
        }));
    }

    public ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() => Search(
            Schema.Models,
            SearchTarget.Models,
            query,
            doc => RecordDocuments.ToRecord<RegisteredModel>(doc, "model"),
            (m, _) => FilterEvaluator.Matches(query.Filter, m),
            SearchOrdering.ForModels,
            cancellationToken)));
    }

    public ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() => Search(
            Schema.Versions,
            SearchTarget.Versions,
            query,
            doc => RecordDocuments.ToRecord<ModelVersion>(doc, "version"),
            (v, doc) => query.Filter is null || FilterEvaluator.Matches(query.Filter, v, OwningModel(v, doc)),
            SearchOrdering.ForVersions,
            cancellationToken)));
    }

    /// <summary>
    /// Runs a search: LiteDB selects a superset of the matches (exact for most filters) in the pushed-down order, the
    /// reference evaluator keeps the exact matches, and rows tying on the pushed keys are ordered in memory.
    /// </summary>
    private IReadOnlyList<T> Search<T>(
        string collection,
        SearchTarget target,
        StoreQuery query,
        Func<BsonDocument, T> read,
        Func<T, BsonDocument, bool> matches,
        Func<IReadOnlyList<SortKey>, IComparer<T>> comparerFor,
        CancellationToken cancellationToken)
    {
        if (query.Limit <= 0)
        {
            return [];
        }

        var translation = FilterTranslator.Translate(query.Filter, target);
        if (translation.MatchesNothing)
        {
            return [];
        }

        var order = OrderPlan.For(query.OrderBy ?? [], target);
        var documents = Db.GetCollection(collection);
        var queryable = documents.Query();
        if (translation.Where is not null)
        {
            queryable = queryable.Where(translation.Where);
        }

        if (order.Expression is not null)
        {
            queryable = queryable.OrderBy(order.Expression, order.Direction);
        }

        var pushedComparer = comparerFor([.. order.Keys.Take(order.PushedKeys)]);
        var results = new List<T>(Math.Min(query.Limit, 1024));
        // Two steps: LiteDB filters and sorts selecting only the id, so it materialises just the fields the filter and
        // the order name and skips the record's JSON (most of a document's bytes) in every candidate; then only the rows
        // this loop consumes are loaded whole, by id, in that order.
        var page = queryable.Select(IdOnly).ToDocuments()
            .Select(d => documents.FindById(d[IdField]))
            .Where(d => d is not null);
        foreach (var doc in page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = read(doc);
            if (!matches(record, doc))
            {
                continue;
            }

            if (results.Count >= query.Limit)
            {
                // LiteDB returns rows in the pushed order: once past the limit, only rows tying with the last one kept
                // on the pushed keys can still belong on the page.
                if (order.Complete || pushedComparer.Compare(record, results[^1]) != 0)
                {
                    break;
                }
            }

            results.Add(record);
        }

        if (!order.Complete)
        {
            // A stable sort by the full ordering (Core ends it with the identity keys, so it is total).
            return [.. results.Order(comparerFor(order.Keys)).Take(query.Limit)];
        }

        return results;
    }

    /// <summary>The owner, risk tier and status a version's document carries, as the model the reference evaluator reads.</summary>
    private static RegisteredModel OwningModel(ModelVersion version, BsonDocument doc)
    {
        var facts = RecordDocuments.FactsOf(doc);
        return new RegisteredModel
        {
            Name = version.ModelName,
            Owners = facts.Owners,
            RiskTier = facts.RiskTier,
            Status = facts.Status,
            CreatedBy = string.Empty,
            UpdatedBy = string.Empty,
        };
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(transaction.Writes);
        ArgumentNullException.ThrowIfNull(transaction.Audit);
        cancellationToken.ThrowIfCancellationRequested();

        // Cancelling is honoured until the write lock is held; from there the commit runs to its end.
        return await WriteAsync(db => Commit(db, transaction), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the writes and seals the audit records inside the caller's transaction.</summary>
    private static IReadOnlyList<AuditRecord> Commit(LiteDatabase db, StoreTransaction transaction)
    {
        var models = db.GetCollection(Schema.Models);
        var versions = db.GetCollection(Schema.Versions);
        var audit = db.GetCollection(Schema.Audit);
        var documents = db.GetCollection(Schema.Documents);
        var written = new CommitState();

        foreach (var write in transaction.Writes)
        {
            switch (write)
            {
                case PutModel put:
                    PutModel(models, versions, put);
                    break;
                case DeleteModel delete:
                    DeleteModel(models, versions, delete);
                    break;
                case PutVersion put:
                    PutVersion(models, versions, put, written);
                    break;
                case PutDocument put:
                    PutDocument(documents, put, written);
                    break;
                case null:
                    throw new ModelRegistryException(ErrorCode.InvalidArgument, "A store transaction contains a null write.");
                default:
                    throw new ModelRegistryException(ErrorCode.InvalidArgument, $"The LiteDB store does not support {write.GetType().Name}.");
            }
        }

        // A version is only stored with its model: checked once all writes are applied, as the in-memory store does,
        // so a transaction may write a version before its model.
        foreach (var (modelKey, modelName) in written.VersionModels)
        {
            var model = models.FindById(modelKey)
                ?? throw new ModelRegistryException(ErrorCode.ConcurrencyConflict,
                    $"Model '{modelName}' no longer exists, so its versions cannot be written; it was deleted by another writer.", $"model:{modelName}");
            if (written.VersionsWithoutFacts.Contains(modelKey))
            {
                RefreshModelFacts(versions, model);
            }
        }

        // Read the head inside the transaction: with the write lock held it cannot move under us.
        var head = audit.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
        var (sequence, hash) = head is null ? (0L, AuditChain.GenesisHash) : HeadOf(head);
        var sealedRecords = new List<AuditRecord>(transaction.Audit.Count);
        foreach (var draft in transaction.Audit)
        {
            var record = AuditChain.Seal(draft ?? throw new ModelRegistryException(ErrorCode.InvalidArgument, "A store transaction contains a null audit draft."), sequence, hash);
            audit.Insert(RecordDocuments.ToDocument(record));
            sealedRecords.Add(record);
            (sequence, hash) = (record.Sequence, record.Hash);
        }

        // Documents carry the sequence of the transaction's last audit record, so readers can catch up from it.
        foreach (var put in written.Documents.Values)
        {
            documents.Upsert(RecordDocuments.ToDocument(new StoredDocument(put.Collection, put.Key, put.Json, put.Index, put.ExpectedRevision + 1, sequence)));
        }

        return sealedRecords;
    }

    /// <summary>What a commit has written so far, for the checks that run after all writes.</summary>
    private sealed class CommitState
    {
        /// <summary>Model key → name as written, for every model a version was written for.</summary>
        public Dictionary<string, string> VersionModels { get; } = new(StringComparer.Ordinal);

        /// <summary>Models whose versions were written before the model existed in this transaction.</summary>
        public HashSet<string> VersionsWithoutFacts { get; } = new(StringComparer.Ordinal);

        /// <summary>Documents to write once the audit sequence is known, by <c>_id</c> (the last write of a key wins).</summary>
        public Dictionary<string, PutDocument> Documents { get; } = new(StringComparer.Ordinal);
    }

    private static (long Sequence, string Hash) HeadOf(BsonDocument head)
    {
        var record = RecordDocuments.ToRecord<AuditRecord>(head, "audit record");
        return (record.Sequence, record.Hash);
    }

    private static void PutModel(ILiteCollection<BsonDocument> models, ILiteCollection<BsonDocument> versions, PutModel put)
    {
        ArgumentNullException.ThrowIfNull(put.Model);
        var subject = $"model:{put.Model.Name}";
        var document = RecordDocuments.ToDocument(put.Model);
        var stored = models.FindById(document[RecordDocuments.Id]);
        CheckRevision(RevisionOf(stored), put.ExpectedRevision, subject);
        if (stored is null)
        {
            models.Insert(document);
            return;
        }

        models.Update(document);
        if (RecordDocuments.ModelFactsDiffer(stored, document))
        {
            RefreshModelFacts(versions, document);
        }
    }

    /// <summary>Copies a model's owners, risk tier and status onto all of its versions, in the same transaction.</summary>
    private static void RefreshModelFacts(ILiteCollection<BsonDocument> versions, BsonDocument model)
    {
        // Materialise first: LiteDB must not update a collection while enumerating it (upstream #2480).
        var affected = versions.Find(Parameterised("$.mk = @0", model[RecordDocuments.Id])).ToList();
        foreach (var version in affected)
        {
            RecordDocuments.CopyModelFacts(model, version);
            versions.Update(version);
        }
    }

    private static void DeleteModel(ILiteCollection<BsonDocument> models, ILiteCollection<BsonDocument> versions, DeleteModel delete)
    {
        ArgumentNullException.ThrowIfNull(delete.Name);
        var key = RecordDocuments.KeyOf(delete.Name);
        var stored = models.FindById(key);
        CheckRevision(RevisionOf(stored), delete.ExpectedRevision, $"model:{delete.Name}");
        if (stored is null)
        {
            return;
        }

        versions.DeleteMany(Parameterised("$.mk = @0", key));
        models.Delete(key);
    }

    private static void PutVersion(ILiteCollection<BsonDocument> models, ILiteCollection<BsonDocument> versions, PutVersion put, CommitState written)
    {
        var version = put.Version ?? throw new ModelRegistryException(ErrorCode.InvalidArgument, "A PutVersion write has no version.");
        var subject = $"version:{version.ModelName}/{version.Version}";
        var modelKey = RecordDocuments.KeyOf(version.ModelName);
        written.VersionModels.TryAdd(modelKey, version.ModelName);
        var model = models.FindById(modelKey);
        if (model is null)
        {
            // The model may still be written later in this transaction; its facts are copied at the end.
            written.VersionsWithoutFacts.Add(modelKey);
            model = new BsonDocument { [RecordDocuments.Owners] = new BsonArray(), [RecordDocuments.RiskTier] = 0, [RecordDocuments.Status] = 0 };
        }

        var document = RecordDocuments.ToDocument(version, model);
        var stored = versions.FindById(document[RecordDocuments.Id]);
        CheckRevision(RevisionOf(stored), put.ExpectedRevision, subject);
        if (stored is null)
        {
            if (version.IdempotencyKey is not null &&
                versions.Exists(Parameterised("$.mk = @0 AND $.ik = @1", modelKey, version.IdempotencyKey)))
            {
                // Two creates racing with one idempotency key: the second must not become a second version.
                throw new ModelRegistryException(ErrorCode.AlreadyExists,
                    $"A version of '{version.ModelName}' was already created with this idempotency key; read it with the same key.", subject);
            }

            versions.Insert(document);
        }
        else
        {
            versions.Update(document);
        }
    }

    private static void PutDocument(ILiteCollection<BsonDocument> documents, PutDocument put, CommitState written)
    {
        if (put.Collection is null || put.Key is null || put.Json is null)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, "A PutDocument write needs a collection, a key and a body.");
        }

        var id = RecordDocuments.DocumentId(put.Collection, put.Key);
        var stored = written.Documents.TryGetValue(id, out var pending)
            ? pending.ExpectedRevision + 1
            : RevisionOf(documents.FindById(id));
        CheckRevision(stored, put.ExpectedRevision, $"{put.Collection}:{put.Key}");
        written.Documents[id] = put;
    }

    private static long RevisionOf(BsonDocument? stored) => stored is null ? 0L : stored[RecordDocuments.Revision].AsInt64;

    private static void CheckRevision(long revision, long expected, string subject)
    {
        if (revision == expected)
        {
            return;
        }

        if (expected == 0)
        {
            throw new ModelRegistryException(ErrorCode.AlreadyExists, $"{subject} already exists.", subject);
        }

        throw new ModelRegistryException(
            ErrorCode.ConcurrencyConflict,
            revision == 0
                ? $"{subject} no longer exists; it was deleted by another writer."
                : $"{subject} is at revision {revision}, not {expected}; it was changed by another writer. Read it again and retry.",
            subject);
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellationToken.ThrowIfCancellationRequested();
        if (limit <= 0)
        {
            return ValueTask.FromResult<IReadOnlyList<AuditRecord>>([]);
        }

        return ValueTask.FromResult(Guarded<IReadOnlyList<AuditRecord>>(() =>
        {
            var (where, parameters) = AuditWhere(filter, afterSequence);
            var results = new List<AuditRecord>(Math.Min(limit, 1024));
            var queryable = Db.GetCollection(Schema.Audit).Query()
                .Where(BsonExpression.Create(where, parameters))
                .OrderBy("_id");
            foreach (var doc in queryable.ToDocuments())
            {
                var record = RecordDocuments.ToRecord<AuditRecord>(doc, "audit record");

                // The subject prefix is matched through a truncated index key: check it exactly here.
                if (!AuditFilter.SubjectMatches(filter.Subject, record.Subject))
                {
                    continue;
                }

                results.Add(record);
                if (results.Count >= limit)
                {
                    break;
                }
            }

            return results;
        }));
    }

    private static (string Where, BsonDocument Parameters) AuditWhere(AuditQuery filter, long afterSequence)
    {
        var parameters = new BsonDocument { ["after"] = afterSequence };
        var terms = new List<string> { "$._id > @after" };
        if (filter.Subject is { } subject)
        {
            if (subject.EndsWith('*'))
            {
                var prefix = subject[..^1];
                if (prefix.Length > 0 && prefix.Length < 200 && prefix[^1] < '\uD7FF' && !prefix.Any(c => c >= '\uD800'))
                {
                    parameters["sfrom"] = prefix;
                    parameters["sto"] = prefix[..^1] + (char)(prefix[^1] + 1);
                    terms.Add("$.sk >= @sfrom");
                    terms.Add("$.sk < @sto");
                }
            }
            else
            {
                parameters["sk"] = RecordDocuments.SubjectIndexKey(subject);
                parameters["subject"] = subject;
                terms.Add("$.sk = @sk");
                terms.Add("$.subject = @subject");
            }
        }

        if (filter.Action is { } action)
        {
            parameters["action"] = action;
            terms.Add("$.action = @action");
        }

        if (filter.Actor is { } actor)
        {
            parameters["actor"] = actor;
            terms.Add("$.actor = @actor");
        }

        if (filter.From is { } from)
        {
            parameters["from"] = from.UtcTicks;
            terms.Add("$.ts >= @from");
        }

        if (filter.To is { } to)
        {
            parameters["to"] = to.UtcTicks;
            terms.Add("$.ts < @to");
        }

        return (string.Join(" AND ", terms), parameters);
    }

    public ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var doc = Db.GetCollection(Schema.Documents).FindById(RecordDocuments.DocumentId(collection, key));
            var stored = doc is null ? null : RecordDocuments.ToRecord<StoredDocument>(doc, "document");
            return stored is not null && string.Equals(stored.Collection, collection, StringComparison.Ordinal) && string.Equals(stored.Key, key, StringComparison.Ordinal)
                ? stored
                : null;
        }));
    }

    public ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Collection);
        cancellationToken.ThrowIfCancellationRequested();
        if (query.Limit <= 0)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredDocument>>([]);
        }

        return ValueTask.FromResult(Guarded<IReadOnlyList<StoredDocument>>(() =>
        {
            // Documents written by one commit share a sequence and are ordered by key (code points) here.
            var results = new List<StoredDocument>(Math.Min(query.Limit, 1024));
            foreach (var doc in DocumentListing(query).ToDocuments())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stored = RecordDocuments.ToRecord<StoredDocument>(doc, "document");
                if (!string.Equals(stored.Collection, query.Collection, StringComparison.Ordinal)
                    || stored.ChangeSequence <= query.AfterChangeSequence
                    || (query.Index is not null && !string.Equals(stored.Index, query.Index, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (results.Count >= query.Limit && stored.ChangeSequence != results[^1].ChangeSequence)
                {
                    break;
                }

                results.Add(stored);
            }

            return [.. results.OrderBy(d => d.ChangeSequence).ThenBy(d => d.Key, CodePoints.Comparer).Take(query.Limit)];
        }));
    }

    /// <summary>
    /// The engine query behind <see cref="ListDocumentsAsync"/>, in change-sequence order. With an index value it seeks
    /// the <see cref="Schema.DocumentIndexValue"/> index, so a listing by version or by node reads only the documents
    /// holding that value (sorted by sequence in memory), not the collection; otherwise it walks the collection's range
    /// of the (collection|sequence) index from the sequence on. On a schema-1 file not yet migrated (see
    /// <see cref="Schema.MigrateFromPreviousVersion"/>) the engine falls back to the sequence index: same results.
    /// </summary>
    internal ILiteQueryable<BsonDocument> DocumentListing(DocumentQuery query)
    {
        var parameters = new BsonDocument
        {
            ["from"] = RecordDocuments.CollectionSequenceKey(query.Collection, Math.Max(query.AfterChangeSequence, -1)),
            ["to"] = RecordDocuments.CollectionPrefix(query.Collection)[..^1] + "}",
        };
        var where = "$.cs > @from AND $.cs < @to";
        if (query.Index is not null)
        {
            parameters["ix"] = RecordDocuments.Truncate(query.Index);
            where = "$." + RecordDocuments.DocumentIndex + " = @ix AND " + where;
        }

        return Db.GetCollection(Schema.Documents).Query()
            .Where(BsonExpression.Create(where, parameters))
            .OrderBy(FilterTranslator.FieldPath(RecordDocuments.CollectionSequence));
    }

    public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var head = Db.GetCollection(Schema.Audit).Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
            return head is null ? 0L : head[RecordDocuments.Id].AsInt64;
        }));
    }

    private const string IdField = "id";

    /// <summary>Projects a document to its id alone (see <see cref="Search{T}"/>).</summary>
    private static readonly BsonExpression IdOnly = BsonExpression.Create("{ " + IdField + ": $._id }");

    private static BsonExpression Parameterised(string expression, params BsonValue[] values)
    {
        var parameters = new BsonDocument();
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = values[i];
        }

        return BsonExpression.Create(expression, parameters);
    }
}
