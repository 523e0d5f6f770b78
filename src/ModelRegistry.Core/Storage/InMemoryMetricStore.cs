using System.Runtime.CompilerServices;

namespace ModelRegistry.Storage;

/// <summary>
/// The default metric store: raw points in process memory, column by column per series, and roll-up rows beside them.
/// It is the reference implementation of <see cref="IMetricStore"/>. Thread-safe: one lock of its own (never the
/// registry store's) guards appends, compactions and the copying of each batch; readers get copies, so a long scan never
/// blocks writers for more than one batch.
/// </summary>
internal sealed class InMemoryMetricStore : IMetricStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<MetricSeries, SeriesColumns> _points = [];
    private readonly List<MetricRollupRecord> _rollups = [];

    public ValueTask AppendAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        cancellationToken.ThrowIfCancellationRequested();

        // Check every point first, so a bad one leaves nothing appended (what a transaction gives the other stores).
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i] ?? throw new ArgumentException($"Point {i} is null; nothing was stored.", nameof(points));
            if (p.Series is null || p.Series.ModelName is null || p.Series.Version is null || p.Series.Metric is null)
            {
                throw new ArgumentException($"Point {i} has no series, model, version or metric; nothing was stored.", nameof(points));
            }
        }

        lock (_gate)
        {
            SeriesColumns? last = null;
            foreach (var p in points)
            {
                // Batches usually hold long runs of one series; skip the dictionary lookup while the series repeats.
                if (last is null || !ReferenceEquals(last.Series, p.Series) && !last.Series.Equals(p.Series))
                {
                    if (!_points.TryGetValue(p.Series, out last))
                    {
                        _points[p.Series] = last = new SeriesColumns(p.Series);
                    }
                }

                last.Add(p);
            }
        }

        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<MetricPointBatch> ReadPointsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var batchSize = Math.Clamp(query.BatchSize, 1, 100_000);
        List<SeriesColumns> matching;
        lock (_gate)
        {
            matching = [.. _points.Values.Where(s => Matches(query, s.Series))];
        }

        foreach (var series in matching)
        {
            var position = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                MetricPointBatch? batch;
                lock (_gate)
                {
                    batch = series.Copy(query, ref position, batchSize);
                }

                if (batch is null)
                {
                    break;
                }

                yield return batch;
            }
        }

        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<MetricRollupRecord> ReadRollupsAsync(MetricStoreQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        MetricRollupRecord[] matching;
        lock (_gate)
        {
            matching = [.. _rollups.Where(r => r.HourStartUtcTicks >= query.FromUtcTicks && r.HourStartUtcTicks < query.ToUtcTicks && Matches(query, r.Series))];
        }

        foreach (var rollup in matching)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return rollup;
        }

        await Task.CompletedTask;
    }

    public ValueTask<long?> GetOldestPointTimestampAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            long? oldest = null;
            foreach (var series in _points.Values)
            {
                if (series.Count > 0 && (oldest is null || series.MinTimestamp < oldest))
                {
                    oldest = series.MinTimestamp;
                }
            }

            return ValueTask.FromResult(oldest);
        }
    }

    public ValueTask CompactAsync(MetricCompaction compaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(compaction.Rollups);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            long found = 0;
            foreach (var series in _points.Values)
            {
                found += series.CountIn(compaction.FromUtcTicks, compaction.ToUtcTicks);
            }

            if (found != compaction.ExpectedPointCount)
            {
                throw new ModelRegistryException(
                    ErrorCode.ConcurrencyConflict,
                    $"The range holds {found} raw points, not the {compaction.ExpectedPointCount} that were rolled up; another writer changed it. Read the range again and retry.");
            }

            foreach (var series in _points.Values)
            {
                series.RemoveIn(compaction.FromUtcTicks, compaction.ToUtcTicks);
            }

            foreach (var key in _points.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList())
            {
                _points.Remove(key);
            }

            _rollups.AddRange(compaction.Rollups);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long> DeleteRollupsBeforeAsync(long beforeUtcTicks, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult((long)_rollups.RemoveAll(r => r.HourStartUtcTicks < beforeUtcTicks));
        }
    }

    private static bool Matches(MetricStoreQuery query, MetricSeries series)
        => (query.ModelName is null || string.Equals(query.ModelName, series.ModelName, StringComparison.Ordinal))
           && (query.Version is null || string.Equals(query.Version, series.Version, StringComparison.Ordinal))
           && (query.BindingId is null || string.Equals(query.BindingId, series.BindingId, StringComparison.Ordinal))
           && (query.Metric is null || string.Equals(query.Metric, series.Metric, StringComparison.Ordinal));

    /// <summary>
    /// The points of one series in parallel arrays. While points arrive in time order (the usual case) the arrays stay
    /// sorted and a window is found by binary search; an out-of-order point turns that off and windows are found by a
    /// linear scan.
    /// </summary>
    private sealed class SeriesColumns(MetricSeries series)
    {
        private long[] _timestamps = new long[16];
        private double[] _values = new double[16];
        private string?[] _units = new string?[16];
        private string?[] _requestIds = new string?[16];
        private string?[] _dimensions = new string?[16];
        private bool _sorted = true;

        public MetricSeries Series { get; } = series;

        public int Count { get; private set; }

        public long MinTimestamp { get; private set; } = long.MaxValue;

        public void Add(MetricPointRecord p)
        {
            if (Count == _values.Length)
            {
                var size = Count * 2;
                Array.Resize(ref _timestamps, size);
                Array.Resize(ref _values, size);
                Array.Resize(ref _units, size);
                Array.Resize(ref _requestIds, size);
                Array.Resize(ref _dimensions, size);
            }

            if (Count > 0 && p.TimestampUtcTicks < _timestamps[Count - 1])
            {
                _sorted = false;
            }

            _timestamps[Count] = p.TimestampUtcTicks;
            _values[Count] = p.Value;
            _units[Count] = p.Unit;
            _requestIds[Count] = p.RequestId;
            _dimensions[Count] = p.Dimensions;
            MinTimestamp = Math.Min(MinTimestamp, p.TimestampUtcTicks);
            Count++;
        }

        /// <summary>Copies the next at most <paramref name="max"/> matching points from <paramref name="position"/> on; null when none are left.</summary>
        public MetricPointBatch? Copy(MetricStoreQuery query, ref int position, int max)
        {
            if (_sorted)
            {
                // A compaction between two batches may have shifted the arrays; re-find the start by timestamp instead
                // of trusting the index, then continue from the index when it is still ahead.
                var start = Math.Max(position, LowerBound(query.FromUtcTicks));
                var end = LowerBound(query.ToUtcTicks);
                if (start >= end)
                {
                    return null;
                }

                var n = Math.Min(max, end - start);
                position = start + n;
                return new MetricPointBatch(
                    Series,
                    _timestamps.AsSpan(start, n).ToArray(),
                    _values.AsSpan(start, n).ToArray(),
                    query.IncludeDetails ? _units.AsSpan(start, n).ToArray() : default,
                    query.IncludeDetails ? _requestIds.AsSpan(start, n).ToArray() : default,
                    query.IncludeDetails ? _dimensions.AsSpan(start, n).ToArray() : default);
            }

            var indexes = new List<int>(Math.Min(max, 1024));
            var i = position;
            for (; i < Count && indexes.Count < max; i++)
            {
                var t = _timestamps[i];
                if (t >= query.FromUtcTicks && t < query.ToUtcTicks)
                {
                    indexes.Add(i);
                }
            }

            position = i;
            if (indexes.Count == 0)
            {
                return null;
            }

            var timestamps = new long[indexes.Count];
            var values = new double[indexes.Count];
            string?[]? units = null, requestIds = null, dimensions = null;
            if (query.IncludeDetails)
            {
                (units, requestIds, dimensions) = (new string?[indexes.Count], new string?[indexes.Count], new string?[indexes.Count]);
            }

            for (var k = 0; k < indexes.Count; k++)
            {
                var j = indexes[k];
                timestamps[k] = _timestamps[j];
                values[k] = _values[j];
                if (query.IncludeDetails)
                {
                    units![k] = _units[j];
                    requestIds![k] = _requestIds[j];
                    dimensions![k] = _dimensions[j];
                }
            }

            return new MetricPointBatch(Series, timestamps, values, units, requestIds, dimensions);
        }

        public long CountIn(long from, long to)
        {
            if (_sorted)
            {
                return Math.Max(0, LowerBound(to) - LowerBound(from));
            }

            long n = 0;
            for (var i = 0; i < Count; i++)
            {
                if (_timestamps[i] >= from && _timestamps[i] < to)
                {
                    n++;
                }
            }

            return n;
        }

        public void RemoveIn(long from, long to)
        {
            var kept = 0;
            var min = long.MaxValue;
            var sorted = true;
            for (var i = 0; i < Count; i++)
            {
                var t = _timestamps[i];
                if (t >= from && t < to)
                {
                    continue;
                }

                if (kept > 0 && t < _timestamps[kept - 1])
                {
                    sorted = false;
                }

                _timestamps[kept] = t;
                _values[kept] = _values[i];
                _units[kept] = _units[i];
                _requestIds[kept] = _requestIds[i];
                _dimensions[kept] = _dimensions[i];
                min = Math.Min(min, t);
                kept++;
            }

            Array.Clear(_units, kept, Count - kept);
            Array.Clear(_requestIds, kept, Count - kept);
            Array.Clear(_dimensions, kept, Count - kept);
            Count = kept;
            MinTimestamp = min;
            _sorted = sorted;
        }

        /// <summary>The first index whose timestamp is ≥ <paramref name="ticks"/> (sorted arrays only).</summary>
        private int LowerBound(long ticks)
        {
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_timestamps[mid] < ticks)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
