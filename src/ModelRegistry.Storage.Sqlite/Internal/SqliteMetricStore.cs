using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// <see cref="IMetricStore"/> on the registry's SQLite file: raw points in <c>metric_points</c>, hourly roll-ups in
/// <c>metric_rollups</c> (schema migration 2). It shares the registry store's connections and in-process write queue,
/// so metric and registry writers take turns instead of spinning in SQLite's busy handler, but it never touches the
/// registry or audit tables.
/// </summary>
/// <remarks>
/// Every write is one <c>BEGIN IMMEDIATE</c> transaction (all or nothing, serialised with other processes); an append
/// binds each point to one reused prepared <c>INSERT</c>. Reads stream from a parameterised <c>SELECT</c> on a pooled
/// read connection (WAL: they never block writers); raw points are grouped into one-series batches in memory by
/// <see cref="SqlitePointReader"/>, not sorted by SQLite.
/// </remarks>
internal sealed class SqliteMetricStore(SqliteRegistryStore store) : IMetricStore
{
    private const string InsertPointSql =
        "INSERT INTO metric_points (model, version, binding, metric, ts, value, unit, request_id, dimensions) VALUES (@model, @version, @binding, @metric, @ts, @value, @unit, @request, @dimensions)";

    private const string InsertRollupSql =
        "INSERT INTO metric_rollups (model, version, binding, metric, hour, count, sum, mean, m2, min, max, sketch) VALUES (@model, @version, @binding, @metric, @hour, @count, @sum, @mean, @m2, @min, @max, @sketch)";

    private readonly SqliteRegistryStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        cancellationToken.ThrowIfCancellationRequested();

        // Check every point before the transaction, so a bad one leaves nothing appended and holds no lock.
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i] ?? throw new ArgumentException($"Point {i} is null; nothing was stored.", nameof(points));
            if (p.Series is null || p.Series.ModelName is null || p.Series.Version is null || p.Series.Metric is null)
            {
                throw new ArgumentException($"Point {i} has no series, model, version or metric; nothing was stored.", nameof(points));
            }
        }

        if (points.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return AppendCoreAsync(points, cancellationToken);
    }

    private async ValueTask AppendCoreAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken)
        => await _store.WriteMetricsTransactionAsync(points, static (s, points) =>
        {
            // One prepared statement for the whole batch; only the parameter values change per row.
            var insert = s.Command(InsertPointSql);
            var model = Parameter(insert, "@model");
            var version = Parameter(insert, "@version");
            var binding = Parameter(insert, "@binding");
            var metric = Parameter(insert, "@metric");
            var ts = Parameter(insert, "@ts");
            var value = Parameter(insert, "@value");
            var unit = Parameter(insert, "@unit");
            var request = Parameter(insert, "@request");
            var dimensions = Parameter(insert, "@dimensions");
            MetricSeries? last = null;
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[i];
                if (!ReferenceEquals(last, p.Series))
                {
                    last = p.Series;
                    model.Value = last.ModelName;
                    version.Value = last.Version;
                    binding.Value = (object?)last.BindingId ?? DBNull.Value;
                    metric.Value = last.Metric;
                }

                ts.Value = p.TimestampUtcTicks;
                value.Value = p.Value;
                unit.Value = (object?)p.Unit ?? DBNull.Value;
                request.Value = (object?)p.RequestId ?? DBNull.Value;
                dimensions.Value = (object?)p.Dimensions ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }

        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async IAsyncEnumerable<MetricPointBatch> ReadPointsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var batchSize = Math.Clamp(query.BatchSize, 1, 100_000);
        var columns = query.IncludeDetails ? SqlitePointReader.Columns + SqlitePointReader.DetailColumns : SqlitePointReader.Columns;

        // No ORDER BY: the reader groups rows by series itself (see SqlitePointReader).
        var (sql, args) = Select(columns, "metric_points", "ts", query, null);
        await foreach (var batch in StreamAsync(s => new PointCursor(new SqlitePointReader(s.Connection, sql, args, query, batchSize)), cancellationToken).ConfigureAwait(false))
        {
            yield return batch;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<MetricRollupRecord> ReadRollupsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var (sql, args) = Select("model, version, binding, metric, hour, count, sum, mean, m2, min, max, sketch", "metric_rollups", "hour", query, null);
        await foreach (var row in StreamAsync(s => new RollupCursor(s.Command(sql, args).ExecuteReader()), cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Streams a query through a cursor: on a file, from a rented read session while the caller iterates; on
    /// <c>:memory:</c>, whose single connection serves every call, everything is read in one turn instead of held.
    /// </summary>
    private async IAsyncEnumerable<T> StreamAsync<T>(Func<SqliteSession, ICursor<T>> open, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        if (_store.IsMemory)
        {
            var all = await _store.ReadMetrics(open, static (s, open) =>
            {
                using var cursor = open(s);
                var items = new List<T>();
                while (cursor.Next() is { } item)
                {
                    items.Add(item);
                }

                return items;
            }, cancellationToken).ConfigureAwait(false);
            foreach (var item in all)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return item;
            }

            yield break;
        }

        var session = _store.RentMetricSession();
        ICursor<T>? cursor = null;
        try
        {
            cursor = Guard((session, open), static a => a.open(a.session));
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var item = Guard(cursor, static c => c.Next());
                if (item is null)
                {
                    break;
                }

                yield return item;
            }
        }
        finally
        {
            cursor?.Dispose();
            _store.ReturnMetricSession(session);
        }
    }

    /// <inheritdoc />
    public ValueTask<long?> GetOldestPointTimestampAsync(CancellationToken cancellationToken)
        => _store.ReadMetrics(0, static (s, _) =>
        {
            var value = s.Command("SELECT min(ts) FROM metric_points").ExecuteScalar();
            return value is null or DBNull ? (long?)null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask CompactAsync(MetricCompaction compaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(compaction.Rollups);
        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < compaction.Rollups.Count; i++)
        {
            var r = compaction.Rollups[i] ?? throw new ArgumentException($"Roll-up {i} is null; nothing was changed.", nameof(compaction));
            if (r.Series is null || r.Series.ModelName is null || r.Series.Version is null || r.Series.Metric is null || r.Sketch is null)
            {
                throw new ArgumentException($"Roll-up {i} has no series, model, version, metric or sketch; nothing was changed.", nameof(compaction));
            }
        }

        return CompactCoreAsync(compaction, cancellationToken);
    }

    private async ValueTask CompactCoreAsync(MetricCompaction compaction, CancellationToken cancellationToken)
        => await _store.WriteMetricsTransactionAsync(compaction, static (s, c) =>
        {
            // Counted under the write lock: no other writer (thread or process) can add or remove points in the
            // range before this transaction commits.
            var count = s.Command("SELECT count(*) FROM metric_points WHERE ts >= @from AND ts < @to");
            SqliteSession.Bind(count, "@from", c.FromUtcTicks);
            SqliteSession.Bind(count, "@to", c.ToUtcTicks);
            var found = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (found != c.ExpectedPointCount)
            {
                throw new ModelRegistryException(
                    ErrorCode.ConcurrencyConflict,
                    $"The range holds {found} raw points, not the {c.ExpectedPointCount} that were rolled up; another writer changed it. Read the range again and retry.");
            }

            var delete = s.Command("DELETE FROM metric_points WHERE ts >= @from AND ts < @to");
            SqliteSession.Bind(delete, "@from", c.FromUtcTicks);
            SqliteSession.Bind(delete, "@to", c.ToUtcTicks);
            delete.ExecuteNonQuery();

            var insert = s.Command(InsertRollupSql);
            foreach (var r in c.Rollups)
            {
                SqliteSession.Bind(insert, "@model", r.Series.ModelName);
                SqliteSession.Bind(insert, "@version", r.Series.Version);
                SqliteSession.Bind(insert, "@binding", r.Series.BindingId);
                SqliteSession.Bind(insert, "@metric", r.Series.Metric);
                SqliteSession.Bind(insert, "@hour", r.HourStartUtcTicks);
                SqliteSession.Bind(insert, "@count", r.Count);
                SqliteSession.Bind(insert, "@sum", r.Sum);
                SqliteSession.Bind(insert, "@mean", r.Mean);
                SqliteSession.Bind(insert, "@m2", r.SumOfSquaredDeviations);
                SqliteSession.Bind(insert, "@min", r.Min);
                SqliteSession.Bind(insert, "@max", r.Max);
                SqliteSession.Bind(insert, "@sketch", r.Sketch);
                insert.ExecuteNonQuery();
            }

        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<long> DeleteRollupsBeforeAsync(long beforeUtcTicks, CancellationToken cancellationToken)
        => _store.WriteMetricsAsync(beforeUtcTicks, static (s, before, _) =>
        {
            var delete = s.Command("DELETE FROM metric_rollups WHERE hour < @before");
            SqliteSession.Bind(delete, "@before", before);
            return (long)delete.ExecuteNonQuery();
        }, cancellationToken);

    private static SqliteParameter Parameter(SqliteCommand command, string name)
    {
        SqliteSession.Bind(command, name, null);
        return command.Parameters[name];
    }

    /// <summary>A parameterised SELECT for a query's series filter and half-open range (user text is never part of the SQL).</summary>
    private static (string Sql, List<object> Args) Select(string columns, string table, string timeColumn, MetricStoreQuery query, string? orderBy)
    {
        var args = new List<object> { query.FromUtcTicks, query.ToUtcTicks };
        var sql = new StringBuilder("SELECT ").Append(columns).Append(" FROM ").Append(table)
            .Append(" WHERE ").Append(timeColumn).Append(" >= @p0 AND ").Append(timeColumn).Append(" < @p1");
        void Equal(string column, string? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(column).Append(" = @p").Append(args.Count.ToString(CultureInfo.InvariantCulture));
                args.Add(value);
            }
        }

        Equal("model", query.ModelName);
        Equal("version", query.Version);
        Equal("metric", query.Metric);
        Equal("binding", query.BindingId);
        if (orderBy is not null)
        {
            sql.Append(' ').Append(orderBy);
        }

        return (sql.ToString(), args);
    }

    private T Guard<TState, T>(TState state, Func<TState, T> action)
    {
        try
        {
            return action(state);
        }
        catch (SqliteException ex)
        {
            throw _store.MapMetricError(ex);
        }
    }

    /// <summary>The series of the current row, reusing <paramref name="previous"/> when it is the same one.</summary>
    private static MetricSeries SeriesOf(SqliteDataReader reader, MetricSeries? previous)
    {
        var model = reader.GetString(0);
        var version = reader.GetString(1);
        var binding = reader.IsDBNull(2) ? null : reader.GetString(2);
        var metric = reader.GetString(3);
        return previous is not null
               && string.Equals(previous.ModelName, model, StringComparison.Ordinal)
               && string.Equals(previous.Version, version, StringComparison.Ordinal)
               && string.Equals(previous.BindingId, binding, StringComparison.Ordinal)
               && string.Equals(previous.Metric, metric, StringComparison.Ordinal)
            ? previous
            : new MetricSeries(model, version, binding, metric);
    }

        /// <summary>A forward-only source of items that owns what it reads from.</summary>
    private interface ICursor<out T> : IDisposable
        where T : class
    {
        T? Next();
    }

    /// <summary>Raw points, batch by batch.</summary>
    private sealed class PointCursor(SqlitePointReader reader) : ICursor<MetricPointBatch>
    {
        public MetricPointBatch? Next() => reader.Next();

        public void Dispose() => reader.Dispose();
    }

    /// <summary>Reads roll-up rows one at a time.</summary>
    private sealed class RollupCursor(SqliteDataReader reader) : ICursor<MetricRollupRecord>
    {
        public void Dispose() => reader.Dispose();

        private MetricSeries? _series;

        public MetricRollupRecord? Next()
        {
            if (!reader.Read())
            {
                return null;
            }

            var series = _series = SeriesOf(reader, _series);
            return new MetricRollupRecord(
                series,
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetDouble(6),
                reader.GetDouble(7),
                reader.GetDouble(8),
                reader.GetDouble(9),
                reader.GetDouble(10),
                reader.IsDBNull(11) ? [] : reader.GetFieldValue<byte[]>(11));
        }
    }
}
