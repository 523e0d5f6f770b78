namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The one percentile definition of the library, used by the exact path and targeted by the sketch: <b>nearest rank</b>.
/// For n values sorted ascending x₁ ≤ … ≤ xₙ, the q-quantile is x_k with k = max(1, ⌈q·n⌉). It is always a recorded
/// value (no interpolation), so "p99 latency" is a latency some request really had.
/// </summary>
internal static class Percentiles
{
    /// <summary>
    /// The 1-based rank k = max(1, ⌈q·n⌉). q·n is computed in <see cref="decimal"/> from q rounded to 15 significant digits,
    /// so 0.95 × 100 is exactly 95 (in binary floating point it is not); exact for n up to 10¹³.
    /// </summary>
    public static long NearestRank(double q, long n)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile is in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var k = (long)Math.Ceiling((decimal)q * n);
        return Math.Clamp(k, 1, n);
    }

    /// <summary>The nearest-rank q-quantile of values already sorted ascending.</summary>
    public static double OfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("There are no values to take a percentile of.", nameof(sorted));
        }

        return sorted[(int)(NearestRank(q, sorted.Length) - 1)];
    }
}
