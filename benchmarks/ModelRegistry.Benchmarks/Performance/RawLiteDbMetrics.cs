using LiteDB;
using LiteDB.Engine;
using ModelRegistry.Benchmarks.LiteDb;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// The raw LiteDB baseline for metric points: one <see cref="BsonDocument"/> per point with the fields the registry's
/// adapter stores (model, version, metric, timestamp, value, unit, request id, dimensions JSON) and the same two
/// indexes (model, timestamp), written with <c>InsertBulk</c> — one transaction per batch — and made durable the way
/// <see cref="RawLiteDb"/> does it: wait until LiteDB's writer has written the log up to the length it reports, fsync once.
/// </summary>
public sealed class RawLiteDbMetrics : IDisposable
{
    private readonly FileStream _dataFile;
    private readonly FileStream _logFile;
    private readonly RawLiteDb.WrittenEndStream _log;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _points;
    private readonly ILiteCollection<BsonDocument> _system;

    public RawLiteDbMetrics(string path)
    {
        var logPath = Path.ChangeExtension(path, null) + "-log" + Path.GetExtension(path);
        _dataFile = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess);
        _logFile = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess);
        _log = new RawLiteDb.WrittenEndStream(_logFile);
        var engine = new LiteEngine(new EngineSettings { DataStream = new RawLiteDb.WrittenEndStream(_dataFile, fsyncOnFlush: true), LogStream = _log, Collation = Collation.Binary });
        _db = new LiteDatabase(engine, mapper: null, disposeOnClose: true);
        _points = _db.GetCollection("metric_points");
        _system = _db.GetCollection("$database");
        _points.EnsureIndex("m", "$.m");
        _points.EnsureIndex("t", "$.t");
    }

    /// <summary>Inserts one batch with <c>InsertBulk</c> (one transaction) and waits until it is durable.</summary>
    public void Insert(MetricPoint[] batch, int firstIndex)
    {
        var documents = new List<BsonDocument>(batch.Length);
        for (var k = 0; k < batch.Length; k++)
        {
            var point = batch[k];
            documents.Add(new BsonDocument
            {
                ["m"] = MetricWorkload.Model,
                ["ver"] = MetricWorkload.Version,
                ["k"] = MetricWorkload.Metric,
                ["t"] = point.Timestamp!.Value.UtcTicks,
                ["v"] = point.Value,
                ["u"] = point.Unit,
                ["r"] = point.RequestId,
                ["d"] = MetricWorkload.RegionJson[MetricWorkload.Region(firstIndex + k)],
            });
        }

        _points.InsertBulk(documents);
        var logEnd = (long)_system.FindAll().First()["logFileSize"].AsInt32;
        _log.WaitUntilWritten(logEnd);
        _logFile.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _db.Dispose();
        _logFile.Dispose();
        _dataFile.Dispose();
    }
}
