using ModelRegistry.Internal;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The population stability index, PSI = Σᵢ (cᵢ − rᵢ)·ln(cᵢ/rᵢ), where rᵢ and cᵢ are the reference and current shares
/// of bin i.
/// </summary>
/// <remarks>
/// <para><b>Bins.</b> Cut at the reference's nearest-rank quantiles 1/k, 2/k, …, (k−1)/k (deciles for k = 10), so each
/// bin holds about 1/k of the reference. Bins are right-closed, (eⱼ₋₁, eⱼ], the first unbounded below and the last above,
/// so every current value lands somewhere. Repeated cut points (a reference with many equal values) are merged, so fewer
/// bins than asked may result.</para>
/// <para><b>Empty bins.</b> A share of 0 would make ln(c/r) infinite; each share is floored at ε = 0.0001 (0.01 %), the
/// usual choice, and not renormalised. A bin empty in both windows therefore contributes exactly 0; a bin empty in one
/// window contributes a large but finite term.</para>
/// <para><b>Bands.</b> &lt; 0.1 stable, 0.1–0.25 moderate (both ends inclusive), &gt; 0.25 significant.</para>
/// </remarks>
internal static class PopulationStability
{
    public const double Epsilon = 1e-4;
    public const double ModerateFrom = 0.1;
    public const double SignificantAbove = 0.25;

    public static PsiBand Band(double psi) => psi < ModerateFrom ? PsiBand.Stable : psi <= SignificantAbove ? PsiBand.Moderate : PsiBand.Significant;

    public static PsiResult Compute(IReadOnlyCollection<double> reference, IReadOnlyCollection<double> current, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (bins < RequestValidation.MinPsiBins || bins > RequestValidation.MaxPsiBins)
        {
            throw Guard.Invalid("bins", $"'bins' is {bins}; it must be between {RequestValidation.MinPsiBins} and {RequestValidation.MaxPsiBins}.");
        }

        if (reference.Count == 0)
        {
            throw Guard.Invalid("reference", "The reference window holds no values; a stability index needs a reference distribution. Choose a window with data.");
        }

        if (current.Count == 0)
        {
            throw Guard.Invalid("current", "The current window holds no values; there is nothing to compare with the reference. Choose a window with data.");
        }

        var sorted = reference.ToArray();
        Array.Sort(sorted);
        var edges = new List<double>(bins - 1);
        for (var j = 1; j < bins; j++)
        {
            var edge = Percentiles.OfSorted(sorted, (double)j / bins);
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        var edgeArray = edges.ToArray();
        var referenceCounts = Count(sorted, edgeArray);
        var currentCounts = Count(current, edgeArray);
        var result = new PsiBin[edgeArray.Length + 1];
        double psi = 0;
        for (var i = 0; i < result.Length; i++)
        {
            var r = Math.Max((double)referenceCounts[i] / reference.Count, Epsilon);
            var c = Math.Max((double)currentCounts[i] / current.Count, Epsilon);
            var contribution = (c - r) * Math.Log(c / r);
            psi += contribution;
            result[i] = new PsiBin
            {
                Lower = i == 0 ? null : edgeArray[i - 1],
                Upper = i == edgeArray.Length ? null : edgeArray[i],
                ReferenceCount = referenceCounts[i],
                CurrentCount = currentCounts[i],
                ReferenceShare = r,
                CurrentShare = c,
                Contribution = contribution,
            };
        }

        return new PsiResult
        {
            Value = psi,
            Band = Band(psi),
            Bins = result,
            ReferenceCount = reference.Count,
            CurrentCount = current.Count,
            Epsilon = Epsilon,
        };
    }

    /// <summary>Counts values per right-closed bin: bin i is (edges[i−1], edges[i]], the last bin everything above the last edge.</summary>
    private static long[] Count(IEnumerable<double> values, double[] edges)
    {
        var counts = new long[edges.Length + 1];
        foreach (var v in values)
        {
            // The first edge ≥ v; BinarySearch returns the complement of the insertion point when v is not an edge.
            var i = Array.BinarySearch(edges, v);
            counts[i >= 0 ? i : ~i]++;
        }

        return counts;
    }
}
