using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

/// <summary>
/// Reference values were computed with mpmath at 40 significant digits (an independent arbitrary-precision implementation of
/// the same functions) and cross-checked against published tables (Student t critical values) and closed forms.
/// </summary>
public sealed class SpecialFunctionsTests
{
    [Theory]
    [InlineData(0.1, 0.1124629160182848984, 0.8875370839817151016)]
    [InlineData(0.5, 0.52049987781304653768, 0.47950012218695346232)]
    [InlineData(1.0, 0.84270079294971486934, 0.15729920705028513066)]
    [InlineData(1.5, 0.96610514647531072707, 0.033894853524689272933)]
    [InlineData(1.99, 0.99511141319961699705, 0.0048885868003830029527)]
    [InlineData(2.0, 0.99532226501895273416, 0.0046777349810472658379)]
    [InlineData(2.5, 0.99959304798255504106, 0.00040695201744495893956)]
    [InlineData(3.0, 0.99997790950300141456, 0.000022090496998585441373)]
    [InlineData(-0.7, -0.67780119383741844228, 1.6778011938374184423)]
    public void Erf_and_erfc_match_reference_values(double x, double erf, double erfc)
    {
        SpecialFunctions.Erf(x).Should().BeApproximately(erf, 1e-15);
        SpecialFunctions.Erfc(x).Should().BeApproximately(erfc, 1e-15 * Math.Max(1, erfc));
    }

    [Theory]
    [InlineData(4.0, 1.5417257900280018852e-8)]
    [InlineData(5.0, 1.5374597944280348502e-12)]
    [InlineData(6.0, 2.1519736712498913117e-17)]
    [InlineData(10.0, 2.088487583762544757e-45)]
    public void Erfc_keeps_relative_precision_far_in_the_tail(double x, double expected)
        => (Math.Abs(SpecialFunctions.Erfc(x) - expected) / expected).Should().BeLessThan(1e-12);

    [Theory]
    [InlineData(0.5, 0.57236494292470008707)]
    [InlineData(1.0, 0.0)]
    [InlineData(3.0, 0.69314718055994530942)]
    [InlineData(10.0, 12.801827480081469611)]
    [InlineData(100.5, 361.43554046777762156)]
    [InlineData(1e6, 12815504.56914761166)]
    public void Log_gamma_matches_reference_values(double x, double expected)
        => SpecialFunctions.LogGamma(x).Should().BeApproximately(expected, 1e-13 * Math.Max(1, Math.Abs(expected)));

    [Theory]
    [InlineData(2, 5, 0.3, 0.57982499999999997601)]
    [InlineData(0.5, 0.5, 0.9, 0.79516723530086657191)]
    [InlineData(10, 0.5, 0.99, 0.65792817515678432735)]
    [InlineData(50, 40, 0.6, 0.80115341797448861632)]
    [InlineData(1e4, 0.5, 0.9999, 0.15729401776335149909)]
    public void Regularized_incomplete_beta_matches_reference_values(double a, double b, double x, double expected)
        => SpecialFunctions.RegularizedIncompleteBeta(a, b, x, 1 - x).Should().BeApproximately(expected, 1e-9);

    [Theory]
    [InlineData(1.5, 3.7, 0.8932009153989932347)]
    [InlineData(-0.3, 1, 0.40722642092225765968)]
    [InlineData(2.228138851986274, 10, 0.975)]
    [InlineData(0.05, 250, 0.51991884388970285104)]
    [InlineData(-4.2, 7, 0.0020177799626099799074)]
    [InlineData(12.0, 2.5, 0.99858189248496083809)]
    [InlineData(3.0, 100000, 0.9986497695579676404)]
    public void Student_t_cdf_matches_reference_values(double t, double df, double expected)
        => SpecialFunctions.StudentTCdf(t, df).Should().BeApproximately(expected, 1e-9);

    [Fact]
    public void Student_t_cdf_matches_the_closed_forms_for_one_and_two_degrees_of_freedom()
    {
        foreach (var t in new[] { -50.0, -3.3, -1, -0.2, 0, 0.01, 0.7, 2, 9.5, 1e4 })
        {
            // ν = 1 is the Cauchy distribution; ν = 2 has F(t) = 1/2 + t / (2√(2 + t²)).
            SpecialFunctions.StudentTCdf(t, 1).Should().BeApproximately(0.5 + (Math.Atan(t) / Math.PI), 1e-12, $"t = {t}, ν = 1");
            SpecialFunctions.StudentTCdf(t, 2).Should().BeApproximately(0.5 + (t / (2 * Math.Sqrt(2 + (t * t)))), 1e-12, $"t = {t}, ν = 2");
        }
    }

    [Theory]
    [InlineData(0.975, 10, 2.2281388519862742245)]
    [InlineData(0.975, 30, 2.0422724563012378878)]
    [InlineData(0.995, 5, 4.0321429835552271793)]
    [InlineData(0.95, 1, 6.3137515146750373979)]
    [InlineData(0.9, 2.5, 1.730250928807176833)]
    [InlineData(0.975, 1000, 1.9623390808264081039)]
    [InlineData(0.6, 17.776, 0.25717100399209281777)]
    public void Student_t_quantiles_match_the_tables(double p, double df, double expected)
        => SpecialFunctions.StudentTQuantile(p, df).Should().BeApproximately(expected, 1e-9);

    [Fact]
    public void Student_t_quantile_is_symmetric_and_inverts_the_cdf()
    {
        foreach (var df in new[] { 1.0, 2.5, 9, 40, 1e5 })
        {
            foreach (var p in new[] { 0.001, 0.05, 0.3, 0.5, 0.8, 0.999 })
            {
                var t = SpecialFunctions.StudentTQuantile(p, df);
                SpecialFunctions.StudentTCdf(t, df).Should().BeApproximately(p, 1e-12, $"p = {p}, ν = {df}");
                SpecialFunctions.StudentTQuantile(1 - p, df).Should().BeApproximately(-t, 1e-8 * Math.Max(1, Math.Abs(t)));
            }
        }
    }

    [Theory]
    [InlineData(0.975, 1.9599639845400542355)]
    [InlineData(0.999, 3.0902323061678135415)]
    [InlineData(1e-10, -6.3613409024040562047)]
    [InlineData(0.5, 0.0)]
    public void Normal_quantiles_match_reference_values(double p, double expected)
        => SpecialFunctions.NormalQuantile(p).Should().BeApproximately(expected, 1e-12);

    [Fact]
    public void Two_sided_p_values_of_extreme_statistics_are_0_and_of_zero_are_1()
    {
        SpecialFunctions.StudentTTwoSidedP(0, 5).Should().Be(1);
        SpecialFunctions.StudentTTwoSidedP(double.PositiveInfinity, 5).Should().Be(0);
        SpecialFunctions.StudentTTwoSidedP(1e200, 5).Should().Be(0);
        SpecialFunctions.NormalTwoSidedP(0).Should().BeApproximately(1, 1e-15);
        SpecialFunctions.NormalTwoSidedP(40).Should().Be(0);
    }
}
