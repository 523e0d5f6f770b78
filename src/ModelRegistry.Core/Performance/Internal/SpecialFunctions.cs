namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The special functions behind the tests and intervals: log-gamma, the regularized incomplete beta function,
/// erf/erfc, and the Student t and standard normal distributions with their quantiles. Written for double precision;
/// the tests hold them to published values and to closed forms.
/// </summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private static readonly double SqrtPi = Math.Sqrt(Math.PI);

    // Lanczos approximation, g = 7, nine coefficients (Godfrey): ~15 correct digits for Re(z) > 0.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma is defined here for x > 0 only.");
        }

        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1 − x) = π / sin(πx); keeps the Lanczos sum in its accurate range.
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>ln(1 + x), accurate for small |x| (Goldberg's trick: the rounding of 1 + x cancels out).</summary>
    public static double Log1P(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>
    /// The regularized incomplete beta function I_x(a, b). <paramref name="y"/> must be 1 − x; callers pass it computed
    /// directly (for the t distribution, t² / (ν + t²)) so that no precision is lost when x is close to 1.
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x, double y)
    {
        if (!(a > 0) || !(b > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(a), "The incomplete beta function needs a > 0 and b > 0.");
        }

        if (!(x >= 0) || !(y >= 0) || Math.Abs(x + y - 1) > 1e-12)
        {
            throw new ArgumentOutOfRangeException(nameof(x), "The incomplete beta function needs 0 ≤ x ≤ 1 and y = 1 − x.");
        }

        if (x == 0)
        {
            return 0;
        }

        if (y == 0)
        {
            return 1;
        }

        // Front factor x^a y^b / B(a, b), in logs.
        var lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(y));
        var front = Math.Exp(lnFront);

        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the symmetry I_x(a, b) = 1 − I_y(b, a).
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - (front * BetaContinuedFraction(b, a, y) / b);
    }

    /// <summary>The continued fraction of the incomplete beta function, by the modified Lentz method.</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 100_000; m++)
        {
            var m2 = 2 * m;

            // Even step.
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;

            // Odd step.
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                return h;
            }
        }

        throw new InvalidOperationException($"The incomplete beta continued fraction did not converge for a = {a}, b = {b}, x = {x}.");
    }

    /// <summary>The error function.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var ax = Math.Abs(x);
        var value = ax < 2 ? ErfSeries(ax) : 1 - ErfcContinuedFraction(ax);
        return x < 0 ? -value : value;
    }

    /// <summary>The complementary error function 1 − erf(x), accurate in relative terms for large x.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        return x < 2 ? 1 - ErfSeries(x) : ErfcContinuedFraction(x);
    }

    /// <summary>
    /// erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) — every term positive, so no cancellation (for 0 ≤ x &lt; 2).
    /// </summary>
    private static double ErfSeries(double x)
    {
        var x2 = x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 500; n++)
        {
            term *= 2 * x2 / ((2 * n) + 1);
            sum += term;
            if (term < sum * Epsilon)
            {
                break;
            }
        }

        return 2 / SqrtPi * Math.Exp(-x2) * sum;
    }

    /// <summary>
    /// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) by the modified Lentz method (for x ≥ 2).
    /// </summary>
    private static double ErfcContinuedFraction(double x)
    {
        if (x > 27.3)
        {
            return 0; // e^(−x²) underflows double.
        }

        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < 5_000; n++)
        {
            var an = n / 2.0;
            d = x + (an * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = x + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Exp(-x * x) / SqrtPi / f;
    }

    /// <summary>Φ(z), the standard normal distribution function.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>The standard normal density.</summary>
    public static double NormalPdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    /// <summary>Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = erfc(|z|/√2).</summary>
    public static double NormalTwoSidedP(double z) => double.IsNaN(z) ? double.NaN : Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Φ⁻¹(p) for p in (0, 1).</summary>
    public static double NormalQuantile(double p) => InvertCdf(p, NormalCdf, NormalPdf, guess: 0);

    /// <summary>The Student t distribution function with <paramref name="degreesOfFreedom"/> &gt; 0 (not necessarily an integer).</summary>
    public static double StudentTCdf(double t, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "Degrees of freedom must be > 0.");
        }

        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return t > 0 ? 1 : 0;
        }

        var tail = 0.5 * StudentTTwoSidedP(t, degreesOfFreedom);
        return t > 0 ? 1 - tail : tail;
    }

    /// <summary>Two-sided p-value P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).</summary>
    public static double StudentTTwoSidedP(double t, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "Degrees of freedom must be > 0.");
        }

        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        var t2 = t * t;
        if (double.IsInfinity(t2))
        {
            return 0;
        }

        var denominator = degreesOfFreedom + t2;
        return Math.Clamp(RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, degreesOfFreedom / denominator, t2 / denominator), 0, 1);
    }

    /// <summary>The Student t density.</summary>
    public static double StudentTPdf(double t, double degreesOfFreedom)
    {
        var v = degreesOfFreedom;
        var lnNorm = LogGamma((v + 1) / 2) - LogGamma(v / 2) - (0.5 * Math.Log(v * Math.PI));
        return Math.Exp(lnNorm - ((v + 1) / 2 * Log1P(t * t / v)));
    }

    /// <summary>The p-quantile of the Student t distribution, p in (0, 1).</summary>
    public static double StudentTQuantile(double p, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "Degrees of freedom must be > 0.");
        }

        return InvertCdf(p, t => StudentTCdf(t, degreesOfFreedom), t => StudentTPdf(t, degreesOfFreedom), guess: NormalQuantile(p));
    }

    /// <summary>Solves cdf(x) = p for a continuous, strictly increasing cdf: Newton steps kept inside a shrinking bracket (bisection when a step leaves it).</summary>
    private static double InvertCdf(double p, Func<double, double> cdf, Func<double, double> pdf, double guess)
    {
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A quantile needs 0 < p < 1.");
        }

        // Bracket the root: lo has cdf < p, hi has cdf > p.
        double lo = -1, hi = 1;
        while (cdf(lo) > p)
        {
            hi = lo;
            lo *= 2;
        }

        while (cdf(hi) < p)
        {
            lo = hi;
            hi *= 2;
        }

        var x = double.IsFinite(guess) && guess > lo && guess < hi ? guess : (lo + hi) / 2;
        for (var i = 0; i < 200; i++)
        {
            var f = cdf(x) - p;
            if (f == 0)
            {
                return x;
            }

            if (f < 0)
            {
                lo = x;
            }
            else
            {
                hi = x;
            }

            var density = pdf(x);
            var next = density > 0 ? x - (f / density) : double.NaN;
            if (!(next > lo && next < hi))
            {
                next = (lo + hi) / 2;
            }

            if (Math.Abs(next - x) <= 1e-15 * Math.Max(1, Math.Abs(x)))
            {
                return next;
            }

            x = next;
        }

        return x;
    }
}
