namespace ModelRegistry.Performance.Internal;

/// <summary>Welch's t-test of B − A, with the Welch–Satterthwaite degrees of freedom.</summary>
internal readonly record struct WelchTestResult(
    double MeanDifference,
    double StandardError,
    double TStatistic,
    double DegreesOfFreedom,
    double PValue,
    ConfidenceInterval DifferenceInterval);

/// <summary>The pooled two-proportion z-test of B − A.</summary>
internal readonly record struct TwoProportionTestResult(
    double RateA,
    double RateB,
    double ZStatistic,
    double PValue,
    ConfidenceInterval DifferenceInterval);

/// <summary>Two-sample tests and confidence intervals (all two-sided).</summary>
internal static class HypothesisTests
{
    /// <summary>
    /// Welch's unequal-variances t-test of mean(B) − mean(A):
    /// t = (x̄_B − x̄_A) / √(s²_A/n_A + s²_B/n_B),
    /// ν = (s²_A/n_A + s²_B/n_B)² / ((s²_A/n_A)²/(n_A − 1) + (s²_B/n_B)²/(n_B − 1)),
    /// p = P(|T_ν| ≥ |t|), and the interval (x̄_B − x̄_A) ± t_{1−α/2, ν}·SE. Needs at least two values per arm.
    /// When both variances are 0 the test is degenerate: equal means give t = 0 and p = 1; different means give t = ±∞
    /// and p = 0 (the difference is certain), with ν = n_A + n_B − 2.
    /// </summary>
    public static WelchTestResult Welch(RunningMoments a, RunningMoments b, double confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
        {
            throw new ArgumentException("Welch's t-test needs at least two values in each arm.");
        }

        CheckLevel(confidenceLevel);
        var difference = b.Mean - a.Mean;
        var va = a.Variance / a.Count;
        var vb = b.Variance / b.Count;
        var se = Math.Sqrt(va + vb);
        if (se == 0)
        {
            var df0 = (double)(a.Count + b.Count - 2);
            var t0 = difference == 0 ? 0 : difference > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            return new WelchTestResult(difference, 0, t0, df0, difference == 0 ? 1 : 0, new ConfidenceInterval(difference, difference, confidenceLevel));
        }

        var df = (va + vb) * (va + vb) / ((va * va / (a.Count - 1)) + (vb * vb / (b.Count - 1)));
        var t = difference / se;
        var p = SpecialFunctions.StudentTTwoSidedP(t, df);
        var half = SpecialFunctions.StudentTQuantile(1 - ((1 - confidenceLevel) / 2), df) * se;
        return new WelchTestResult(difference, se, t, df, p, new ConfidenceInterval(difference - half, difference + half, confidenceLevel));
    }

    /// <summary>The Student-t interval of one mean: x̄ ± t_{1−α/2, n−1}·s/√n. Needs at least two values.</summary>
    public static ConfidenceInterval MeanInterval(RunningMoments moments, double confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (moments.Count < 2)
        {
            throw new ArgumentException("A confidence interval of the mean needs at least two values.", nameof(moments));
        }

        CheckLevel(confidenceLevel);
        var half = SpecialFunctions.StudentTQuantile(1 - ((1 - confidenceLevel) / 2), moments.Count - 1) * moments.StandardDeviation / Math.Sqrt(moments.Count);
        return new ConfidenceInterval(moments.Mean - half, moments.Mean + half, confidenceLevel);
    }

    /// <summary>
    /// The pooled two-proportion z-test of p_B − p_A: with p = (x_A + x_B)/(n_A + n_B),
    /// z = (p_B − p_A) / √(p(1 − p)(1/n_A + 1/n_B)) and p-value = erfc(|z|/√2) — the same p-value as R's
    /// <c>prop.test(correct = FALSE)</c>, whose χ² is z². When the pooled rate is 0 or 1 both arms are identical: z = 0, p = 1.
    /// The interval is the unpooled Wald interval (p_B − p_A) ± z_{1−α/2}·√(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B).
    /// </summary>
    public static TwoProportionTestResult TwoProportion(long successesA, long trialsA, long successesB, long trialsB, double confidenceLevel)
    {
        if (trialsA <= 0 || trialsB <= 0 || successesA < 0 || successesB < 0 || successesA > trialsA || successesB > trialsB)
        {
            throw new ArgumentException("A proportion test needs 0 ≤ successes ≤ trials and trials > 0 in each arm.");
        }

        CheckLevel(confidenceLevel);
        var pa = (double)successesA / trialsA;
        var pb = (double)successesB / trialsB;
        var pooled = (double)(successesA + successesB) / (trialsA + trialsB);
        var se0 = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / trialsA) + (1.0 / trialsB)));
        var z = se0 == 0 ? 0 : (pb - pa) / se0;
        var p = se0 == 0 ? 1 : SpecialFunctions.NormalTwoSidedP(z);
        var half = SpecialFunctions.NormalQuantile(1 - ((1 - confidenceLevel) / 2)) * Math.Sqrt((pa * (1 - pa) / trialsA) + (pb * (1 - pb) / trialsB));
        return new TwoProportionTestResult(pa, pb, z, p, new ConfidenceInterval(pb - pa - half, pb - pa + half, confidenceLevel));
    }

    private static void CheckLevel(double confidenceLevel)
    {
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "A confidence level is in (0, 1).");
        }
    }
}
