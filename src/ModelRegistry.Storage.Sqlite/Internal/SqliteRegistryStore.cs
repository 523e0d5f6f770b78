using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// <see cref="IRegistryStore"/> on a SQLite file. Records are stored as <see cref="StoreSerializer"/> JSON, with the
/// fields that search and ordering use extracted into indexed columns and side tables.
/// </summary>
/// <remarks>
/// Concurrency: WAL journaling, so readers never block the writer; every commit is one <c>BEGIN IMMEDIATE</c>
/// transaction that checks revisions in SQL and seals the audit records after reading the chain head inside the same
/// transaction, so several processes can share the file without lost updates or a forked chain. Within a process,
/// writers queue on a semaphore rather than spin in SQLite's busy handler, and reads use a small pool of connections.
/// </remarks>
internal sealed partial class SqliteRegistryStore : IRegistryStore, IDisposable, IAsyncDisposable
{
    private const int OptimizeEveryCommits = 1000;
    private const int MaxIdleSessions = 8;

    private readonly string _connectionString;
    private readonly string _file;
    private readonly bool _memory;
    private readonly bool _readOnly;
    private readonly int _busyTimeoutMs;
    private readonly int _commandTimeoutSeconds;
    private readonly TimeSpan _busyTimeout;
    private readonly SqliteDurability _durability;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentBag<SqliteSession> _idle = [];
    private SqliteSession? _writer;
    private int _generation;
    private int _disposed;

    private SqliteRegistryStore(string connectionString, string file, bool memory, bool readOnly, SqliteStoreOptions options, SqliteSession first, ILogger logger)
    {
        _connectionString = connectionString;
        _file = file;
        _memory = memory;
        _readOnly = readOnly;
        _busyTimeout = options.BusyTimeout;
        _busyTimeoutMs = BusyMilliseconds(options.BusyTimeout);
        _commandTimeoutSeconds = CommandTimeoutSeconds(options.BusyTimeout);
        _durability = options.Durability;
        _logger = logger;
        _writer = first;
    }

    /// <summary>The file the store uses (full path), or the in-memory data source.</summary>
    internal string File => _file;

    /// <summary>
    /// Opens (creating and migrating as needed) a store. Usable without dependency injection, for tests and benchmarks.
    /// </summary>
    /// <param name="options">The options; validated here as at start-up.</param>
    /// <param name="logger">Optional logger.</param>
    /// <returns>The open store; dispose it to close the file.</returns>
    public static SqliteRegistryStore Open(SqliteStoreOptions options, ILogger? logger = null)
        => Open(options, SqliteSchema.Migrations, logger);

    /// <summary>Opens a store with an explicit migration list (tests simulate older and newer schemas with it).</summary>
    internal static SqliteRegistryStore Open(SqliteStoreOptions options, IReadOnlyList<SqliteMigration> migrations, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SqliteStoreOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, string.Join(" ", failures)) { ParameterName = nameof(options) };
        }

        logger ??= NullLogger.Instance;
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        var dataSource = builder.DataSource;
        var memory = builder.Mode == SqliteOpenMode.Memory || dataSource == ":memory:";
        var opaque = !memory && (dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || dataSource.Contains('|', StringComparison.Ordinal));
        var readOnly = builder.Mode == SqliteOpenMode.ReadOnly;
        var file = dataSource;
        var busy = options.BusyTimeout;

        // We pool connections ourselves (each with its prepared commands), so the provider's pool is off; that also
        // lets Dispose release the file at once.
        builder.Pooling = false;
        builder.DefaultTimeout = CommandTimeoutSeconds(busy);

        if (!memory && !opaque)
        {
            file = Path.GetFullPath(dataSource);
            builder.DataSource = file;
            if (System.IO.File.Exists(file))
            {
                CheckHeader(file);
            }
            else if (builder.Mode == SqliteOpenMode.ReadWriteCreate)
            {
                CreateNew(file, builder, migrations, busy, logger);
            }
            else
            {
                throw new ModelRegistryException(
                    ErrorCode.StorageUnavailable,
                    $"The registry store '{file}' does not exist, and the connection string (Mode={builder.Mode}) does not allow creating it.");
            }
        }

        var connectionString = builder.ConnectionString;
        SqliteSession? session = null;
        try
        {
            session = new SqliteSession(connectionString, BusyMilliseconds(busy), options.Durability, CommandTimeoutSeconds(busy));
            readOnly |= SQLitePCL.raw.sqlite3_db_readonly(session.Connection.Handle, "main") == 1;
            if (!memory && !readOnly)
            {
                // Persistent in the file; a no-op when it is already in WAL mode.
                session.Execute("PRAGMA journal_mode = WAL");
            }

            var applied = SqliteSchema.Migrate(session.Connection, file, migrations, readOnly);
            foreach (var version in applied)
            {
                LogMigrated(logger, file, version);
            }

            if (!readOnly)
            {
                // Gathers planner statistics the file lacks (bounded by analysis_limit).
                TryOptimize(session, "PRAGMA optimize = 0x10002");
            }

            LogOpened(logger, file, SqliteSchema.CurrentVersion, memory ? "memory" : readOnly ? "read-only" : "WAL", options.Durability);
            return new SqliteRegistryStore(connectionString, file, memory, readOnly, options, session, logger);
        }
        catch (SqliteException ex)
        {
            session?.Dispose();
            throw SqliteErrors.Map(ex, file, busy);
        }
        catch
        {
            session?.Dispose();
            throw;
        }
    }

    // ------------------------------------------------------------------ reads

    /// <inheritdoc />
    public ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read(name, static (store, s, name) =>
        {
            var command = s.Command("SELECT d.doc FROM models m JOIN model_docs d ON d.id = m.id WHERE m.key = @key");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(name));
            return store.ReadOne<RegisteredModel>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(version);
        return Read((modelName, version), static (store, s, a) =>
        {
            var command = s.Command("SELECT d.doc FROM versions v JOIN version_docs d ON d.id = v.id WHERE v.model_key = @key AND v.sort_key = @sort");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(a.modelName));
            SqliteSession.Bind(command, "@sort", a.version.SortKey);
            return store.ReadOne<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return Read(modelName, static (store, s, name) =>
        {
            var command = s.Command("SELECT d.doc FROM versions v JOIN version_docs d ON d.id = v.id WHERE v.model_key = @key ORDER BY v.sort_key");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(name));
            return store.ReadMany<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        return Read((modelName, idempotencyKey), static (store, s, a) =>
        {
            var command = s.Command("SELECT d.doc FROM versions v JOIN version_docs d ON d.id = v.id WHERE v.model_key = @key AND v.idempotency_key = @idem ORDER BY v.sort_key LIMIT 1");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(a.modelName));
            SqliteSession.Bind(command, "@idem", a.idempotencyKey);
            return store.ReadOne<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken)
        => Query<RegisteredModel>(query, SearchTarget.Models, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken)
        => Query<ModelVersion>(query, SearchTarget.Versions, cancellationToken);

    private ValueTask<IReadOnlyList<T>> Query<T>(StoreQuery query, SearchTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0)
        {
            return new ValueTask<IReadOnlyList<T>>([]);
        }

        // Translated before touching the database: an unsupported filter fails without side effects.
        var sql = SqliteQueryTranslator.Translate(query, target);
        return Read(sql, static (store, s, q) => store.ReadMany<T>(s.Command(q.Sql, q.Arguments)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (limit <= 0)
        {
            return new ValueTask<IReadOnlyList<AuditRecord>>([]);
        }

        var sql = new System.Text.StringBuilder("SELECT sequence, ts, ts_offset, actor, action, subject, data, prev_hash, hash FROM audit WHERE sequence > @p0");
        var args = new List<object> { afterSequence };
        string P(object value)
        {
            args.Add(value);
            return "@p" + (args.Count - 1).ToString(CultureInfo.InvariantCulture);
        }

        if (filter.Subject is { } subject)
        {
            if (subject.EndsWith('*'))
            {
                var prefix = subject[..^1];
                var successor = prefix.Length == 0 ? null : SqliteText.PrefixSuccessor(prefix);
                if (successor is not null)
                {
                    sql.Append(" AND subject >= ").Append(P(prefix)).Append(" AND subject < ").Append(P(successor));
                }
                else if (prefix.Length > 0)
                {
                    sql.Append(" AND ").Append(SqliteSession.StartsWithFunction).Append("(CAST(subject AS BLOB), CAST(").Append(P(prefix)).Append(" AS BLOB))");
                }
            }
            else
            {
                sql.Append(" AND subject = ").Append(P(subject));
            }
        }

        if (filter.Action is { } action)
        {
            sql.Append(" AND action = ").Append(P(action));
        }

        if (filter.Actor is { } actor)
        {
            sql.Append(" AND actor = ").Append(P(actor));
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND ts >= ").Append(P(from.UtcTicks));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND ts < ").Append(P(to.UtcTicks));
        }

        sql.Append(" ORDER BY sequence LIMIT ").Append(P((long)limit));
        var query = new SqliteQuery(sql.ToString(), args);
        return Read(query, static (store, s, q) =>
        {
            using var reader = s.Command(q.Sql, q.Arguments).ExecuteReader();
            var records = new List<AuditRecord>();
            while (reader.Read())
            {
                records.Add(ReadAudit(reader));
            }

            return (IReadOnlyList<AuditRecord>)records;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken)
        => Read(0, static (_, s, _) => ReadHead(s).Sequence, cancellationToken);

    // ------------------------------------------------------------------ writes

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

            if (++session.CommitsSinceOptimize >= OptimizeEveryCommits)
            {
                session.CommitsSinceOptimize = 0;
                TryOptimize(session, "PRAGMA optimize");
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
        // BEGIN IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the revision checks and the
        // chain head read below cannot be invalidated by another process before COMMIT.
        s.Execute("BEGIN IMMEDIATE");
        try
        {
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
                        break;
                    default:
                        throw new ModelRegistryException(ErrorCode.InvalidArgument, $"The SQLite store does not support the write {row.Write.GetType().Name}.");
                }
            }

            var (sequence, hash) = ReadHead(s);
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
        var docs = s.Command("DELETE FROM version_docs WHERE id IN (SELECT id FROM versions WHERE model_key = @key)");
        SqliteSession.Bind(docs, "@key", key);
        docs.ExecuteNonQuery();
        foreach (var table in (ReadOnlySpan<string>)["version_tags", "version_metrics", "version_params", "version_providers"])
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

        // A version belongs to a model. If the model is gone, it was deleted after the caller read it: a conflict,
        // never an orphan version.
        var owner = s.Command("SELECT 1 FROM models WHERE key = @key");
        SqliteSession.Bind(owner, "@key", modelKey);
        if (owner.ExecuteScalar() is null)
        {
            throw new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Model '{version.ModelName}' no longer exists (it was deleted by another writer), so version {version.Version} cannot be written.",
                VersionSubject(version.ModelName, version.Version));
        }

        var side = SideRows.Fingerprint(version);
        var (versionId, sideChanged) = put.ExpectedRevision == 0
            ? (InsertVersion(s, version, modelKey, side), true)
            : UpdateVersion(s, put, modelKey, side);
        PutDoc(s, "INSERT OR REPLACE INTO version_docs (id, doc) VALUES (@id, @doc)", versionId, doc);
        if (!sideChanged)
        {
            return;
        }

        if (put.ExpectedRevision != 0)
        {
            Delete(s, "DELETE FROM version_tags WHERE version_id = @id", versionId);
            Delete(s, "DELETE FROM version_metrics WHERE version_id = @id", versionId);
            Delete(s, "DELETE FROM version_params WHERE version_id = @id", versionId);
            Delete(s, "DELETE FROM version_providers WHERE version_id = @id", versionId);
        }

        InsertPairs(s, "INSERT INTO version_tags (version_id, key, value) VALUES (@id, @key, @value)", versionId, version.Tags);
        InsertPairs(s, "INSERT INTO version_params (version_id, key, value) VALUES (@id, @key, @value)", versionId, version.Parameters);
        var metric = s.Command("INSERT INTO version_metrics (version_id, key, value) VALUES (@id, @key, @value)");
        foreach (var (k, v) in version.Metrics)
        {
            SqliteSession.Bind(metric, "@id", versionId);
            SqliteSession.Bind(metric, "@key", k);
            SqliteSession.Bind(metric, "@value", v);
            metric.ExecuteNonQuery();
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

    private static long InsertVersion(SqliteSession s, ModelVersion version, string modelKey, byte[] side)
    {
        var command = s.Command(
            "INSERT INTO versions (model_key, sort_key, model_name, description, stage, run_id, source_commit, idempotency_key, created_at, updated_at, revision, side_hash) " +
            "VALUES (@key, @sort, @model_name, @description, @stage, @run_id, @source_commit, @idempotency_key, @created_at, @updated_at, @revision, @side_hash) " +
            "ON CONFLICT (model_key, sort_key) DO NOTHING RETURNING id");
        SqliteSession.Bind(command, "@key", modelKey);
        SqliteSession.Bind(command, "@sort", version.Version.SortKey);
        foreach (var (column, value) in VersionColumns(version, side))
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

    private static (long Id, bool SideChanged) UpdateVersion(SqliteSession s, PutVersion put, string modelKey, byte[] side)
    {
        var version = put.Version;
        return UpdateChanged(
            s,
            "versions",
            "model_key = @key AND sort_key = @sort",
            [("@key", modelKey), ("@sort", version.Version.SortKey)],
            put.ExpectedRevision,
            VersionColumns(version, side),
            () => new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Version {version.Version} of '{version.ModelName}' is no longer at revision {put.ExpectedRevision}: it was changed or deleted by another writer. Read it again and retry.",
                VersionSubject(version.ModelName, version.Version)));
    }

    /// <summary>The extracted columns of a version; the side-table fingerprint is last.</summary>
    private static (string Column, object? Value)[] VersionColumns(ModelVersion version, byte[] side) =>
    [
        ("model_name", version.ModelName), ("description", version.Description), ("stage", (long)version.Stage), ("run_id", version.RunId),
        ("source_commit", version.SourceCommit), ("idempotency_key", version.IdempotencyKey), ("created_at", version.CreatedAt.UtcTicks),
        ("updated_at", version.UpdatedAt.UtcTicks), ("revision", version.Revision), ("side_hash", side),
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
            _ => new(write, null),
        };
    }

    // ------------------------------------------------------------------ sessions

    private delegate T ReadAction<TState, T>(SqliteRegistryStore store, SqliteSession session, TState state);

    private ValueTask<T> Read<TState, T>(TState state, ReadAction<TState, T> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        if (_memory)
        {
            return ReadSerializedAsync(state, action, cancellationToken);
        }

        var session = Rent();
        try
        {
            return new ValueTask<T>(action(this, session, state));
        }
        catch (SqliteException ex)
        {
            throw MapAndLog(ex);
        }
        finally
        {
            Return(session);
        }
    }

    /// <summary>An in-memory database lives in one connection, so every call takes turns on it.</summary>
    private async ValueTask<T> ReadSerializedAsync<TState, T>(TState state, ReadAction<TState, T> action, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            return action(this, Writer(), state);
        }
        catch (SqliteException ex)
        {
            throw MapAndLog(ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private SqliteSession Writer()
        => _writer ??= NewSession();

    private SqliteSession Rent()
    {
        while (_idle.TryTake(out var session))
        {
            if (session.Generation == Volatile.Read(ref _generation))
            {
                return session;
            }

            session.Dispose();
        }

        try
        {
            var fresh = NewSession();
            fresh.Generation = Volatile.Read(ref _generation);
            return fresh;
        }
        catch (SqliteException ex)
        {
            throw MapAndLog(ex);
        }
    }

    private void Return(SqliteSession session)
    {
        if (Volatile.Read(ref _disposed) != 0 || session.Generation != Volatile.Read(ref _generation) || _idle.Count >= MaxIdleSessions)
        {
            session.Dispose();
            return;
        }

        _idle.Add(session);
    }

    private SqliteSession NewSession() => new(_connectionString, _busyTimeoutMs, _durability, _commandTimeoutSeconds);

    /// <summary>After new planner statistics, read connections are replaced so that they plan with them.</summary>
    private void RetireReadSessions()
    {
        Interlocked.Increment(ref _generation);
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    private static void TryOptimize(SqliteSession session, string pragma)
    {
        try
        {
            session.Execute(pragma);
        }
        catch (SqliteException)
        {
            // Statistics are an optimisation; a busy or read-only file must not fail the caller.
        }
    }

    private T? ReadOne<T>(SqliteCommand command)
        where T : class
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? Deserialize<T>(reader.GetString(0)) : null;
    }

    private IReadOnlyList<T> ReadMany<T>(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(Deserialize<T>(reader.GetString(0)));
        }

        return list;
    }

    private T Deserialize<T>(string json)
    {
        try
        {
            return StoreSerializer.Deserialize<T>(json);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.StorageCorrupted)
        {
            throw SqliteErrors.Corrupted(_file, ex.Message, ex);
        }
    }

    private ModelRegistryException MapAndLog(SqliteException ex)
    {
        var mapped = SqliteErrors.Map(ex, _file, _busyTimeout);
        LogEngineError(_logger, _file, ex.SqliteErrorCode, mapped.Code, ex);
        return mapped;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    // ------------------------------------------------------------------ opening

    private static void CheckHeader(string file)
    {
        Span<byte> header = stackalloc byte[16];
        long length;
        int read;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' cannot be read ({ex.Message}). Check that the process may read and write it.",
                innerException: ex);
        }

        // New stores are built under a temporary name and moved into place complete, so a zero-length file is never
        // one being created by another process: it is damage (or a stray empty file), and is refused.
        if (length == 0)
        {
            throw SqliteErrors.Corrupted(file, "the file is empty (0 bytes)");
        }

        if (read < header.Length || !header.SequenceEqual("SQLite format 3\0"u8))
        {
            throw SqliteErrors.Corrupted(file, "the file does not start with the SQLite header, so it is another format (for example a LiteDB file) or damaged");
        }
    }

    /// <summary>
    /// Builds a new store under a temporary name in the same directory and moves it into place without overwriting, so
    /// two processes creating the same store at once end up sharing one complete file and neither ever opens a half-built one.
    /// </summary>
    private static void CreateNew(string file, SqliteConnectionStringBuilder template, IReadOnlyList<SqliteMigration> migrations, TimeSpan busy, ILogger logger)
    {
        var temp = $"{file}.{Guid.NewGuid():N}.tmp";
        var builder = new SqliteConnectionStringBuilder(template.ConnectionString)
        {
            DataSource = temp,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        try
        {
            using (var connection = new SqliteConnection(builder.ConnectionString))
            {
                connection.Open();
                SqliteSchema.Execute(connection, "PRAGMA journal_mode = WAL");
                SqliteSchema.Migrate(connection, file, migrations, readOnly: false);
            }

            try
            {
                System.IO.File.Move(temp, file, overwrite: false);
                LogCreated(logger, file);
            }
            catch (IOException) when (System.IO.File.Exists(file))
            {
                // Another process created the store first; use theirs.
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Map(ex, file, busy);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' cannot be created ({ex.Message}). Check that the directory exists and that the process may write to it.",
                innerException: ex);
        }
        finally
        {
            foreach (var leftover in (ReadOnlySpan<string>)[temp, temp + "-wal", temp + "-shm", temp + "-journal"])
            {
                try
                {
                    System.IO.File.Delete(leftover);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: a stray temporary file is harmless.
                }
            }
        }
    }

    internal static int BusyMilliseconds(TimeSpan busy) => (int)Math.Clamp(busy.TotalMilliseconds, 0, int.MaxValue);

    /// <summary>
    /// Microsoft.Data.Sqlite retries busy statements until the command timeout (whole seconds, 0 = forever) on top of
    /// SQLite's own busy handler; keeping it at the busy timeout bounds the total wait.
    /// </summary>
    internal static int CommandTimeoutSeconds(TimeSpan busy) => (int)Math.Max(1, Math.Ceiling(busy.TotalSeconds));

    // ------------------------------------------------------------------ disposal

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Wait for an in-flight commit; later calls see the disposed flag.
        _writeGate.Wait();
        try
        {
            if (_writer is { } writer)
            {
                if (!_readOnly)
                {
                    // Recommended before closing a connection: records statistics for the next open.
                    TryOptimize(writer, "PRAGMA optimize");
                }

                writer.Dispose();
                _writer = null;
            }

            while (_idle.TryTake(out var session))
            {
                session.Dispose();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information, "Created the registry store {File}.")]
    private static partial void LogCreated(ILogger logger, string file);

    [LoggerMessage(2, LogLevel.Information, "Migrated the registry store {File} to schema version {Version}.")]
    private static partial void LogMigrated(ILogger logger, string file, int version);

    [LoggerMessage(3, LogLevel.Debug, "Opened the registry store {File} (schema {Version}, {Mode}, durability {Durability}).")]
    private static partial void LogOpened(ILogger logger, string file, int version, string mode, SqliteDurability durability);

    [LoggerMessage(4, LogLevel.Warning, "SQLite error {SqliteError} on the registry store {File}; reported as {Code}.")]
    private static partial void LogEngineError(ILogger logger, string file, int sqliteError, ErrorCode code, Exception exception);
}
