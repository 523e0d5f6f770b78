namespace ModelRegistry.Performance.Internal;

/// <summary>
/// Count, mean, variance, min, max and sum in one pass, numerically stable: Welford's update for single values and
/// Chan, Golub and LeVeque's pairwise combination for merges (so partial results from roll-ups or shards combine
/// without going back to the raw values). Stable for values with a large common offset, where the naive
/// Σx² − (Σx)²/n formula cancels catastrophically.
/// </summary>
internal sealed class RunningMoments
{
    private double _m2;

    public long Count { get; private set; }

    public double Mean { get; private set; }

    public double Sum { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Sample variance (denominator n − 1); 0 with fewer than two values.</summary>
    public double Variance => Count < 2 ? 0 : Math.Max(0, _m2 / (Count - 1));

    /// <summary>Sample standard deviation; 0 with fewer than two values.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Sum of squared deviations from the mean (n − 1 times the sample variance).</summary>
    public double SumOfSquaredDeviations => _m2;

    public static RunningMoments Of(IEnumerable<double> values)
    {
        var m = new RunningMoments();
        foreach (var v in values)
        {
            m.Add(v);
        }

        return m;
    }

    /// <summary>Rebuilds moments from stored parts (a roll-up).</summary>
    public static RunningMoments FromParts(long count, double mean, double sumOfSquaredDeviations, double min, double max, double sum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return count == 0 ? new RunningMoments() : new RunningMoments { Count = count, Mean = mean, _m2 = sumOfSquaredDeviations, Min = min, Max = max, Sum = sum };
    }

    public void Add(double value)
    {
        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        _m2 += delta * (value - Mean);
        Sum += value;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }

    public void Merge(RunningMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            (Count, Mean, _m2, Sum, Min, Max) = (other.Count, other.Mean, other._m2, other.Sum, other.Min, other.Max);
            return;
        }

        var n = Count + other.Count;
        var delta = other.Mean - Mean;

        // Weighted form of the mean update; (double)Count / n keeps it exact for equal counts and avoids Count * Mean overflow.
        Mean += delta * ((double)other.Count / n);
        _m2 += other._m2 + (delta * delta * ((double)Count * other.Count / n));
        Count = n;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    public RunningMoments Clone() => FromParts(Count, Mean, _m2, Min, Max, Sum);
}
