using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class HypothesisTestsTests
{
    // Student's sleep data (R's `sleep` data set): extra hours of sleep under two drugs.
    private static readonly double[] SleepGroup1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] SleepGroup2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    [Fact]
    public void Welch_test_on_the_sleep_data_reproduces_R_t_test()
    {
        // R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939,
        // 95 percent confidence interval: -3.3654832 0.2054832 (for group 1 − group 2; here B − A has the opposite sign).
        // The digits beyond R's printout come from mpmath at 40 digits.
        var result = HypothesisTests.Welch(RunningMoments.Of(SleepGroup1), RunningMoments.Of(SleepGroup2), 0.95);

        result.MeanDifference.Should().BeApproximately(1.58, 1e-12);
        result.TStatistic.Should().BeApproximately(1.8608134674868531, 1e-9);
        result.DegreesOfFreedom.Should().BeApproximately(17.77647351617849, 1e-9);
        result.PValue.Should().BeApproximately(0.079394140187358138, 1e-9);
        result.DifferenceInterval.Lower.Should().BeApproximately(-0.20548323071171058, 1e-9);
        result.DifferenceInterval.Upper.Should().BeApproximately(3.3654832307117106, 1e-9);
        result.DifferenceInterval.Level.Should().Be(0.95);

        Math.Round(result.TStatistic, 4).Should().Be(1.8608);
        Math.Round(result.DegreesOfFreedom, 3).Should().Be(17.776);
        Math.Round(result.PValue, 5).Should().Be(0.07939);
    }

    [Fact]
    public void Welch_test_with_unequal_sizes_and_a_90_percent_interval_matches_reference_values()
    {
        double[] a = [12.1, 14.3, 11.8, 15.2, 13.9, 12.7];
        double[] b = [15.4, 18.2, 13.1, 19.9, 16.5, 21.3, 14.8, 17.7, 18.9];
        var result = HypothesisTests.Welch(RunningMoments.Of(a), RunningMoments.Of(b), 0.90);

        result.MeanDifference.Should().BeApproximately(3.9777777777777775, 1e-12);
        result.TStatistic.Should().BeApproximately(3.8701345776456092, 1e-9);
        result.DegreesOfFreedom.Should().BeApproximately(12.470872800862626, 1e-9);
        result.PValue.Should().BeApproximately(0.0020795261042605353, 1e-9);
        result.DifferenceInterval.Lower.Should().BeApproximately(2.1516639008300295, 1e-9);
        result.DifferenceInterval.Upper.Should().BeApproximately(5.8038916547255254, 1e-9);
    }

    [Fact]
    public void Mean_interval_is_the_student_t_interval()
    {
        // R: t.test(sleep$extra[1:10])$conf.int → -0.5297804 2.0297804
        var interval = HypothesisTests.MeanInterval(RunningMoments.Of(SleepGroup1), 0.95);
        interval.Lower.Should().BeApproximately(-0.52978041352623227, 1e-9);
        interval.Upper.Should().BeApproximately(2.0297804135262323, 1e-9);

        var second = HypothesisTests.MeanInterval(RunningMoments.Of([12.1, 14.3, 11.8, 15.2, 13.9, 12.7]), 0.90);
        second.Lower.Should().BeApproximately(12.228828641107393, 1e-9);
        second.Upper.Should().BeApproximately(14.437838025559274, 1e-9);
    }

    [Fact]
    public void Welch_test_swapping_the_arms_flips_the_sign_and_keeps_the_p_value()
    {
        var ab = HypothesisTests.Welch(RunningMoments.Of(SleepGroup1), RunningMoments.Of(SleepGroup2), 0.95);
        var ba = HypothesisTests.Welch(RunningMoments.Of(SleepGroup2), RunningMoments.Of(SleepGroup1), 0.95);
        ba.TStatistic.Should().BeApproximately(-ab.TStatistic, 1e-12);
        ba.PValue.Should().BeApproximately(ab.PValue, 1e-15);
        ba.DegreesOfFreedom.Should().BeApproximately(ab.DegreesOfFreedom, 1e-9);
    }

    [Fact]
    public void Welch_test_with_zero_variance_in_both_arms_is_certain_or_void()
    {
        var same = HypothesisTests.Welch(RunningMoments.Of([5, 5, 5]), RunningMoments.Of([5, 5]), 0.95);
        same.TStatistic.Should().Be(0);
        same.PValue.Should().Be(1);

        var different = HypothesisTests.Welch(RunningMoments.Of([5, 5, 5]), RunningMoments.Of([7, 7]), 0.95);
        different.TStatistic.Should().Be(double.PositiveInfinity);
        different.PValue.Should().Be(0);
        different.DifferenceInterval.Lower.Should().Be(2);
        different.DifferenceInterval.Upper.Should().Be(2);
    }

    [Fact]
    public void Welch_test_needs_two_values_per_arm()
    {
        var act = () => HypothesisTests.Welch(RunningMoments.Of([1]), RunningMoments.Of([1, 2, 3]), 0.95);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(45, 100, 60, 110, 1.3816985594155149, 0.16706427691489406, -0.039326926522659975, 0.23023601743175088)]
    [InlineData(940, 1000, 965, 1000, 2.6281231626243023, 0.0085857423871199974, 0.0063880804548243115, 0.043611919545175689)]
    public void Two_proportion_test_matches_R_prop_test_without_continuity_correction(
        long xa, long na, long xb, long nb, double z, double p, double lower, double upper)
    {
        // R: prop.test(c(45, 60), c(100, 110), correct = FALSE) → X-squared = 1.909, p-value = 0.1671 (χ² = z²).
        var result = HypothesisTests.TwoProportion(xa, na, xb, nb, 0.95);
        result.ZStatistic.Should().BeApproximately(z, 1e-12);
        result.PValue.Should().BeApproximately(p, 1e-12);
        result.DifferenceInterval.Lower.Should().BeApproximately(lower, 1e-12);
        result.DifferenceInterval.Upper.Should().BeApproximately(upper, 1e-12);
    }

    [Fact]
    public void Two_proportion_test_with_identical_all_success_arms_finds_no_difference()
    {
        var result = HypothesisTests.TwoProportion(50, 50, 80, 80, 0.95);
        result.ZStatistic.Should().Be(0);
        result.PValue.Should().Be(1);
    }

    [Fact]
    public void Two_proportion_test_refuses_impossible_counts()
    {
        var act = () => HypothesisTests.TwoProportion(11, 10, 5, 10, 0.95);
        act.Should().Throw<ArgumentException>();
    }
}
