using LiteDB;
using LiteDB.Engine;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks.LiteDb;

/// <summary>
/// The raw baseline on LiteDB 5: what a developer would write by hand with <see cref="BsonDocument"/> collections to
/// keep model versions with a hash-chained audit trail. Each version is one document holding the record as JSON (the
/// same <see cref="StoreSerializer"/> JSON the registry stores) and the fields the lookups need: an <c>_id</c> of
/// <c>MODEL|version</c> (LiteDB has no compound indexes), the stage, the tags as indexed <c>key=value</c> strings, and
/// one string that orders as (name ascending, version descending) — the registry's default search order — since a
/// LiteDB query orders by one expression in one direction. Binary collation, as the registry's store uses.
/// </summary>
/// <remarks>
/// Durability equals the registry's: a LiteDB 5 commit returns once its pages are queued for LiteDB's background
/// writer, so an acknowledged write is not yet on disk. The baseline therefore does what any careful hand-written
/// code must: after <see cref="LiteDatabase.Commit"/> it waits until the writer has written the log up to the length
/// LiteDB reports, and fsyncs the log file once.
/// </remarks>
public sealed class RawLiteDb : IDisposable
{
    private readonly FileStream _dataFile;
    private readonly FileStream _logFile;
    private readonly WrittenEndStream _log;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _versions;
    private readonly ILiteCollection<BsonDocument> _audit;
    private readonly ILiteCollection<BsonDocument> _system;

    private RawLiteDb(string path)
    {
        var logPath = Path.ChangeExtension(path, null) + "-log" + Path.GetExtension(path);
        _dataFile = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess);
        _logFile = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess);
        _log = new WrittenEndStream(_logFile);
        var engine = new LiteEngine(new EngineSettings { DataStream = new WrittenEndStream(_dataFile, fsyncOnFlush: true), LogStream = _log, Collation = Collation.Binary });
        _db = new LiteDatabase(engine, mapper: null, disposeOnClose: true);
        _versions = _db.GetCollection("versions");
        _audit = _db.GetCollection("audit");
        _system = _db.GetCollection("$database");
        _versions.EnsureIndex("stage", "$.stage");
        _versions.EnsureIndex("tkv", "$.tkv[*]");
        _versions.EnsureIndex("order", "$.order");
    }

    public static RawLiteDb Open(string path) => new(path);

    /// <summary>Creates a raw database holding the given models and versions (bulk inserted, then checkpointed).</summary>
    public static void Seed(string path, IEnumerable<RegisteredModel> models, IEnumerable<ModelVersion> versions)
    {
        using var raw = Open(path);
        var modelCollection = raw._db.GetCollection("models");
        modelCollection.InsertBulk(models.Select(m => new BsonDocument { ["_id"] = m.Name.ToUpperInvariant(), ["json"] = StoreSerializer.Serialize(m) }));
        foreach (var batch in versions.Chunk(5_000))
        {
            raw._versions.InsertBulk(batch.Select(v => Document(v, StoreSerializer.Serialize(v))));
        }

        raw._db.Checkpoint();
    }

    /// <summary>
    /// Stores a new version durably with its audit record: one LiteDB transaction holding the version document and an
    /// audit document chained to the previous one by SHA-256 (the head is read inside the transaction), then the wait
    /// for the log and one fsync.
    /// </summary>
    public void CreateVersion(ModelVersion version, DateTimeOffset now)
    {
        var json = StoreSerializer.Serialize(version);
        _db.BeginTrans();
        try
        {
            var head = _audit.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
            var (sequence, previous) = head is null ? (0L, new string('0', 64)) : (head["_id"].AsInt64, head["hash"].AsString);
            _versions.Insert(Document(version, json));
            sequence++;
            var subject = $"version:{version.ModelName}/{version.Version}";
            _audit.Insert(new BsonDocument
            {
                ["_id"] = sequence,
                ["ts"] = now.UtcTicks,
                ["actor"] = version.CreatedBy,
                ["action"] = "version.created",
                ["subject"] = subject,
                ["data"] = json,
                ["prev"] = previous,
                ["hash"] = Sqlite.RawSqlite.AuditHash(sequence, now, version.CreatedBy, "version.created", subject, json, previous),
            });
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        WaitUntilDurable();
    }

    /// <summary>One lookup by <c>_id</c> and a JSON deserialisation.</summary>
    public ModelVersion? GetVersion(string modelName, string version)
    {
        var doc = _versions.FindById(modelName.ToUpperInvariant() + "|" + SemanticVersion.Parse(version).SortKey);
        return doc is null ? null : StoreSerializer.Deserialize<ModelVersion>(doc["json"].AsString);
    }

    /// <summary>The first page of versions with a tag value in a stage, ordered by name, then version descending.</summary>
    public List<ModelVersion> Search(string tagKey, string tagValue, ModelStage stage, int pageSize)
    {
        var page = new List<ModelVersion>(pageSize + 1);
        foreach (var doc in SearchQuery(tagKey, tagValue, stage, pageSize).ToDocuments())
        {
            page.Add(StoreSerializer.Deserialize<ModelVersion>(doc["json"].AsString));
        }

        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
        }

        return page;
    }

    /// <summary>LiteDB's plan for the search (for the README and for checking which index it uses).</summary>
    public string SearchPlan(string tagKey, string tagValue, ModelStage stage, int pageSize)
        => SearchQuery(tagKey, tagValue, stage, pageSize).GetPlan().ToString();

    public void Dispose()
    {
        _db.Dispose();
        _logFile.Dispose();
        _dataFile.Dispose();
    }

    /// <summary>
    /// The hand-written query: the tag index finds the team's versions, the stage is checked on each, and the result is
    /// ordered by name and descending version and cut at page size + 1 (the extra row says whether there is a next page).
    /// </summary>
    private ILiteQueryableResult<BsonDocument> SearchQuery(string tagKey, string tagValue, ModelStage stage, int pageSize)
        => _versions.Query()
            .Where(BsonExpression.Create("$.tkv[*] ANY = @0 AND $.stage = @1", TagKey(tagKey, tagValue), (int)stage))
            .OrderBy("$.order")
            .Limit(pageSize + 1);

    private static BsonDocument Document(ModelVersion version, string json) => new()
    {
        ["_id"] = version.ModelName.ToUpperInvariant() + "|" + version.Version.SortKey,
        ["order"] = version.ModelName + "\0" + Descending(version.Version.SortKey),
        ["stage"] = (int)version.Stage,
        ["tkv"] = new BsonArray(version.Tags.Select(t => new BsonValue(TagKey(t.Key, t.Value)))),
        ["json"] = json,
    };

    /// <summary>
    /// A string whose ordinal order is the reverse of <paramref name="sortKey"/>'s: each (ASCII) character c becomes
    /// U+FFFF − c, and a final U+FFFF puts a key after every key it is a prefix of.
    /// </summary>
    private static string Descending(string sortKey)
        => string.Create(sortKey.Length + 1, sortKey, static (span, key) =>
        {
            for (var i = 0; i < key.Length; i++)
            {
                span[i] = (char)(0xFFFF - key[i]);
            }

            span[^1] = '\uFFFF';
        });

    private static string TagKey(string key, string value) => key + "=" + value;

    /// <summary>The database, for baselines of other scenarios that keep their own collections in the same kind of file.</summary>
    internal LiteDatabase Database => _db;

    /// <summary>Returns once everything committed so far is on disk (see the class remarks).</summary>
    internal void WaitUntilDurable()
    {
        var logEnd = (long)_system.FindAll().First()["logFileSize"].AsInt32;
        _log.WaitUntilWritten(logEnd);
        _logFile.Flush(flushToDisk: true);
    }

    /// <summary>A file stream that remembers how far it has been written, so a committer can wait for LiteDB's writer thread.</summary>
    private sealed class WrittenEndStream(FileStream file, bool fsyncOnFlush = false) : Stream
    {
        private readonly object _gate = new();
        private long _end;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => file.Length;

        public override long Position
        {
            get => file.Position;
            set => file.Position = value;
        }

        public override void Flush() => file.Flush(fsyncOnFlush);

        public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

        public override void SetLength(long value)
        {
            file.SetLength(value);
            lock (_gate)
            {
                _end = Math.Min(_end, value);
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            file.Write(buffer, offset, count);
            lock (_gate)
            {
                if (file.Position > _end)
                {
                    _end = file.Position;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void WaitUntilWritten(long end)
        {
            lock (_gate)
            {
                while (_end < end)
                {
                    if (!Monitor.Wait(_gate, TimeSpan.FromSeconds(30)))
                    {
                        throw new TimeoutException($"LiteDB did not write its log up to {end} bytes within 30 s (written: {_end}).");
                    }
                }
            }
        }

        protected override void Dispose(bool disposing)
        {
            // The file is closed by RawLiteDb after LiteDB has finished with it.
        }
    }
}
