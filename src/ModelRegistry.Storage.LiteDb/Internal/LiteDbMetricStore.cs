using System.Runtime.CompilerServices;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// <see cref="IMetricStore"/> on the registry's LiteDB file: raw points in <c>metric_points</c>, roll-ups in
/// <c>metric_rollups</c>, never touching the registry collections or the audit trail. Appends and compactions are one
/// LiteDB transaction each and share the database's write lock with registry commits, because LiteDB 5.0.20 must not run
/// two write transactions on one file at once (upstream #2825).
/// </summary>
/// <remarks>
/// Reads run synchronously and are handed out afterwards: LiteDB binds a read transaction to the thread that started
/// it, and an async iterator may resume on another thread between batches.
/// </remarks>
internal sealed class LiteDbMetricStore : LiteDbStore, IMetricStore
{
    private const string Model = "m";
    private const string VersionField = "ver";
    private const string Binding = "b";
    private const string Metric = "k";
    private const string Timestamp = "t";
    private const string Value = "v";
    private const string Unit = "u";
    private const string RequestId = "r";
    private const string Dimensions = "d";
    private const string Hour = "h";
    private const string Json = "json";

    private LiteDbMetricStore(LiteDbFile file, ILogger logger)
        : base(file, logger, "metric")
    {
    }

    /// <summary>Opens the metric store on the same database as the registry store with the same settings.</summary>
    public static LiteDbMetricStore Open(LiteDbStoreSettings settings, ILogger? logger = null)
        => new(LiteDbFile.Acquire(settings, logger ?? NullLogger.Instance), logger ?? NullLogger.Instance);

    public async ValueTask AppendAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        cancellationToken.ThrowIfCancellationRequested();
        var documents = new List<BsonDocument>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i] ?? throw new ArgumentException($"Point {i} is null; nothing was stored.", nameof(points));
            if (p.Series is null || p.Series.ModelName is null || p.Series.Version is null || p.Series.Metric is null)
            {
                throw new ArgumentException($"Point {i} has no series, model, version or metric; nothing was stored.", nameof(points));
            }

            var doc = SeriesDocument(p.Series);
            doc[Timestamp] = p.TimestampUtcTicks;
            doc[Value] = p.Value;
            SetOptional(doc, Unit, p.Unit);
            SetOptional(doc, RequestId, p.RequestId);
            SetOptional(doc, Dimensions, p.Dimensions);
            documents.Add(doc);
        }

        if (documents.Count == 0)
        {
            return;
        }

        await WriteAsync(db => db.GetCollection(Schema.MetricPoints).InsertBulk(documents), cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<MetricPointBatch> ReadPointsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var batchSize = Math.Clamp(query.BatchSize, 1, 100_000);
        var batches = Guarded(() =>
        {
            var (where, parameters) = Where(query, Timestamp);
            var open = new Dictionary<MetricSeries, Columns>();
            var done = new List<MetricPointBatch>();
            foreach (var doc in Db.GetCollection(Schema.MetricPoints).Query().Where(BsonExpression.Create(where, parameters)).ToDocuments())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var series = SeriesOf(doc);
                if (!Matches(query, series))
                {
                    continue;
                }

                if (!open.TryGetValue(series, out var columns))
                {
                    open[series] = columns = new Columns(series, query.IncludeDetails);
                }

                columns.Add(doc);
                if (columns.Count == batchSize)
                {
                    done.Add(columns.ToBatch());
                    open.Remove(series);
                }
            }

            done.AddRange(open.Values.Select(c => c.ToBatch()));
            return done;
        });

        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public async IAsyncEnumerable<MetricRollupRecord> ReadRollupsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rollups = Guarded(() =>
        {
            var (where, parameters) = Where(query, Hour);
            return Db.GetCollection(Schema.MetricRollups).Query().Where(BsonExpression.Create(where, parameters)).ToDocuments()
                .Select(d => RecordDocuments.ToRecord<MetricRollupRecord>(d, "metric roll-up"))
                .Where(r => Matches(query, r.Series) && r.HourStartUtcTicks >= query.FromUtcTicks && r.HourStartUtcTicks < query.ToUtcTicks)
                .ToList();
        });

        foreach (var rollup in rollups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return rollup;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<long?> GetOldestPointTimestampAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded(() =>
        {
            var oldest = Db.GetCollection(Schema.MetricPoints).Query().OrderBy("$." + Timestamp).Limit(1).FirstOrDefault();
            return oldest is null ? (long?)null : oldest[Timestamp].AsInt64;
        }));
    }

    public async ValueTask CompactAsync(MetricCompaction compaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(compaction.Rollups);
        cancellationToken.ThrowIfCancellationRequested();
        var rollups = compaction.Rollups.Select(r =>
        {
            var doc = SeriesDocument(r.Series);
            doc[Hour] = r.HourStartUtcTicks;
            doc[Json] = StoreSerializer.Serialize(r);
            return doc;
        }).ToList();

        await WriteAsync(db =>
        {
            var points = db.GetCollection(Schema.MetricPoints);
            var range = BsonExpression.Create("$.t >= @from AND $.t < @to", new BsonDocument { ["from"] = compaction.FromUtcTicks, ["to"] = compaction.ToUtcTicks });
            var found = points.Count(range);
            if (found != compaction.ExpectedPointCount)
            {
                throw new ModelRegistryException(
                    ErrorCode.ConcurrencyConflict,
                    $"The range holds {found} raw points, not the {compaction.ExpectedPointCount} that were rolled up; another writer changed it. Read the range again and retry.");
            }

            points.DeleteMany(range);
            if (rollups.Count > 0)
            {
                db.GetCollection(Schema.MetricRollups).InsertBulk(rollups);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<long> DeleteRollupsBeforeAsync(long beforeUtcTicks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await WriteAsync(
            db => db.GetCollection(Schema.MetricRollups).DeleteMany(BsonExpression.Create("$.h < @before", new BsonDocument { ["before"] = beforeUtcTicks })),
            cancellationToken).ConfigureAwait(false);
    }

    private static (string Where, BsonDocument Parameters) Where(MetricStoreQuery query, string timeField)
    {
        var parameters = new BsonDocument { ["from"] = query.FromUtcTicks, ["to"] = query.ToUtcTicks };
        var terms = new List<string> { $"$.{timeField} >= @from", $"$.{timeField} < @to" };
        if (query.ModelName is not null)
        {
            parameters["model"] = query.ModelName;
            terms.Insert(0, $"$.{Model} = @model");
        }

        if (query.Version is not null)
        {
            parameters["version"] = query.Version;
            terms.Add($"$.{VersionField} = @version");
        }

        if (query.BindingId is not null)
        {
            parameters["binding"] = query.BindingId;
            terms.Add($"$.{Binding} = @binding");
        }

        if (query.Metric is not null)
        {
            parameters["metric"] = query.Metric;
            terms.Add($"$.{Metric} = @metric");
        }

        return (string.Join(" AND ", terms), parameters);
    }

    /// <summary>The exact, ordinal series filter (the LiteDB terms above are the same, checked again on the records).</summary>
    private static bool Matches(MetricStoreQuery query, MetricSeries series)
        => (query.ModelName is null || string.Equals(query.ModelName, series.ModelName, StringComparison.Ordinal))
           && (query.Version is null || string.Equals(query.Version, series.Version, StringComparison.Ordinal))
           && (query.BindingId is null || string.Equals(query.BindingId, series.BindingId, StringComparison.Ordinal))
           && (query.Metric is null || string.Equals(query.Metric, series.Metric, StringComparison.Ordinal));

    private static BsonDocument SeriesDocument(MetricSeries series)
    {
        var doc = new BsonDocument
        {
            [Model] = series.ModelName,
            [VersionField] = series.Version,
            [Metric] = series.Metric,
        };
        SetOptional(doc, Binding, series.BindingId);
        return doc;
    }

    private static MetricSeries SeriesOf(BsonDocument doc)
        => new(doc[Model].AsString, doc[VersionField].AsString, doc[Binding].IsString ? doc[Binding].AsString : null, doc[Metric].AsString);

    private static void SetOptional(BsonDocument doc, string field, string? value)
    {
        if (value is not null)
        {
            doc[field] = value;
        }
    }

    private static string? Optional(BsonDocument doc, string field) => doc[field].IsString ? doc[field].AsString : null;

    /// <summary>The points of one series collected for one batch.</summary>
    private sealed class Columns(MetricSeries series, bool details)
    {
        private readonly List<long> _timestamps = [];
        private readonly List<double> _values = [];
        private readonly List<string?> _units = [];
        private readonly List<string?> _requestIds = [];
        private readonly List<string?> _dimensions = [];

        public int Count => _values.Count;

        public void Add(BsonDocument doc)
        {
            _timestamps.Add(doc[Timestamp].AsInt64);
            _values.Add(doc[Value].AsDouble);
            if (details)
            {
                _units.Add(Optional(doc, Unit));
                _requestIds.Add(Optional(doc, RequestId));
                _dimensions.Add(Optional(doc, Dimensions));
            }
        }

        public MetricPointBatch ToBatch() => details
            ? new MetricPointBatch(series, _timestamps.ToArray(), _values.ToArray(), _units.ToArray(), _requestIds.ToArray(), _dimensions.ToArray())
            : new MetricPointBatch(series, _timestamps.ToArray(), _values.ToArray());
    }
}
