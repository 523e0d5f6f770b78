using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class AbTestAnalysisTests
{
    private static readonly MetricSubject A = new("ranker", "1.0.0");
    private static readonly MetricSubject B = new("ranker", "1.1.0");
    private static readonly MetricWindow Window = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 8, 0, 0, 0, TimeSpan.Zero));

    private static AbTestRequest Request(AbTestOptions? options = null) => new() { A = A, B = B, Window = Window, Options = options };

    /// <summary>n values around <paramref name="mean"/>: mean ± spread alternating, so the mean is exact and the spread known.</summary>
    private static RunningMoments Around(double mean, double spread, int n)
        => RunningMoments.Of(Enumerable.Range(0, n).Select(i => mean + (i % 2 == 0 ? spread : -spread) * (1 + (i % 5 * 0.1))));

    [Fact]
    public void A_clearly_better_challenger_wins_on_a_higher_is_better_metric()
    {
        var result = AbTestAnalysis.Evaluate(Request(), new AbArmObservations(A, Around(0.70, 0.05, 200)), new AbArmObservations(B, Around(0.80, 0.05, 200)));
        result.Verdict.Should().Be(AbTestVerdict.BWins);
        result.Basis.Should().Be(AbTestBasis.WelchTTest);
        result.Direction.Should().Be(MetricDirection.HigherIsBetter);
        result.PValue.Should().BeLessThan(1e-10);
        result.MeanDifference.Should().BeApproximately(0.10, 1e-3);
        result.DifferenceInterval!.Lower.Should().BeGreaterThan(0);
        result.A.MeanInterval!.Level.Should().Be(0.95);
    }

    [Fact]
    public void On_a_lower_is_better_metric_the_lower_mean_wins()
    {
        var options = new AbTestOptions { Metric = MetricKey.Latency };
        var result = AbTestAnalysis.Evaluate(Request(options), new AbArmObservations(A, Around(120, 10, 100)), new AbArmObservations(B, Around(180, 10, 100)));
        result.Direction.Should().Be(MetricDirection.LowerIsBetter);
        result.Verdict.Should().Be(AbTestVerdict.AWins);
    }

    [Fact]
    public void Overlapping_arms_show_no_significant_difference()
    {
        var result = AbTestAnalysis.Evaluate(Request(), new AbArmObservations(A, Around(0.70, 0.2, 50)), new AbArmObservations(B, Around(0.71, 0.2, 50)));
        result.Verdict.Should().Be(AbTestVerdict.NoSignificantDifference);
        result.PValue.Should().BeGreaterThan(0.05);
    }

    [Fact]
    public void Too_few_values_in_an_arm_is_not_enough_data_even_when_the_difference_is_large()
    {
        var result = AbTestAnalysis.Evaluate(Request(), new AbArmObservations(A, Around(0.1, 0.01, 29)), new AbArmObservations(B, Around(0.9, 0.01, 500)));
        result.Verdict.Should().Be(AbTestVerdict.NotEnoughData);
        result.PValue.Should().NotBeNull("the statistics are still reported");

        var lowered = AbTestAnalysis.Evaluate(Request(new AbTestOptions { MinimumSampleSizePerArm = 20 }), new AbArmObservations(A, Around(0.1, 0.01, 29)), new AbArmObservations(B, Around(0.9, 0.01, 500)));
        lowered.Verdict.Should().Be(AbTestVerdict.BWins);
    }

    [Fact]
    public void An_arm_without_values_reports_no_test_and_not_enough_data()
    {
        var result = AbTestAnalysis.Evaluate(Request(), new AbArmObservations(A, new RunningMoments()), new AbArmObservations(B, Around(1, 0.1, 40)));
        result.Verdict.Should().Be(AbTestVerdict.NotEnoughData);
        result.PValue.Should().BeNull();
        result.TStatistic.Should().BeNull();
        result.A.MeanInterval.Should().BeNull();
        result.A.Mean.Should().Be(0);
    }

    [Fact]
    public void The_significance_level_decides_a_borderline_case()
    {
        // The sleep data: p ≈ 0.0794 — significant at 0.10, not at 0.05.
        var a = RunningMoments.Of([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]);
        var b = RunningMoments.Of([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]);
        var strict = AbTestAnalysis.Evaluate(Request(new AbTestOptions { MinimumSampleSizePerArm = 10 }), new AbArmObservations(A, a), new AbArmObservations(B, b));
        var loose = AbTestAnalysis.Evaluate(Request(new AbTestOptions { MinimumSampleSizePerArm = 10, SignificanceLevel = 0.10 }), new AbArmObservations(A, a), new AbArmObservations(B, b));
        strict.Verdict.Should().Be(AbTestVerdict.NoSignificantDifference);
        loose.Verdict.Should().Be(AbTestVerdict.BWins);
        loose.DifferenceInterval!.Level.Should().BeApproximately(0.90, 1e-15);
    }

    [Fact]
    public void Error_rate_tests_rest_on_the_proportion_test_of_request_outcomes()
    {
        var options = new AbTestOptions { Metric = MetricKey.ErrorRate };

        // A: 60 errors in 1000 requests; B: 35 in 1000. Lower error rate is better, so B wins.
        var a = new AbArmObservations(A, RunningMoments.Of(Enumerable.Repeat(1.0, 60).Concat(Enumerable.Repeat(0.0, 940))), Requests: 1000, SuccessfulRequests: 940);
        var b = new AbArmObservations(B, RunningMoments.Of(Enumerable.Repeat(1.0, 35).Concat(Enumerable.Repeat(0.0, 965))), Requests: 1000, SuccessfulRequests: 965);
        var result = AbTestAnalysis.Evaluate(Request(options), a, b);

        result.Basis.Should().Be(AbTestBasis.TwoProportionZTest);
        result.SuccessRateTest!.PValue.Should().BeApproximately(0.0085857423871199974, 1e-12);
        result.SuccessRateTest.RateA.Should().Be(0.94);
        result.Verdict.Should().Be(AbTestVerdict.BWins);
        result.B.SuccessRate.Should().Be(0.965);

        var identical = AbTestAnalysis.Evaluate(Request(options), a, new AbArmObservations(B, a.Metric, Requests: 1000, SuccessfulRequests: 940));
        identical.Verdict.Should().Be(AbTestVerdict.NoSignificantDifference);
        identical.SuccessRateTest!.PValue.Should().Be(1);
    }

    [Fact]
    public void Each_arm_gets_its_value_score_as_quality_per_unit_of_cost()
    {
        var a = new AbArmObservations(A, Around(4.0, 0.5, 100), MeanQuality: 4.0, MeanCost: 0.002m);
        var b = new AbArmObservations(B, Around(4.2, 0.5, 100), MeanQuality: 4.2, MeanCost: 0.006m);
        var result = AbTestAnalysis.Evaluate(Request(), a, b);
        result.A.ValueScore.Should().BeApproximately(2000, 1e-9);
        result.B.ValueScore.Should().BeApproximately(700, 1e-9);
        AbTestAnalysis.ValueScore(4.0, 0m).Should().BeNull("a free arm has no finite value score");
        AbTestAnalysis.ValueScore(null, 0.01m).Should().BeNull();
    }

    public static TheoryData<string, AbTestRequest, string> BadRequests => new()
    {
        { "same arm twice", new AbTestRequest { A = A, B = A with { ModelName = "RANKER" }, Window = Window }, "request.B" },
        { "empty window", new AbTestRequest { A = A, B = B, Window = Window with { To = Window.From } }, "request.Window" },
        { "significance 0", Request(new AbTestOptions { SignificanceLevel = 0 }), "request.Options.SignificanceLevel" },
        { "significance 0.7", Request(new AbTestOptions { SignificanceLevel = 0.7 }), "request.Options.SignificanceLevel" },
        { "significance NaN", Request(new AbTestOptions { SignificanceLevel = double.NaN }), "request.Options.SignificanceLevel" },
        { "minimum 1", Request(new AbTestOptions { MinimumSampleSizePerArm = 1 }), "request.Options.MinimumSampleSizePerArm" },
        { "custom metric without a direction", Request(new AbTestOptions { Metric = MetricKey.Custom("bleu") }), "request.Options.Direction" },
        { "bad arm version", new AbTestRequest { A = A with { Version = "x" }, B = B, Window = Window }, "request.A.Version" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_requests_are_refused(string description, AbTestRequest request, string parameter)
    {
        var act = () => AbTestAnalysis.Evaluate(request, new AbArmObservations(A, new RunningMoments()), new AbArmObservations(B, new RunningMoments()));
        var error = act.Should().Throw<ModelRegistryException>(description).Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be(parameter);
    }

    [Fact]
    public void A_custom_metric_with_a_stated_direction_is_accepted()
    {
        var options = new AbTestOptions { Metric = MetricKey.Custom("bleu"), Direction = MetricDirection.HigherIsBetter };
        var result = AbTestAnalysis.Evaluate(Request(options), new AbArmObservations(A, Around(30, 2, 60)), new AbArmObservations(B, Around(25, 2, 60)));
        result.Verdict.Should().Be(AbTestVerdict.AWins);
    }
}
