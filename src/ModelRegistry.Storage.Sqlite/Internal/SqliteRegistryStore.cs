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
    private const int OptimizeEveryWrites = 1000;
    private const int MaxIdleSessions = 8;
    private const int WatchUnopened = 0;
    private const int WatchOpened = 1;

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
    private readonly Lock _watchLock = new();
    private SqliteSession? _writer;
    private SqliteWalWatch? _walWatch;
    private int _watchState;
    private KnownHead? _knownHead;
    private long _sequenceReads;
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

        if (!memory)
        {
            // Shared-cache mode would replace WAL's "readers never block the writer" with table locks.
            builder.Cache = SqliteCacheMode.Private;
        }

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
            var command = s.Command("SELECT doc FROM versions WHERE model_key = @key AND sort_key = @sort");
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
            var command = s.Command("SELECT doc FROM versions WHERE model_key = @key ORDER BY sort_key");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(name));
            return store.ReadMany<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> FindLatestVersionAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return Read(modelName, static (store, s, name) =>
        {
            var command = s.Command("SELECT doc FROM versions WHERE model_key = @key ORDER BY sort_key DESC LIMIT 1");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(name));
            return store.ReadOne<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> FindVersionByContentHashAsync(string modelName, string contentHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(contentHash);
        return Read((modelName, contentHash), static (store, s, a) =>
        {
            // Walks the model's rows in precedence order and compares one column; only a match is deserialised.
            var command = s.Command("SELECT doc FROM versions WHERE model_key = @key AND content_hash = @hash ORDER BY sort_key LIMIT 1");
            SqliteSession.Bind(command, "@key", SqliteText.ModelKey(a.modelName));
            SqliteSession.Bind(command, "@hash", a.contentHash);
            return store.ReadOne<ModelVersion>(command);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        return Read((modelName, idempotencyKey), static (store, s, a) =>
        {
            var command = s.Command("SELECT doc FROM versions WHERE model_key = @key AND idempotency_key = @idem ORDER BY sort_key LIMIT 1");
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
    public ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(key);
        return Read((collection, key), static (_, s, a) =>
        {
            var command = s.Command("SELECT collection, key, json, idx, revision, change_sequence FROM documents WHERE collection = @collection AND key = @key");
            SqliteSession.Bind(command, "@collection", a.collection);
            SqliteSession.Bind(command, "@key", a.key);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadDocument(reader) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Collection);
        if (query.Limit <= 0)
        {
            return new ValueTask<IReadOnlyList<StoredDocument>>([]);
        }

        return Read(query, static (_, s, q) =>
        {
            var command = s.Command(q.Index is null
                ? "SELECT collection, key, json, idx, revision, change_sequence FROM documents WHERE collection = @collection AND change_sequence > @after ORDER BY change_sequence, key LIMIT @limit"
                : "SELECT collection, key, json, idx, revision, change_sequence FROM documents WHERE collection = @collection AND idx = @idx AND change_sequence > @after ORDER BY change_sequence, key LIMIT @limit");
            SqliteSession.Bind(command, "@collection", q.Collection);
            SqliteSession.Bind(command, "@after", q.AfterChangeSequence);
            SqliteSession.Bind(command, "@limit", (long)q.Limit);
            if (q.Index is not null)
            {
                SqliteSession.Bind(command, "@idx", q.Index);
            }

            using var reader = command.ExecuteReader();
            var documents = new List<StoredDocument>();
            while (reader.Read())
            {
                documents.Add(ReadDocument(reader));
            }

            return (IReadOnlyList<StoredDocument>)documents;
        }, cancellationToken);
    }

    private static StoredDocument ReadDocument(SqliteDataReader reader)
        => new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5));

    /// <summary>Runs a diagnostic query (a PRAGMA, a count) on a read connection; for tests and troubleshooting.</summary>
    internal ValueTask<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
        => Read(sql, static (_, s, q) => SqliteSchema.Scalar(s.Connection, q), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Every lineage query asks this first. When the file's wal-index header is unchanged since the last answer
    /// (<see cref="SqliteWalWatch"/>), nothing was committed by anyone in between and the last answer stands;
    /// otherwise it reads only the sequence (the rowid), not the head's hash.
    /// </remarks>
    public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var watch = WalWatch();
        var stamped = false;
        WalStamp stamp = default;
        if (watch is not null)
        {
            stamped = watch.TryRead(out stamp);
            if (stamped && Volatile.Read(ref _knownHead) is { } known && known.Stamp == stamp)
            {
                return new ValueTask<long>(known.Sequence);
            }
        }

        // The stamp is read before the sequence: whatever is committed after it changes the header, so the pair
        // never vouches for a state older than the sequence read.
        var sequence = Read(0, static (store, s, _) =>
        {
            Interlocked.Increment(ref store._sequenceReads);
            using var reader = s.Command("SELECT sequence FROM audit ORDER BY sequence DESC LIMIT 1").ExecuteReader();
            return reader.Read() ? reader.GetInt64(0) : 0L;
        }, cancellationToken);
        if (stamped && sequence.IsCompletedSuccessfully)
        {
            Volatile.Write(ref _knownHead, new KnownHead(stamp, sequence.Result));
        }

        return sequence;
    }

    /// <summary>How many times <see cref="GetChangeSequenceAsync"/> asked SQLite (tests read it).</summary>
    internal long SequenceReads => Interlocked.Read(ref _sequenceReads);

    /// <summary>The wal-index watch, opened on first use; <see langword="null"/> for in-memory, read-only or opaque data sources, or when the file cannot be mapped.</summary>
    private SqliteWalWatch? WalWatch()
    {
        if (Volatile.Read(ref _watchState) != WatchUnopened)
        {
            return _walWatch;
        }

        lock (_watchLock)
        {
            if (_watchState == WatchUnopened)
            {
                // Read-only connections may keep the wal-index in private memory when the -shm file is not theirs to
                // write, so only a writable file store trusts the shared one.
                _walWatch = _memory || _readOnly || !Path.IsPathFullyQualified(_file) ? null : SqliteWalWatch.TryOpen(_file);
                Volatile.Write(ref _watchState, WatchOpened);
            }
        }

        return _walWatch;
    }

    /// <summary>The last sequence read and the wal-index header read just before it.</summary>
    private sealed record KnownHead(WalStamp Stamp, long Sequence);

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
        Close();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        Close();
    }

    /// <summary>Closes every connection; called with the write gate held.</summary>
    private void Close()
    {
        try
        {
            // Unmapped before the last connection closes: nothing of ours holds the -shm file when SQLite removes it.
            lock (_watchLock)
            {
                _walWatch?.Dispose();
                _walWatch = null;
                _watchState = WatchOpened;
            }

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

    [LoggerMessage(1, LogLevel.Information, "Created the registry store {File}.")]
    private static partial void LogCreated(ILogger logger, string file);

    [LoggerMessage(2, LogLevel.Information, "Migrated the registry store {File} to schema version {Version}.")]
    private static partial void LogMigrated(ILogger logger, string file, int version);

    [LoggerMessage(3, LogLevel.Debug, "Opened the registry store {File} (schema {Version}, {Mode}, durability {Durability}).")]
    private static partial void LogOpened(ILogger logger, string file, int version, string mode, SqliteDurability durability);

    [LoggerMessage(4, LogLevel.Warning, "SQLite error {SqliteError} on the registry store {File}; reported as {Code}.")]
    private static partial void LogEngineError(ILogger logger, string file, int sqliteError, ErrorCode code, Exception exception);
}
