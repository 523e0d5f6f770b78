namespace ModelRegistry.Performance.Internal;

/// <summary>
/// A mergeable quantile sketch with a relative-error guarantee, after DDSketch (Masson, Rim and Lee, "DDSketch: a fast and
/// fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019).
/// </summary>
/// <remarks>
/// <para><b>Buckets.</b> With γ = (1 + α)/(1 − α), a value of magnitude x goes to bucket i = ⌈log_γ x⌉, which covers
/// (γ^(i−1), γ^i]. The bucket's estimate γ^i·(1 − α) = 2γ^i/(γ + 1) is within α·x of every x in the bucket. Negative
/// values go to a mirrored store by magnitude; zeros are counted apart.</para>
/// <para><b>Guarantee.</b> Counts are exact (buckets are never collapsed), so the bucket holding the value of rank k is
/// found exactly, and the estimate of the nearest-rank quantile x (see <see cref="Percentiles"/>) satisfies
/// |estimate − x| ≤ α·|x| — for |x| in [<see cref="MinIndexableMagnitude"/>, <see cref="MaxIndexableMagnitude"/>].
/// Magnitudes below 1e-300 (sub-normal territory, where doubles lose precision) are counted as zero: there the error is
/// absolute, at most 1e-300. Magnitudes above 1e300 are refused (metric validation never lets them in). Estimates are
/// also clamped to the observed [min, max], which can only bring them closer, and the ranks 1 and n return the
/// observed min and max exactly. Internally γ is built from α·(1 − 10⁻⁷) so
/// that rounding in the logarithm and exponential never pushes the error past the documented α.</para>
/// <para><b>Merging.</b> Two sketches with the same α merge by adding bucket counts, so the merge of sketches of two
/// multisets equals the sketch of their union, bucket for bucket: roll-ups and shards combine losslessly.</para>
/// <para><b>Size.</b> Dense arrays over the occupied index range: about 115 buckets per decade at α = 1 % (8 bytes each),
/// so latencies from 1 ms to 100 s need about 600 buckets (≈ 5 KB), whatever the number of values. The worst case — values
/// spread over the whole range 1e-300 … 1e300 — is about 70,000 buckets (≈ 550 KB).</para>
/// </remarks>
internal sealed class QuantileSketch
{
    public const double DefaultRelativeAccuracy = 0.01;
    public const double MinIndexableMagnitude = 1e-300;
    public const double MaxIndexableMagnitude = 1e300;

    private readonly double _lnGamma;
    private readonly double _inverseLnGamma;
    private readonly double _lnEstimateFactor;
    private readonly BucketStore _positive = new();
    private readonly BucketStore _negative = new();

    public QuantileSketch(double relativeAccuracy = DefaultRelativeAccuracy)
    {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "The relative accuracy is in (0, 1).");
        }

        RelativeAccuracy = relativeAccuracy;
        var alpha = relativeAccuracy * (1 - 1e-7);

        // ln γ = ln((1 + α)/(1 − α)) = 2·atanh(α), without the cancellation of ln(1 + α) for small α.
        _lnGamma = 2 * Math.Atanh(alpha);
        _inverseLnGamma = 1 / _lnGamma;
        _lnEstimateFactor = SpecialFunctions.Log1P(-alpha);
    }

    /// <summary>The documented bound α on the relative error of every quantile estimate.</summary>
    public double RelativeAccuracy { get; }

    public long Count => ZeroCount + _positive.Total + _negative.Total;

    public long ZeroCount { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Number of bucket slots allocated (for size tests and diagnostics).</summary>
    public int AllocatedBuckets => _positive.Capacity + _negative.Capacity;

    public void Add(double value) => Add(value, 1);

    public void Add(double value, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var magnitude = Math.Abs(value);
        if (!(magnitude <= MaxIndexableMagnitude))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The sketch accepts finite values up to 1e300 in magnitude.");
        }

        if (magnitude < MinIndexableMagnitude)
        {
            ZeroCount += count;
        }
        else if (value > 0)
        {
            _positive.Add(Index(magnitude), count);
        }
        else
        {
            _negative.Add(Index(magnitude), count);
        }

        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
    }

    /// <summary>Adds <paramref name="other"/>'s counts to this sketch. Both must have the same relative accuracy.</summary>
    public void Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy)
        {
            throw new ArgumentException($"Sketches with relative accuracy {RelativeAccuracy} and {other.RelativeAccuracy} cannot be merged; their buckets differ.", nameof(other));
        }

        if (other.Count == 0)
        {
            return;
        }

        _positive.Merge(other._positive);
        _negative.Merge(other._negative);
        ZeroCount += other.ZeroCount;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The estimate of the nearest-rank q-quantile; see the class remarks for the guarantee.</summary>
    public double Quantile(double q)
    {
        var n = Count;
        if (n == 0)
        {
            throw new InvalidOperationException("The sketch is empty.");
        }

        var rank = Percentiles.NearestRank(q, n);

        // The smallest and largest values are known exactly; no need to estimate them.
        if (rank == 1)
        {
            return Min;
        }

        if (rank == n)
        {
            return Max;
        }

        // Walk the values in ascending order: negatives from the largest magnitude down, then zeros, then positives.
        var seen = _negative.Total;
        if (rank <= seen)
        {
            return Clamp(-Estimate(_negative.IndexOfRankFromTop(rank)));
        }

        seen += ZeroCount;
        if (rank <= seen)
        {
            return Clamp(0);
        }

        return Clamp(Estimate(_positive.IndexOfRankFromBottom(rank - seen)));
    }

    /// <summary>The bucket index of a magnitude in [1e-300, 1e300].</summary>
    public int Index(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) * _inverseLnGamma);

    /// <summary>The estimate of bucket <paramref name="index"/>: γ^i·(1 − α).</summary>
    public double Estimate(int index) => Math.Exp((index * _lnGamma) + _lnEstimateFactor);

    public QuantileSketch Clone()
    {
        var copy = new QuantileSketch(RelativeAccuracy);
        copy.Merge(this);
        return copy;
    }

    /// <summary>The sketch's state, for storing a roll-up; <see cref="FromSnapshot"/> restores it.</summary>
    public QuantileSketchSnapshot ToSnapshot() => new(
        RelativeAccuracy, ZeroCount, _positive.NonEmpty().ToArray(), _negative.NonEmpty().ToArray(), Min, Max);

    public static QuantileSketch FromSnapshot(QuantileSketchSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var sketch = new QuantileSketch(snapshot.RelativeAccuracy);
        foreach (var (index, count) in snapshot.Positive)
        {
            sketch._positive.Add(index, count);
        }

        foreach (var (index, count) in snapshot.Negative)
        {
            sketch._negative.Add(index, count);
        }

        sketch.ZeroCount = snapshot.ZeroCount;
        if (sketch.Count > 0)
        {
            sketch.Min = snapshot.Min;
            sketch.Max = snapshot.Max;
        }

        return sketch;
    }

    /// <summary>Whether both sketches hold exactly the same buckets, counts and extremes.</summary>
    public bool HasSameContentAs(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return RelativeAccuracy == other.RelativeAccuracy
            && ZeroCount == other.ZeroCount
            && Min.Equals(other.Min)
            && Max.Equals(other.Max)
            && _positive.NonEmpty().SequenceEqual(other._positive.NonEmpty())
            && _negative.NonEmpty().SequenceEqual(other._negative.NonEmpty());
    }

    private double Clamp(double estimate) => Math.Clamp(estimate, Min, Max);

    /// <summary>Counts per bucket index in one contiguous array that grows to cover the occupied index range.</summary>
    private sealed class BucketStore
    {
        private long[] _counts = [];
        private int _offset; // _counts[k] holds index _offset + k
        private int _minIndex = int.MaxValue;
        private int _maxIndex = int.MinValue;

        public long Total { get; private set; }

        public int Capacity => _counts.Length;

        public void Add(int index, long count)
        {
            if (count == 0)
            {
                return;
            }

            EnsureCovers(index, index);
            _counts[index - _offset] += count;
            Total += count;
            _minIndex = Math.Min(_minIndex, index);
            _maxIndex = Math.Max(_maxIndex, index);
        }

        public void Merge(BucketStore other)
        {
            if (other.Total == 0)
            {
                return;
            }

            EnsureCovers(other._minIndex, other._maxIndex);
            for (var i = other._minIndex; i <= other._maxIndex; i++)
            {
                _counts[i - _offset] += other._counts[i - other._offset];
            }

            Total += other.Total;
            _minIndex = Math.Min(_minIndex, other._minIndex);
            _maxIndex = Math.Max(_maxIndex, other._maxIndex);
        }

        /// <summary>The index of the bucket holding the value of 1-based rank <paramref name="rank"/>, counting from the lowest index.</summary>
        public int IndexOfRankFromBottom(long rank)
        {
            long seen = 0;
            for (var i = _minIndex; i <= _maxIndex; i++)
            {
                seen += _counts[i - _offset];
                if (seen >= rank)
                {
                    return i;
                }
            }

            throw new InvalidOperationException("Rank beyond the store's count.");
        }

        /// <summary>The index of the bucket holding the value of 1-based rank <paramref name="rank"/>, counting from the highest index.</summary>
        public int IndexOfRankFromTop(long rank)
        {
            long seen = 0;
            for (var i = _maxIndex; i >= _minIndex; i--)
            {
                seen += _counts[i - _offset];
                if (seen >= rank)
                {
                    return i;
                }
            }

            throw new InvalidOperationException("Rank beyond the store's count.");
        }

        public IEnumerable<SketchBucket> NonEmpty()
        {
            for (var i = _minIndex; i <= _maxIndex && Total > 0; i++)
            {
                var c = _counts[i - _offset];
                if (c != 0)
                {
                    yield return new SketchBucket(i, c);
                }
            }
        }

        private void EnsureCovers(int low, int high)
        {
            if (_counts.Length > 0 && low >= _offset && high < _offset + _counts.Length)
            {
                return;
            }

            var newLow = _counts.Length == 0 || Total == 0 ? low : Math.Min(low, _minIndex);
            var newHigh = _counts.Length == 0 || Total == 0 ? high : Math.Max(high, _maxIndex);
            var needed = newHigh - newLow + 1;

            // Grow geometrically with slack on both sides, so a stream of slowly widening values reallocates O(log range) times.
            var length = Math.Max(Math.Max(needed + 64, _counts.Length * 2), 128);
            var slack = length - needed;
            var offset = newLow - (slack / 2);
            var counts = new long[length];
            if (Total > 0)
            {
                Array.Copy(_counts, _minIndex - _offset, counts, _minIndex - offset, _maxIndex - _minIndex + 1);
            }

            _counts = counts;
            _offset = offset;
        }
    }
}

/// <summary>One non-empty bucket of a <see cref="QuantileSketch"/>.</summary>
internal readonly record struct SketchBucket(int Index, long Count);

/// <summary>The stored form of a <see cref="QuantileSketch"/>.</summary>
internal sealed record QuantileSketchSnapshot(
    double RelativeAccuracy,
    long ZeroCount,
    IReadOnlyList<SketchBucket> Positive,
    IReadOnlyList<SketchBucket> Negative,
    double Min,
    double Max);
