using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// Streams raw metric points from a SELECT on SQLite's statement API and cuts them into <see cref="MetricPointBatch"/>es
/// of one series each. Used by <see cref="SqliteMetricStore.ReadPointsAsync"/>, whose reads of a million points are the
/// hot path of every statistic.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="SqliteDataReader"/>: per row it allocates a string for each series column and pays type
/// checks per getter; here a row's series columns are compared as UTF-8 bytes against the open batches, so strings are
/// created only when a series first appears (or for the detail columns, when asked for). Measured on one million points
/// of one series (benchmarks/README.md, "Performance tracker"), this and dropping the ORDER BY below took statistics from
/// 3.5× the hand-written SELECT-and-sort to below it.</para>
/// <para>Why no ORDER BY: the store contract lets a series span several batches in any order, so rows are grouped in
/// memory as they come (index order: by series, then time) instead of having SQLite sort the whole window by series in a
/// temporary b-tree. At most <see cref="MaxOpenSeries"/> partial batches are held; beyond that they are all handed out,
/// which bounds memory when a time-range read (compaction) interleaves many series.</para>
/// </remarks>
internal sealed class SqlitePointReader : IDisposable
{
    /// <summary>The SELECT's column order: the series, then the point, then the optional details.</summary>
    public const string Columns = "model, version, binding, metric, ts, value";

    /// <summary>The detail columns that follow <see cref="Columns"/> when a query asks for details.</summary>
    public const string DetailColumns = ", unit, request_id, dimensions";

    private const int MaxOpenSeries = 64;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private readonly bool _details;
    private readonly Fixed _fixed;
    private readonly int _batchSize;
    private readonly List<OpenBatch> _open = [];
    private readonly Queue<MetricPointBatch> _ready = new();
    private bool _done;

    public SqlitePointReader(SqliteConnection connection, string sql, IReadOnlyList<object> arguments, MetricStoreQuery query, int batchSize)
    {
        _connection = connection;
        _details = query.IncludeDetails;

        // A column the query fixes to one value (SQLite's = is the same ordinal comparison) needs no check per row.
        _fixed = new Fixed(query.ModelName is not null, query.Version is not null, query.BindingId is not null, query.Metric is not null);
        _batchSize = batchSize;
        Check(raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement));
        try
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                var index = raw.sqlite3_bind_parameter_index(_statement, "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Check(arguments[i] switch
                {
                    long l => raw.sqlite3_bind_int64(_statement, index, l),
                    string s => raw.sqlite3_bind_text(_statement, index, s),
                    var other => throw new ArgumentException($"Unsupported argument type {other.GetType()}.", nameof(arguments)),
                });
            }
        }
        catch
        {
            _statement.Dispose();
            throw;
        }
    }

    /// <summary>The next batch, or <see langword="null"/> when every row has been handed out.</summary>
    public MetricPointBatch? Next()
    {
        while (_ready.Count == 0 && !_done)
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                _done = true;
                foreach (var open in _open)
                {
                    _ready.Enqueue(open.ToBatch());
                }

                _open.Clear();
                break;
            }

            if (rc != raw.SQLITE_ROW)
            {
                Check(rc);
            }

            var batch = Find();
            batch.Add(_statement);
            if (batch.Count == _batchSize)
            {
                _open.Remove(batch);
                _ready.Enqueue(batch.ToBatch());
            }
        }

        return _ready.Count > 0 ? _ready.Dequeue() : null;
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>The open batch of the current row's series (opened when there is none).</summary>
    private OpenBatch Find()
    {
        // Rows of one series come in runs, so the most recently used batch (kept last) matches almost always.
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            if (_open[i].Matches(_statement, _fixed))
            {
                if (i != _open.Count - 1)
                {
                    var hit = _open[i];
                    _open.RemoveAt(i);
                    _open.Add(hit);
                }

                return _open[^1];
            }
        }

        if (_open.Count == MaxOpenSeries)
        {
            foreach (var open in _open)
            {
                _ready.Enqueue(open.ToBatch());
            }

            _open.Clear();
        }

        var opened = new OpenBatch(_statement, _batchSize, _details);
        _open.Add(opened);
        return opened;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    private static string? Text(sqlite3_stmt statement, int column)
        => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL ? null : Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, column));

    /// <summary>Which series columns the query's WHERE clause fixes.</summary>
    private readonly record struct Fixed(bool Model, bool Version, bool Binding, bool Metric);

    /// <summary>The points of one series gathered for the next batch, with the series' UTF-8 bytes for matching rows.</summary>
    private sealed class OpenBatch
    {
        private readonly byte[] _model;
        private readonly byte[] _version;
        private readonly byte[]? _binding;
        private readonly byte[] _metric;
        private readonly MetricSeries _series;
        private readonly int _maxCount;
        private readonly bool _details;
        private long[] _timestamps;
        private double[] _values;
        private string?[] _units;
        private string?[] _requestIds;
        private string?[] _dimensions;

        public OpenBatch(sqlite3_stmt statement, int maxCount, bool details)
        {
            _maxCount = maxCount;
            _details = details;
            var capacity = Math.Min(maxCount, 1024);
            _model = raw.sqlite3_column_blob(statement, 0).ToArray();
            _version = raw.sqlite3_column_blob(statement, 1).ToArray();
            _binding = raw.sqlite3_column_type(statement, 2) == raw.SQLITE_NULL ? null : raw.sqlite3_column_blob(statement, 2).ToArray();
            _metric = raw.sqlite3_column_blob(statement, 3).ToArray();
            _series = new MetricSeries(
                Encoding.UTF8.GetString(_model),
                Encoding.UTF8.GetString(_version),
                _binding is null ? null : Encoding.UTF8.GetString(_binding),
                Encoding.UTF8.GetString(_metric));
            _timestamps = new long[capacity];
            _values = new double[capacity];
            _units = details ? new string?[capacity] : [];
            _requestIds = details ? new string?[capacity] : [];
            _dimensions = details ? new string?[capacity] : [];
        }

        public int Count { get; private set; }

        public bool Matches(sqlite3_stmt statement, Fixed @fixed)
            => (@fixed.Metric || raw.sqlite3_column_blob(statement, 3).SequenceEqual(_metric))
               && (@fixed.Binding || (_binding is null
                   ? raw.sqlite3_column_type(statement, 2) == raw.SQLITE_NULL
                   : raw.sqlite3_column_type(statement, 2) != raw.SQLITE_NULL && raw.sqlite3_column_blob(statement, 2).SequenceEqual(_binding)))
               && (@fixed.Version || raw.sqlite3_column_blob(statement, 1).SequenceEqual(_version))
               && (@fixed.Model || raw.sqlite3_column_blob(statement, 0).SequenceEqual(_model));

        public void Add(sqlite3_stmt statement)
        {
            var details = _details;
            if (Count == _values.Length)
            {
                var capacity = Math.Min(Count * 2, _maxCount);
                Array.Resize(ref _timestamps, capacity);
                Array.Resize(ref _values, capacity);
                if (details)
                {
                    Array.Resize(ref _units, capacity);
                    Array.Resize(ref _requestIds, capacity);
                    Array.Resize(ref _dimensions, capacity);
                }
            }

            _timestamps[Count] = raw.sqlite3_column_int64(statement, 4);
            _values[Count] = raw.sqlite3_column_double(statement, 5);
            if (details)
            {
                _units[Count] = Text(statement, 6);
                _requestIds[Count] = Text(statement, 7);
                _dimensions[Count] = Text(statement, 8);
            }

            Count++;
        }

        public MetricPointBatch ToBatch() => _details
            ? new MetricPointBatch(_series, _timestamps.AsMemory(0, Count), _values.AsMemory(0, Count), _units.AsMemory(0, Count), _requestIds.AsMemory(0, Count), _dimensions.AsMemory(0, Count))
            : new MetricPointBatch(_series, _timestamps.AsMemory(0, Count), _values.AsMemory(0, Count));
    }
}
