using Microsoft.Data.Sqlite;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>One schema migration: the statements that move a store from <c>Version - 1</c> to <see cref="Version"/>.</summary>
internal sealed record SqliteMigration(int Version, string Description, IReadOnlyList<string> Statements);

/// <summary>
/// The store's schema and the rules for creating and migrating it. A store file is identified by
/// <see cref="ApplicationId"/> in the SQLite header; its schema version is the highest row of <c>schema_migrations</c>.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>"MRgy" — marks a SQLite file as a ModelRegistry store (PRAGMA application_id).</summary>
    public const int ApplicationId = 0x4D526779;

    /// <summary>The migrations this library knows, in order. Never edit a shipped migration; add a new one.</summary>
    public static IReadOnlyList<SqliteMigration> Migrations { get; } =
    [
        new(1, "initial schema",
        [
            """
            CREATE TABLE schema_migrations (
                version     INTEGER NOT NULL PRIMARY KEY,
                description TEXT    NOT NULL,
                applied_at  TEXT    NOT NULL)
            """,

            // Models. key = upper-invariant name (names are unique case-insensitively). The columns are extracted from
            // the record for search and ordering (timestamps as UTC ticks, enums as integers); the record itself, as
            // StoreSerializer JSON, is the source of truth and lives in model_docs, so that the searched table stays
            // narrow (many rows per page) and sorts never carry documents.
            """
            CREATE TABLE models (
                id          INTEGER PRIMARY KEY,
                key         TEXT    NOT NULL UNIQUE,
                name        TEXT    NOT NULL,
                description TEXT,
                risk_tier   INTEGER NOT NULL,
                status      INTEGER NOT NULL,
                created_at  INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                revision    INTEGER NOT NULL,
                side_hash   BLOB    NOT NULL)
            """,
            "CREATE TABLE model_docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)",
            "CREATE INDEX ix_models_name ON models (name)",
            "CREATE INDEX ix_models_description ON models (description)",
            "CREATE INDEX ix_models_risk_tier ON models (risk_tier)",
            "CREATE INDEX ix_models_status ON models (status)",
            "CREATE INDEX ix_models_created_at ON models (created_at)",
            "CREATE INDEX ix_models_updated_at ON models (updated_at)",
            "CREATE TABLE model_tags (model_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)) WITHOUT ROWID",
            "CREATE INDEX ix_model_tags_key_value ON model_tags (key, value, model_id)",
            "CREATE TABLE model_owners (model_id INTEGER NOT NULL, ord INTEGER NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (model_id, ord)) WITHOUT ROWID",
            "CREATE INDEX ix_model_owners_owner ON model_owners (owner, model_id)",

            // side_hash fingerprints the record's side-table rows (SideRows), so unchanged ones are not rewritten.
            // Versions, keyed by (model key, SemanticVersion.SortKey) so build metadata does not distinguish versions.
            """
            CREATE TABLE versions (
                id              INTEGER PRIMARY KEY,
                model_key       TEXT    NOT NULL,
                sort_key        TEXT    NOT NULL,
                model_name      TEXT    NOT NULL,
                description     TEXT,
                stage           INTEGER NOT NULL,
                run_id          TEXT,
                source_commit   TEXT,
                idempotency_key TEXT,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL,
                revision        INTEGER NOT NULL,
                side_hash       BLOB    NOT NULL,
                UNIQUE (model_key, sort_key))
            """,
            "CREATE TABLE version_docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)",
            "CREATE INDEX ix_versions_name_version ON versions (model_name, sort_key)",
            "CREATE INDEX ix_versions_sort_key ON versions (sort_key)",
            "CREATE INDEX ix_versions_description ON versions (description)",
            "CREATE INDEX ix_versions_stage ON versions (stage, model_name, sort_key)",
            "CREATE INDEX ix_versions_run_id ON versions (run_id)",
            "CREATE INDEX ix_versions_source_commit ON versions (source_commit)",
            "CREATE INDEX ix_versions_idempotency ON versions (model_key, idempotency_key) WHERE idempotency_key IS NOT NULL",
            "CREATE INDEX ix_versions_created_at ON versions (created_at)",
            "CREATE INDEX ix_versions_updated_at ON versions (updated_at)",
            "CREATE TABLE version_tags (version_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (version_id, key)) WITHOUT ROWID",
            "CREATE INDEX ix_version_tags_key_value ON version_tags (key, value, version_id)",
            "CREATE TABLE version_metrics (version_id INTEGER NOT NULL, key TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (version_id, key)) WITHOUT ROWID",
            "CREATE INDEX ix_version_metrics_key_value ON version_metrics (key, value, version_id)",
            "CREATE TABLE version_params (version_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (version_id, key)) WITHOUT ROWID",
            "CREATE INDEX ix_version_params_key_value ON version_params (key, value, version_id)",

            "CREATE TABLE version_providers (version_id INTEGER NOT NULL, ord INTEGER NOT NULL, provider TEXT NOT NULL, PRIMARY KEY (version_id, ord)) WITHOUT ROWID",
            "CREATE INDEX ix_version_providers_provider ON version_providers (provider, version_id)",

            // Documents: the other aggregates (lineage nodes and edges, approvals, checkpoints) as Core's JSON, verbatim.
            // change_sequence = the audit sequence of the commit that last wrote the document, for catch-up listing.
            """
            CREATE TABLE documents (
                id              INTEGER PRIMARY KEY,
                collection      TEXT    NOT NULL,
                key             TEXT    NOT NULL,
                json            TEXT    NOT NULL,
                idx             TEXT,
                revision        INTEGER NOT NULL,
                change_sequence INTEGER NOT NULL,
                UNIQUE (collection, key))
            """,
            "CREATE INDEX ix_documents_change ON documents (collection, change_sequence, key)",
            "CREATE INDEX ix_documents_idx ON documents (collection, idx, change_sequence, key)",

            // The audit chain. sequence is the store-wide change sequence; ts = UTC ticks, ts_offset = minutes.
            """
            CREATE TABLE audit (
                sequence  INTEGER PRIMARY KEY,
                ts        INTEGER NOT NULL,
                ts_offset INTEGER NOT NULL,
                actor     TEXT    NOT NULL,
                action    TEXT    NOT NULL,
                subject   TEXT    NOT NULL,
                data      TEXT    NOT NULL,
                prev_hash TEXT    NOT NULL,
                hash      TEXT    NOT NULL)
            """,
            "CREATE INDEX ix_audit_subject ON audit (subject)",
            "CREATE INDEX ix_audit_action ON audit (action)",
            "CREATE INDEX ix_audit_actor ON audit (actor)",
            "CREATE INDEX ix_audit_ts ON audit (ts)",
        ]),
        new(2, "metric points and hourly roll-ups",
        [
            // The metric seam (IMetricStore): raw points and hourly roll-ups, apart from the registry and the audit
            // trail. ts and hour are UTC ticks. The value columns are declared without a type on purpose: a REAL
            // column stores whole numbers as integers and so turns -0.0 into 0, while a column without affinity keeps
            // the bound double bit for bit (it is still a REAL value, so SQL arithmetic on it works).
            """
            CREATE TABLE metric_points (
                model      TEXT    NOT NULL,
                version    TEXT    NOT NULL,
                binding    TEXT,
                metric     TEXT    NOT NULL,
                ts         INTEGER NOT NULL,
                value              NOT NULL,
                unit       TEXT,
                request_id TEXT,
                dimensions TEXT)
            """,
            "CREATE INDEX ix_metric_points_series_ts ON metric_points (model, version, metric, ts)",

            // Compaction and the retention job select by time alone, across every series.
            "CREATE INDEX ix_metric_points_ts ON metric_points (ts)",
            """
            CREATE TABLE metric_rollups (
                model   TEXT    NOT NULL,
                version TEXT    NOT NULL,
                binding TEXT,
                metric  TEXT    NOT NULL,
                hour    INTEGER NOT NULL,
                count   INTEGER NOT NULL,
                sum             NOT NULL,
                mean            NOT NULL,
                m2              NOT NULL,
                min             NOT NULL,
                max             NOT NULL,
                sketch  BLOB    NOT NULL)
            """,
            "CREATE INDEX ix_metric_rollups_series_hour ON metric_rollups (model, version, metric, hour)",
            "CREATE INDEX ix_metric_rollups_hour ON metric_rollups (hour)",
        ]),
        new(3, "fewer b-trees per version write: documents in the versions row, one side table for tags, params and metrics",
        [
            // Creating a version touched 22 b-trees (each a page written to the WAL per commit). The document moves into
            // the versions row (the searches find ids over indexes and read only the page's rows, so the wider row
            // costs them nothing), and tags, parameters and metrics share one keyed side table with one value index.
            // content_hash (not indexed) lets the duplicate-content check read one column of the model's rows.
            "ALTER TABLE versions ADD COLUMN doc TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE versions ADD COLUMN content_hash TEXT",
            "UPDATE versions SET doc = (SELECT d.doc FROM version_docs d WHERE d.id = versions.id)",
            "UPDATE versions SET content_hash = json_extract(doc, '$.ContentHash')",
            "DROP TABLE version_docs",

            // kind: 0 = tag, 1 = parameter, 2 = metric (VersionAttribute). value has no affinity: TEXT for tags
            // and parameters, REAL for metrics, so each kind compares as its own type.
            """
            CREATE TABLE version_attrs (
                version_id INTEGER NOT NULL,
                kind       INTEGER NOT NULL,
                key        TEXT    NOT NULL,
                value              NOT NULL,
                PRIMARY KEY (version_id, kind, key)) WITHOUT ROWID
            """,
            "CREATE INDEX ix_version_attrs_value ON version_attrs (kind, key, value, version_id)",
            "INSERT INTO version_attrs (version_id, kind, key, value) SELECT version_id, 0, key, value FROM version_tags",
            "INSERT INTO version_attrs (version_id, kind, key, value) SELECT version_id, 1, key, value FROM version_params",
            "INSERT INTO version_attrs (version_id, kind, key, value) SELECT version_id, 2, key, CAST(value AS REAL) FROM version_metrics",
            "DROP TABLE version_tags",
            "DROP TABLE version_params",
            "DROP TABLE version_metrics",
        ]),
    ];

    /// <summary>The schema version this library writes.</summary>
    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>What the header and schema table say about a database.</summary>
    /// <param name="ApplicationId">PRAGMA application_id.</param>
    /// <param name="Version">The highest applied migration (0 for an empty database).</param>
    /// <param name="IsEmpty">Whether the database holds no schema objects at all.</param>
    internal readonly record struct State(int ApplicationId, int Version, bool IsEmpty);

    /// <summary>Reads the state of a database, refusing one that is not a registry store.</summary>
    public static State ReadState(SqliteConnection connection, string file)
    {
        var appId = Convert.ToInt32(Scalar(connection, "PRAGMA application_id"), System.Globalization.CultureInfo.InvariantCulture);
        var objects = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema"), System.Globalization.CultureInfo.InvariantCulture);
        if (appId == 0 && objects == 0)
        {
            return new State(0, 0, true);
        }

        if (appId != ApplicationId)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageCorrupted,
                $"The file '{file}' is a SQLite database but not a ModelRegistry store (application id {appId}, {objects} schema objects). " +
                "It was not modified; point the connection string at a registry file or at a new path.");
        }

        var hasTable = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"), System.Globalization.CultureInfo.InvariantCulture) == 1;
        if (!hasTable)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageCorrupted,
                $"The registry store '{file}' has no schema_migrations table; the file is damaged. Restore it from a backup.");
        }

        var version = Scalar(connection, "SELECT max(version) FROM schema_migrations");
        return new State(appId, version is null or DBNull ? 0 : Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture), false);
    }

    /// <summary>
    /// Brings a database to the newest schema in <paramref name="migrations"/>. Each migration runs in its own
    /// <c>BEGIN IMMEDIATE</c> transaction and re-reads the version under the write lock, so two processes opening the
    /// same file at once apply each migration exactly once. A database with a newer schema is refused, never downgraded.
    /// </summary>
    /// <returns>The versions that this call applied.</returns>
    public static IReadOnlyList<int> Migrate(SqliteConnection connection, string file, IReadOnlyList<SqliteMigration> migrations, bool readOnly)
    {
        var target = migrations[^1].Version;
        var state = ReadState(connection, file);
        CheckNotNewer(state, target, file);
        if (state.Version == target)
        {
            return [];
        }

        if (readOnly)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageIncompatible,
                $"The registry store '{file}' has schema version {state.Version} and needs migrating to {target}, but it is opened read-only. " +
                "Open it once with write access to migrate it.");
        }

        var applied = new List<int>();
        foreach (var migration in migrations)
        {
            if (migration.Version <= state.Version)
            {
                continue;
            }

            Execute(connection, "BEGIN IMMEDIATE");
            try
            {
                // Another process may have migrated while we waited for the lock.
                state = ReadState(connection, file);
                CheckNotNewer(state, target, file);
                if (state.Version < migration.Version)
                {
                    foreach (var statement in migration.Statements)
                    {
                        Execute(connection, statement);
                    }

                    using (var insert = connection.CreateCommand())
                    {
                        insert.CommandText = "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@v, @d, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
                        insert.Parameters.AddWithValue("@v", migration.Version);
                        insert.Parameters.AddWithValue("@d", migration.Description);
                        insert.ExecuteNonQuery();
                    }

                    Execute(connection, $"PRAGMA application_id = {ApplicationId}");
                    applied.Add(migration.Version);
                }

                Execute(connection, "COMMIT");
            }
            catch
            {
                TryRollback(connection);
                throw;
            }
        }

        return applied;
    }

    private static void CheckNotNewer(State state, int target, string file)
    {
        if (state.Version > target)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageIncompatible,
                $"The registry store '{file}' has schema version {state.Version}, written by a newer ModelRegistry; this version understands up to {target}. " +
                "Upgrade the ModelRegistry.Storage.Sqlite package; the file was not modified.");
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Rolls back a transaction left open by a failure whose ROLLBACK also failed (it would make every later BEGIN fail).</summary>
    internal static void RollbackIfOpen(SqliteConnection connection)
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
        {
            TryRollback(connection);
        }
    }

    internal static void TryRollback(SqliteConnection connection)
    {
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                Execute(connection, "ROLLBACK");
            }
        }
        catch (SqliteException)
        {
            // No transaction was open (SQLite already rolled it back); nothing to undo.
        }
    }
}
