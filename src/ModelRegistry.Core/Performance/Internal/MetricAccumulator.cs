namespace ModelRegistry.Performance.Internal;

/// <summary>
/// Collects one metric's values and turns them into <see cref="MetricStatistics"/>: moments from every value
/// (<see cref="RunningMoments"/>), percentiles exact while there are at most <see cref="ExactLimit"/> values and from the
/// <see cref="QuantileSketch"/> beyond. Accumulators merge (partial windows, roll-ups, shards).
/// </summary>
/// <remarks>
/// Why 10,000 by default: up to there, keeping and sorting the values costs at most 80 KB and well under a millisecond,
/// and exact answers are free; beyond it memory would grow with the window while the sketch stays at a few kilobytes, and
/// the sketch's 1 % bound is already smaller than the sampling noise of a p99 (whose rank moves by ±√(n·0.01·0.99) ≈ ±10
/// values at n = 10,000).
/// </remarks>
internal sealed class MetricAccumulator
{
    public const int DefaultExactLimit = 10_000;

    private readonly RunningMoments _moments = new();
    private readonly QuantileSketch _sketch;
    private List<double>? _values = [];

    public MetricAccumulator(int exactLimit = DefaultExactLimit, double relativeAccuracy = QuantileSketch.DefaultRelativeAccuracy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exactLimit);
        ExactLimit = exactLimit;
        _sketch = new QuantileSketch(relativeAccuracy);
    }

    public int ExactLimit { get; }

    public long Count => _moments.Count;

    public RunningMoments Moments => _moments;

    public QuantileSketch Sketch => _sketch;

    /// <summary>Whether the percentiles will be exact (every value is still held).</summary>
    public bool IsExact => _values is not null;

    public static MetricAccumulator Of(IEnumerable<double> values, int exactLimit = DefaultExactLimit, double relativeAccuracy = QuantileSketch.DefaultRelativeAccuracy)
    {
        var accumulator = new MetricAccumulator(exactLimit, relativeAccuracy);
        foreach (var v in values)
        {
            accumulator.Add(v);
        }

        return accumulator;
    }

    /// <summary>An accumulator rebuilt from a stored roll-up: its percentiles come from the sketch.</summary>
    public static MetricAccumulator FromRollup(RunningMoments moments, QuantileSketch sketch, int exactLimit = DefaultExactLimit)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(sketch);
        if (moments.Count != sketch.Count)
        {
            throw new ArgumentException($"The roll-up's moments count {moments.Count} values and its sketch {sketch.Count}.", nameof(sketch));
        }

        var accumulator = new MetricAccumulator(exactLimit, sketch.RelativeAccuracy) { _values = moments.Count == 0 ? [] : null };
        accumulator._moments.Merge(moments);
        accumulator._sketch.Merge(sketch);
        return accumulator;
    }

    public void Add(double value)
    {
        _moments.Add(value);
        _sketch.Add(value);
        if (_values is not null)
        {
            if (_values.Count < ExactLimit)
            {
                _values.Add(value);
            }
            else
            {
                _values = null;
            }
        }
    }

    public void Merge(MetricAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (_values is not null && other._values is not null && _values.Count + other._values.Count <= ExactLimit)
        {
            _values.AddRange(other._values);
        }
        else if (other.Count > 0)
        {
            _values = null;
        }

        _moments.Merge(other._moments);
        _sketch.Merge(other._sketch);
    }

    /// <summary>The nearest-rank q-quantile: exact while the values are held, else the sketch's estimate.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("There are no values.");
        }

        if (_values is not null)
        {
            var sorted = _values.ToArray();
            Array.Sort(sorted);
            return Percentiles.OfSorted(sorted, q);
        }

        return _sketch.Quantile(q);
    }

    /// <summary>
    /// Sum ÷ count while the sum is finite: correctly rounded whenever the sum is exact (0/1 outcomes, integer counts), so
    /// an error rate of 20 in 200 reads 0.1, not Welford's 0.09999999999999992. Welford's running mean otherwise (a sum
    /// of values near 1e300 overflows). The variance always comes from Welford's M2.
    /// </summary>
    public static double Mean(RunningMoments moments)
        => moments.Count == 0 ? 0 : double.IsFinite(moments.Sum) ? moments.Sum / moments.Count : moments.Mean;

    public MetricStatistics ToStatistics()
    {
        if (Count == 0)
        {
            return MetricStatistics.Empty;
        }

        double p50, p90, p95, p99;
        if (_values is not null)
        {
            var sorted = _values.ToArray();
            Array.Sort(sorted);
            (p50, p90, p95, p99) = (Percentiles.OfSorted(sorted, 0.5), Percentiles.OfSorted(sorted, 0.9), Percentiles.OfSorted(sorted, 0.95), Percentiles.OfSorted(sorted, 0.99));
        }
        else
        {
            (p50, p90, p95, p99) = (_sketch.Quantile(0.5), _sketch.Quantile(0.9), _sketch.Quantile(0.95), _sketch.Quantile(0.99));
        }

        return new MetricStatistics
        {
            Count = _moments.Count,
            Sum = _moments.Sum,
            Mean = Mean(_moments),
            Min = _moments.Min,
            Max = _moments.Max,
            StandardDeviation = _moments.StandardDeviation,
            P50 = p50,
            P90 = p90,
            P95 = p95,
            P99 = p99,
            PercentileMethod = _values is not null ? PercentileMethod.Exact : PercentileMethod.Sketch,
            PercentileRelativeError = _values is not null ? 0 : _sketch.RelativeAccuracy,
        };
    }
}
