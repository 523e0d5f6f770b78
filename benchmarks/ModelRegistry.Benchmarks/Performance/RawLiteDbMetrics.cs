using LiteDB;
using ModelRegistry.Benchmarks.LiteDb;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// The raw LiteDB baseline for metric points: one <see cref="BsonDocument"/> per point with the fields the registry's
/// adapter stores (model, version, metric, timestamp, value, unit, request id, dimensions JSON) and the same two
/// indexes (model, timestamp), written with <c>InsertBulk</c> — one transaction per batch — in a file opened and made
/// durable the way <see cref="RawLiteDb"/> does it (binary collation; after the commit, wait until LiteDB's writer has
/// written the log up to the length it reports, and fsync it once).
/// </summary>
public sealed class RawLiteDbMetrics : IDisposable
{
    private readonly RawLiteDb _file;
    private readonly ILiteCollection<BsonDocument> _points;

    public RawLiteDbMetrics(string path)
    {
        _file = RawLiteDb.Open(path);
        _points = _file.Database.GetCollection("metric_points");
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
        _file.WaitUntilDurable();
    }

    public void Dispose() => _file.Dispose();
}
