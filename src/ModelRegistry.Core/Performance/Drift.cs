namespace ModelRegistry.Performance;

/// <summary>The customary reading of a population stability index.</summary>
public enum PsiBand
{
    /// <summary>PSI &lt; 0.1: no meaningful shift.</summary>
    Stable = 0,

    /// <summary>0.1 ≤ PSI ≤ 0.25: a moderate shift worth watching.</summary>
    Moderate = 1,

    /// <summary>PSI &gt; 0.25: a significant shift.</summary>
    Significant = 2,
}

/// <summary>One bin of a population stability index: the interval (<see cref="Lower"/>, <see cref="Upper"/>].</summary>
public sealed record PsiBin
{
    /// <summary>Exclusive lower edge; <see langword="null"/> for the first bin (unbounded below).</summary>
    public double? Lower { get; init; }

    /// <summary>Inclusive upper edge; <see langword="null"/> for the last bin (unbounded above).</summary>
    public double? Upper { get; init; }

    /// <summary>Reference values in the bin.</summary>
    public long ReferenceCount { get; init; }

    /// <summary>Current values in the bin.</summary>
    public long CurrentCount { get; init; }

    /// <summary>Reference share used in the formula (at least the epsilon).</summary>
    public double ReferenceShare { get; init; }

    /// <summary>Current share used in the formula (at least the epsilon).</summary>
    public double CurrentShare { get; init; }

    /// <summary>The bin's term (current − reference) × ln(current ÷ reference); never negative.</summary>
    public double Contribution { get; init; }
}

/// <summary>
/// A population stability index between a reference and a current distribution: Σ (c − r) · ln(c ÷ r) over bins cut at
/// the reference's quantiles.
/// </summary>
public sealed record PsiResult
{
    /// <summary>The index (≥ 0).</summary>
    public required double Value { get; init; }

    /// <summary>The band of <see cref="Value"/>: Stable below 0.1, Moderate from 0.1 to 0.25, Significant above 0.25.</summary>
    public required PsiBand Band { get; init; }

    /// <summary>The bins, lowest first. Fewer than requested when the reference has repeated values at the cut points.</summary>
    public required IReadOnlyList<PsiBin> Bins { get; init; }

    /// <summary>Values in the reference window.</summary>
    public long ReferenceCount { get; init; }

    /// <summary>Values in the current window.</summary>
    public long CurrentCount { get; init; }

    /// <summary>The floor applied to a share of 0 so that the logarithm stays finite (0.0001).</summary>
    public double Epsilon { get; init; }
}
