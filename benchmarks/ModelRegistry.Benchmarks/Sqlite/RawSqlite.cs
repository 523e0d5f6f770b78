using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks.Sqlite;

/// <summary>
/// The raw baseline: what a developer would write by hand on Microsoft.Data.Sqlite to keep model versions with a
/// hash-chained audit trail, with the same durability as the registry's default (WAL, <c>synchronous=FULL</c>) and the
/// same page cache. One narrow table per record kind holding the record as JSON (the same
/// <see cref="StoreSerializer"/> JSON the registry stores) plus the columns the lookups need, a tag table with a
/// (key, value) index for the search, and an audit table. Prepared commands are created once and reused.
/// </summary>
public sealed class RawSqlite : IDisposable
{
    private static readonly string[] Schema =
    [
        "CREATE TABLE IF NOT EXISTS models (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS versions (
            id         INTEGER PRIMARY KEY,
            model_key  TEXT    NOT NULL,
            sort_key   TEXT    NOT NULL,
            model_name TEXT    NOT NULL,
            stage      INTEGER NOT NULL,
            doc        TEXT    NOT NULL,
            UNIQUE (model_key, sort_key))
        """,
        // Ordered as the registry's default search order: name ascending, then version descending.
        "CREATE INDEX IF NOT EXISTS ix_versions_stage ON versions (stage, model_name, sort_key DESC)",
        "CREATE TABLE IF NOT EXISTS version_tags (version_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (version_id, key)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS ix_version_tags ON version_tags (key, value, version_id)",
        """
        CREATE TABLE IF NOT EXISTS audit (
            sequence  INTEGER PRIMARY KEY,
            ts        INTEGER NOT NULL,
            actor     TEXT    NOT NULL,
            action    TEXT    NOT NULL,
            subject   TEXT    NOT NULL,
            data      TEXT    NOT NULL,
            prev_hash TEXT    NOT NULL,
            hash      TEXT    NOT NULL)
        """,
    ];

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insertVersion;
    private readonly SqliteCommand _insertTag;
    private readonly SqliteCommand _insertAudit;
    private readonly SqliteCommand _getVersion;
    private readonly SqliteCommand _search;

    private RawSqlite(string path)
    {
        _connection = OpenConnection(path);
        foreach (var statement in Schema)
        {
            Execute(statement);
        }

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _head = Prepare("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1");
        _insertVersion = Prepare("INSERT INTO versions (model_key, sort_key, model_name, stage, doc) VALUES ($key, $sort, $name, $stage, $doc) RETURNING id", "$key", "$sort", "$name", "$stage", "$doc");
        _insertTag = Prepare("INSERT INTO version_tags (version_id, key, value) VALUES ($id, $key, $value)", "$id", "$key", "$value");
        _insertAudit = Prepare(
            "INSERT INTO audit (sequence, ts, actor, action, subject, data, prev_hash, hash) VALUES ($seq, $ts, $actor, $action, $subject, $data, $prev, $hash)",
            "$seq", "$ts", "$actor", "$action", "$subject", "$data", "$prev", "$hash");
        _getVersion = Prepare("SELECT doc FROM versions WHERE model_key = $key AND sort_key = $sort", "$key", "$sort");

        // The hand-written search, in the registry's default order (name ascending, version descending). It walks the
        // (stage, name, version DESC) index in page order and probes the tag table's
        // primary key for each row, stopping after page size + 1 rows (the extra row says whether there is a next
        // page), so nothing is sorted and only the page's rows are read. The obvious alternative, a join driven by the
        // tag index and then sorted (SELECT … FROM version_tags t JOIN versions v … ORDER BY …), reads every matching
        // row of the team and was several times slower on this dataset; the stricter baseline is used.
        _search = Prepare(
            """
            SELECT v.doc FROM versions v
            WHERE v.stage = $stage AND EXISTS (SELECT 1 FROM version_tags t WHERE t.version_id = v.id AND t.key = $key AND t.value = $value)
            ORDER BY v.model_name, v.sort_key DESC
            LIMIT $limit
            """,
            "$key", "$value", "$stage", "$limit");
    }

    public static RawSqlite Open(string path) => new(path);

    /// <summary>A connection with the registry's settings: no provider pooling, WAL, FULL sync, 8 MiB page cache.</summary>
    internal static SqliteConnection OpenConnection(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Creates a raw database holding the given models and versions (bulk inserted, then analysed).</summary>
    public static void Seed(string path, IEnumerable<RegisteredModel> models, IEnumerable<ModelVersion> versions)
    {
        using var raw = Open(path);
        raw.Execute("BEGIN");
        using (var insertModel = raw.Prepare("INSERT INTO models (key, doc) VALUES ($key, $doc)", "$key", "$doc"))
        {
            foreach (var model in models)
            {
                insertModel.Parameters[0].Value = model.Name.ToUpperInvariant();
                insertModel.Parameters[1].Value = StoreSerializer.Serialize(model);
                insertModel.ExecuteNonQuery();
            }
        }

        foreach (var version in versions)
        {
            raw.InsertVersionRows(version, StoreSerializer.Serialize(version));
        }

        raw.Execute("COMMIT");
        raw.Execute("ANALYZE");
    }

    /// <summary>
    /// Stores a new version durably with its audit record: one transaction holding the version row, its tag rows and
    /// an audit row chained to the previous one by SHA-256 (the head is read inside the transaction, as any writer
    /// that shares the file must).
    /// </summary>
    public void CreateVersion(ModelVersion version, DateTimeOffset now)
    {
        var json = StoreSerializer.Serialize(version);
        _begin.ExecuteNonQuery();
        try
        {
            long sequence;
            string previous;
            using (var reader = _head.ExecuteReader())
            {
                (sequence, previous) = reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0L, new string('0', 64));
            }

            InsertVersionRows(version, json);
            sequence++;
            var subject = $"version:{version.ModelName}/{version.Version}";
            var p = _insertAudit.Parameters;
            p[0].Value = sequence;
            p[1].Value = now.UtcTicks;
            p[2].Value = version.CreatedBy;
            p[3].Value = "version.created";
            p[4].Value = subject;
            p[5].Value = json;
            p[6].Value = previous;
            p[7].Value = AuditHash(sequence, now, version.CreatedBy, "version.created", subject, json, previous);
            _insertAudit.ExecuteNonQuery();
            _commit.ExecuteNonQuery();
        }
        catch
        {
            Execute("ROLLBACK");
            throw;
        }
    }

    /// <summary>One prepared SELECT by (model key, version) and a JSON deserialisation.</summary>
    public ModelVersion? GetVersion(string modelName, string version)
    {
        _getVersion.Parameters[0].Value = modelName.ToUpperInvariant();
        _getVersion.Parameters[1].Value = SemanticVersion.Parse(version).SortKey;
        using var reader = _getVersion.ExecuteReader();
        return reader.Read() ? StoreSerializer.Deserialize<ModelVersion>(reader.GetString(0)) : null;
    }

    /// <summary>The first page of versions with a tag value in a stage, ordered by name, then version descending.</summary>
    public List<ModelVersion> Search(string tagKey, string tagValue, ModelStage stage, int pageSize)
    {
        var p = _search.Parameters;
        p[0].Value = tagKey;
        p[1].Value = tagValue;
        p[2].Value = (long)stage;
        p[3].Value = (long)pageSize + 1;
        var page = new List<ModelVersion>(pageSize + 1);
        using (var reader = _search.ExecuteReader())
        {
            while (reader.Read())
            {
                page.Add(StoreSerializer.Deserialize<ModelVersion>(reader.GetString(0)));
            }
        }

        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
        }

        return page;
    }

    public object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        foreach (var command in (ReadOnlySpan<SqliteCommand>)[_begin, _commit, _head, _insertVersion, _insertTag, _insertAudit, _getVersion, _search])
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private void InsertVersionRows(ModelVersion version, string json)
    {
        var p = _insertVersion.Parameters;
        p[0].Value = version.ModelName.ToUpperInvariant();
        p[1].Value = version.Version.SortKey;
        p[2].Value = version.ModelName;
        p[3].Value = (long)version.Stage;
        p[4].Value = json;
        var id = (long)_insertVersion.ExecuteScalar()!;
        foreach (var (key, value) in version.Tags)
        {
            _insertTag.Parameters[0].Value = id;
            _insertTag.Parameters[1].Value = key;
            _insertTag.Parameters[2].Value = value;
            _insertTag.ExecuteNonQuery();
        }
    }

    /// <summary>SHA-256 over length-prefixed fields and the previous hash.</summary>
    internal static string AuditHash(long sequence, DateTimeOffset at, string actor, string action, string subject, string data, string previous)
    {
        var buffer = new ArrayBufferWriter(256 + Encoding.UTF8.GetMaxByteCount(data.Length));
        buffer.Int64(sequence);
        buffer.Int64(at.ToUnixTimeMilliseconds());
        buffer.Text(actor);
        buffer.Text(action);
        buffer.Text(subject);
        buffer.Text(data);
        buffer.Text(previous);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.Written));
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A growable byte buffer for the hash input.</summary>
    private sealed class ArrayBufferWriter(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public void Int64(long value)
        {
            Ensure(8);
            BinaryPrimitives.WriteInt64BigEndian(_bytes.AsSpan(_length), value);
            _length += 8;
        }

        public void Text(string value)
        {
            var count = Encoding.UTF8.GetByteCount(value);
            Int64(count);
            Ensure(count);
            _length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(_length));
        }

        private void Ensure(int count)
        {
            if (_length + count > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + count));
            }
        }
    }
}
