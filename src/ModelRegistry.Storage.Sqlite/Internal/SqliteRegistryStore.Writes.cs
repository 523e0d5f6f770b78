using Microsoft.Data.Sqlite;
using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>The write path: one <c>BEGIN IMMEDIATE</c> transaction per commit, revision checks in SQL, the audit chain sealed inside.</summary>
internal sealed partial class SqliteRegistryStore
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(transaction.Writes);
        ArgumentNullException.ThrowIfNull(transaction.Audit);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();

        // Serialise before taking the lock, so the write lock is held only for the SQL itself.
        var rows = new PreparedWrite[transaction.Writes.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = PreparedWrite.From(transaction.Writes[i] ?? throw new ArgumentException("A write is null.", nameof(transaction)));
        }

        foreach (var draft in transaction.Audit)
        {
            ArgumentNullException.ThrowIfNull(draft, nameof(transaction));
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var session = Writer();
            IReadOnlyList<AuditRecord> sealedRecords;
            try
            {
                sealedRecords = CommitLocked(session, rows, transaction.Audit, cancellationToken);
            }
            catch (SqliteException ex)
            {
                throw MapAndLog(ex);
            }

            // Planner statistics follow the data: after every OptimizeEveryWrites rows written, PRAGMA optimize
            // re-analyses the tables whose size changed enough (cheap when none did), and read connections are
            // replaced so they plan with the new statistics. Without statistics SQLite can pick a poor plan for
            // combined tag and stage searches.
            session.WritesSinceOptimize += rows.Length + transaction.Audit.Count;
            if (session.WritesSinceOptimize >= OptimizeEveryWrites)
            {
                session.WritesSinceOptimize = 0;
                TryOptimize(session, "PRAGMA optimize = 0x10002");
                RetireReadSessions();
            }

            return sealedRecords;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private List<AuditRecord> CommitLocked(SqliteSession s, PreparedWrite[] rows, IReadOnlyList<AuditDraft> drafts, CancellationToken cancellationToken)
    {
        SqliteSchema.RollbackIfOpen(s.Connection);

        // BEGIN IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the revision checks and the
        // chain head read below cannot be invalidated by another process before COMMIT.
        s.Execute("BEGIN IMMEDIATE");
        try
        {
            // The head is read first: no other writer can move it while this transaction holds the write lock, and
            // documents record the sequence this commit's last audit record will get.
            var (sequence, hash) = ReadHead(s);
            var changeSequence = sequence + drafts.Count;
            List<ModelVersion>? versions = null;
            foreach (var row in rows)
            {
                switch (row.Write)
                {
                    case PutModel put:
                        PutModelRow(s, put, row.Doc!);
                        break;
                    case DeleteModel delete:
                        DeleteModelRows(s, delete);
                        break;
                    case PutVersion put:
                        PutVersionRow(s, put, row.Doc!);
                        (versions ??= []).Add(put.Version);
                        break;
                    case PutDocument put:
                        PutDocumentRow(s, put, changeSequence);
                        break;
                    default:
                        throw new ModelRegistryException(ErrorCode.InvalidArgument, $"The SQLite store does not support the write {row.Write.GetType().Name}.");
                }
            }

            if (versions is not null)
            {
                CheckModelsExist(s, versions);
            }

            var records = new List<AuditRecord>(drafts.Count);
            var insert = s.Command("INSERT INTO audit (sequence, ts, ts_offset, actor, action, subject, data, prev_hash, hash) VALUES (@seq, @ts, @off, @actor, @action, @subject, @data, @prev, @hash)");
            foreach (var draft in drafts)
            {
                var record = AuditChain.Seal(draft, sequence, hash);
                SqliteSession.Bind(insert, "@seq", record.Sequence);
                SqliteSession.Bind(insert, "@ts", record.Timestamp.UtcTicks);
                SqliteSession.Bind(insert, "@off", (long)record.Timestamp.Offset.TotalMinutes);
                SqliteSession.Bind(insert, "@actor", record.Actor);
                SqliteSession.Bind(insert, "@action", record.Action);
                SqliteSession.Bind(insert, "@subject", record.Subject);
                SqliteSession.Bind(insert, "@data", record.Data);
                SqliteSession.Bind(insert, "@prev", record.PreviousHash);
                SqliteSession.Bind(insert, "@hash", record.Hash);
                insert.ExecuteNonQuery();
                records.Add(record);
                (sequence, hash) = (record.Sequence, record.Hash);
            }

            // The last point at which the call can still be cancelled with nothing written.
            cancellationToken.ThrowIfCancellationRequested();
            s.Execute("COMMIT");
            return records;
        }
        catch
        {
            SqliteSchema.TryRollback(s.Connection);
            throw;
        }
    }

    private static void PutModelRow(SqliteSession s, PutModel put, string doc)
    {
        var model = put.Model;
        var key = SqliteText.ModelKey(model.Name);
        var side = SideRows.Fingerprint(model);
        var (modelId, sideChanged) = put.ExpectedRevision == 0
            ? (InsertModel(s, model, key, side), true)
            : UpdateModel(s, put, key, side);
        PutDoc(s, "INSERT OR REPLACE INTO model_docs (id, doc) VALUES (@id, @doc)", modelId, doc);
        if (!sideChanged)
        {
            return;
        }

        if (put.ExpectedRevision != 0)
        {
            Delete(s, "DELETE FROM model_tags WHERE model_id = @id", modelId);
            Delete(s, "DELETE FROM model_owners WHERE model_id = @id", modelId);
        }

        InsertPairs(s, "INSERT INTO model_tags (model_id, key, value) VALUES (@id, @key, @value)", modelId, model.Tags);
        var owner = s.Command("INSERT INTO model_owners (model_id, ord, owner) VALUES (@id, @ord, @owner)");
        for (var i = 0; i < model.Owners.Count; i++)
        {
            SqliteSession.Bind(owner, "@id", modelId);
            SqliteSession.Bind(owner, "@ord", (long)i);
            SqliteSession.Bind(owner, "@owner", model.Owners[i]);
            owner.ExecuteNonQuery();
        }
    }

    private static long InsertModel(SqliteSession s, RegisteredModel model, string key, byte[] side)
    {
        var command = s.Command(
            "INSERT INTO models (key, name, description, risk_tier, status, created_at, updated_at, revision, side_hash) " +
            "VALUES (@key, @name, @description, @risk_tier, @status, @created_at, @updated_at, @revision, @side_hash) ON CONFLICT (key) DO NOTHING RETURNING id");
        SqliteSession.Bind(command, "@key", key);
        foreach (var (column, value) in ModelColumns(model, side))
        {
            SqliteSession.Bind(command, "@" + column, value);
        }

        return command.ExecuteScalar() is long id
            ? id
            : throw new ModelRegistryException(
                ErrorCode.AlreadyExists,
                $"A model named '{model.Name}' already exists (names are unique regardless of case); choose another name or update the existing model.",
                ModelSubject(model.Name));
    }

    private static (long Id, bool SideChanged) UpdateModel(SqliteSession s, PutModel put, string key, byte[] side)
    {
        var model = put.Model;
        return UpdateChanged(
            s,
            "models",
            "key = @key",
            [("@key", key)],
            put.ExpectedRevision,
            ModelColumns(model, side),
            () => new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Model '{model.Name}' is no longer at revision {put.ExpectedRevision}: it was changed or deleted by another writer. Read it again and retry.",
                ModelSubject(model.Name)));
    }

    /// <summary>The extracted columns of a model; the side-table fingerprint is last.</summary>
    private static (string Column, object? Value)[] ModelColumns(RegisteredModel model, byte[] side) =>
    [
        ("name", model.Name), ("description", model.Description), ("risk_tier", (long)model.RiskTier), ("status", (long)model.Status),
        ("created_at", model.CreatedAt.UtcTicks), ("updated_at", model.UpdatedAt.UtcTicks), ("revision", model.Revision), ("side_hash", side),
    ];

    /// <summary>
    /// Revision-checked update that writes only the columns whose values change, so an index is touched only when its
    /// column does (a stage change rewrites the stage and updated_at indexes, not all of them).
    /// </summary>
    /// <returns>The row id, and whether the side-table fingerprint (the last column) changed.</returns>
    private static (long Id, bool SideChanged) UpdateChanged(
        SqliteSession s, string table, string match, (string Name, object Value)[] matchArgs, long expectedRevision, (string Column, object? Value)[] columns, Func<ModelRegistryException> conflict)
    {
        var select = s.Command($"SELECT id, {string.Join(", ", columns.Select(c => c.Column))} FROM {table} WHERE {match} AND revision = @expected");
        foreach (var (name, value) in matchArgs)
        {
            SqliteSession.Bind(select, name, value);
        }

        SqliteSession.Bind(select, "@expected", expectedRevision);
        long id;
        var changed = new List<int>(columns.Length);
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw conflict();
            }

            id = reader.GetInt64(0);
            for (var i = 0; i < columns.Length; i++)
            {
                if (!SameValue(reader.GetValue(i + 1), columns[i].Value))
                {
                    changed.Add(i);
                }
            }
        }

        if (changed.Count > 0)
        {
            var update = s.Command($"UPDATE {table} SET {string.Join(", ", changed.Select(i => $"{columns[i].Column} = @{columns[i].Column}"))} WHERE id = @id");
            foreach (var i in changed)
            {
                SqliteSession.Bind(update, "@" + columns[i].Column, columns[i].Value);
            }

            SqliteSession.Bind(update, "@id", id);
            update.ExecuteNonQuery();
        }

        return (id, changed.Contains(columns.Length - 1));
    }

    private static bool SameValue(object stored, object? value) => (stored, value) switch
    {
        (DBNull, null) => true,
        (long a, long b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        _ => false,
    };

    private static void DeleteModelRows(SqliteSession s, DeleteModel delete)
    {
        var key = SqliteText.ModelKey(delete.Name);
        var command = s.Command("DELETE FROM models WHERE key = @key AND revision = @expected RETURNING id");
        SqliteSession.Bind(command, "@key", key);
        SqliteSession.Bind(command, "@expected", delete.ExpectedRevision);
        var id = command.ExecuteScalar();
        if (id is null or DBNull)
        {
            throw new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Model '{delete.Name}' is no longer at revision {delete.ExpectedRevision}: it was changed or deleted by another writer. Read it again and retry.",
                ModelSubject(delete.Name));
        }

        Delete(s, "DELETE FROM model_docs WHERE id = @id", (long)id);
        Delete(s, "DELETE FROM model_tags WHERE model_id = @id", (long)id);
        Delete(s, "DELETE FROM model_owners WHERE model_id = @id", (long)id);
        foreach (var table in (ReadOnlySpan<string>)["version_attrs", "version_providers"])
        {
            var side = s.Command($"DELETE FROM {table} WHERE version_id IN (SELECT id FROM versions WHERE model_key = @key)");
            SqliteSession.Bind(side, "@key", key);
            side.ExecuteNonQuery();
        }

        var versions = s.Command("DELETE FROM versions WHERE model_key = @key");
        SqliteSession.Bind(versions, "@key", key);
        versions.ExecuteNonQuery();
    }

    private static void PutVersionRow(SqliteSession s, PutVersion put, string doc)
    {
        var version = put.Version;
        var modelKey = SqliteText.ModelKey(version.ModelName);
        var side = SideRows.Fingerprint(version);
        var (versionId, sideChanged) = put.ExpectedRevision == 0
            ? (InsertVersion(s, version, modelKey, side, doc), true)
            : UpdateVersion(s, put, modelKey, side, doc);
        if (!sideChanged)
        {
            return;
        }

        if (put.ExpectedRevision != 0)
        {
            Delete(s, "DELETE FROM version_attrs WHERE version_id = @id", versionId);
            Delete(s, "DELETE FROM version_providers WHERE version_id = @id", versionId);
        }

        var attribute = s.Command("INSERT INTO version_attrs (version_id, kind, key, value) VALUES (@id, @kind, @key, @value)");
        void InsertAttribute(long kind, string key, object value)
        {
            SqliteSession.Bind(attribute, "@id", versionId);
            SqliteSession.Bind(attribute, "@kind", kind);
            SqliteSession.Bind(attribute, "@key", key);
            SqliteSession.Bind(attribute, "@value", value);
            attribute.ExecuteNonQuery();
        }

        foreach (var (k, v) in version.Tags)
        {
            InsertAttribute(VersionAttribute.Tag, k, v);
        }

        foreach (var (k, v) in version.Parameters)
        {
            InsertAttribute(VersionAttribute.Parameter, k, v);
        }

        foreach (var (k, v) in version.Metrics)
        {
            InsertAttribute(VersionAttribute.Metric, k, v);
        }

        var provider = s.Command("INSERT INTO version_providers (version_id, ord, provider) VALUES (@id, @ord, @provider)");
        for (var i = 0; i < version.ProviderBindings.Count; i++)
        {
            SqliteSession.Bind(provider, "@id", versionId);
            SqliteSession.Bind(provider, "@ord", (long)i);
            SqliteSession.Bind(provider, "@provider", version.ProviderBindings[i].Provider);
            provider.ExecuteNonQuery();
        }
    }

    private static long InsertVersion(SqliteSession s, ModelVersion version, string modelKey, byte[] side, string doc)
    {
        var command = s.Command(
            "INSERT INTO versions (model_key, sort_key, model_name, description, stage, run_id, source_commit, idempotency_key, created_at, updated_at, revision, content_hash, doc, side_hash) " +
            "VALUES (@key, @sort, @model_name, @description, @stage, @run_id, @source_commit, @idempotency_key, @created_at, @updated_at, @revision, @content_hash, @doc, @side_hash) " +
            "ON CONFLICT (model_key, sort_key) DO NOTHING RETURNING id");
        SqliteSession.Bind(command, "@key", modelKey);
        SqliteSession.Bind(command, "@sort", version.Version.SortKey);
        foreach (var (column, value) in VersionColumns(version, side, doc))
        {
            SqliteSession.Bind(command, "@" + column, value);
        }

        return command.ExecuteScalar() is long id
            ? id
            : throw new ModelRegistryException(
                ErrorCode.AlreadyExists,
                $"Version {version.Version} of '{version.ModelName}' already exists (build metadata does not distinguish versions); choose another version number.",
                VersionSubject(version.ModelName, version.Version));
    }

    private static (long Id, bool SideChanged) UpdateVersion(SqliteSession s, PutVersion put, string modelKey, byte[] side, string doc)
    {
        var version = put.Version;
        return UpdateChanged(
            s,
            "versions",
            "model_key = @key AND sort_key = @sort",
            [("@key", modelKey), ("@sort", version.Version.SortKey)],
            put.ExpectedRevision,
            VersionColumns(version, side, doc),
            () => new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Version {version.Version} of '{version.ModelName}' is no longer at revision {put.ExpectedRevision}: it was changed or deleted by another writer. Read it again and retry.",
                VersionSubject(version.ModelName, version.Version)));
    }

    /// <summary>The extracted columns of a version and its document; the side-table fingerprint is last.</summary>
    private static (string Column, object? Value)[] VersionColumns(ModelVersion version, byte[] side, string doc) =>
    [
        ("model_name", version.ModelName), ("description", version.Description), ("stage", (long)version.Stage), ("run_id", version.RunId),
        ("source_commit", version.SourceCommit), ("idempotency_key", version.IdempotencyKey), ("created_at", version.CreatedAt.UtcTicks),
        ("updated_at", version.UpdatedAt.UtcTicks), ("revision", version.Revision), ("content_hash", version.ContentHash), ("doc", doc), ("side_hash", side),
    ];

    private static void InsertPairs(SqliteSession s, string sql, long id, IReadOnlyDictionary<string, string> pairs)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        var command = s.Command(sql);
        foreach (var (k, v) in pairs)
        {
            SqliteSession.Bind(command, "@id", id);
            SqliteSession.Bind(command, "@key", k);
            SqliteSession.Bind(command, "@value", v);
            command.ExecuteNonQuery();
        }
    }

    private static void PutDocumentRow(SqliteSession s, PutDocument put, long changeSequence)
    {
        var subject = $"{put.Collection}:{put.Key}";
        var command = put.ExpectedRevision == 0
            ? s.Command(
                "INSERT INTO documents (collection, key, json, idx, revision, change_sequence) VALUES (@collection, @key, @json, @idx, 1, @seq) " +
                "ON CONFLICT (collection, key) DO NOTHING")
            : s.Command(
                "UPDATE documents SET json = @json, idx = @idx, revision = @expected + 1, change_sequence = @seq " +
                "WHERE collection = @collection AND key = @key AND revision = @expected");
        SqliteSession.Bind(command, "@collection", put.Collection);
        SqliteSession.Bind(command, "@key", put.Key);
        SqliteSession.Bind(command, "@json", put.Json);
        SqliteSession.Bind(command, "@idx", put.Index);
        SqliteSession.Bind(command, "@seq", changeSequence);
        if (put.ExpectedRevision != 0)
        {
            SqliteSession.Bind(command, "@expected", put.ExpectedRevision);
        }

        if (command.ExecuteNonQuery() == 1)
        {
            return;
        }

        throw put.ExpectedRevision == 0
            ? new ModelRegistryException(ErrorCode.AlreadyExists, $"The document {subject} already exists; read it and replace it with its revision.", subject)
            : new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"The document {subject} is no longer at revision {put.ExpectedRevision} (it was changed by another writer, or does not exist). Read it again and retry.",
                subject);
    }

    /// <summary>
    /// A version belongs to a model. Checked once all writes are applied (a transaction may write the model after the
    /// version): a missing model was deleted after the caller read it, which is a conflict, never an orphan version.
    /// </summary>
    private static void CheckModelsExist(SqliteSession s, List<ModelVersion> versions)
    {
        var exists = s.Command("SELECT 1 FROM models WHERE key = @key");
        foreach (var version in versions)
        {
            SqliteSession.Bind(exists, "@key", SqliteText.ModelKey(version.ModelName));
            if (exists.ExecuteScalar() is null)
            {
                throw new ModelRegistryException(
                    ErrorCode.ConcurrencyConflict,
                    $"Model '{version.ModelName}' does not exist (it was deleted by another writer), so version {version.Version} cannot be written.",
                    VersionSubject(version.ModelName, version.Version));
            }
        }
    }

    private static void PutDoc(SqliteSession s, string sql, long id, string doc)
    {
        var command = s.Command(sql);
        SqliteSession.Bind(command, "@id", id);
        SqliteSession.Bind(command, "@doc", doc);
        command.ExecuteNonQuery();
    }

    private static void Delete(SqliteSession s, string sql, long id)
    {
        var command = s.Command(sql);
        SqliteSession.Bind(command, "@id", id);
        command.ExecuteNonQuery();
    }

    private static (long Sequence, string Hash) ReadHead(SqliteSession s)
    {
        using var reader = s.Command("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1").ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0L, AuditChain.GenesisHash);
    }

    private static AuditRecord ReadAudit(SqliteDataReader reader)
    {
        var offset = TimeSpan.FromMinutes(reader.GetInt64(2));
        var timestamp = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero).ToOffset(offset);
        return new AuditRecord(reader.GetInt64(0), timestamp, reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
    }

    private static string ModelSubject(string name) => "model:" + name;

    private static string VersionSubject(string name, SemanticVersion version) => $"version:{name}/{version}";

    /// <summary>A write with its document serialised ahead of the transaction.</summary>
    private readonly record struct PreparedWrite(StoreWrite Write, string? Doc)
    {
        public static PreparedWrite From(StoreWrite write) => write switch
        {
            PutModel put => new(write, StoreSerializer.Serialize(put.Model ?? throw new ArgumentException("PutModel.Model is null.", nameof(write)))),
            PutVersion put => new(write, StoreSerializer.Serialize(put.Version ?? throw new ArgumentException("PutVersion.Version is null.", nameof(write)))),
            DeleteModel delete => new(write, delete.Name is null ? throw new ArgumentException("DeleteModel.Name is null.", nameof(write)) : null),
            PutDocument put => new(write, put.Collection is null || put.Key is null || put.Json is null ? throw new ArgumentException("PutDocument needs a collection, a key and JSON.", nameof(write)) : null),
            _ => new(write, null),
        };
    }
}
