using CsCheck;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class PopulationStabilityTests
{
    private static double[] Range(int from, int count) => Enumerable.Range(from, count).Select(i => (double)i).ToArray();

    [Theory]
    [InlineData(0.0, PsiBand.Stable)]
    [InlineData(0.0999, PsiBand.Stable)]
    [InlineData(0.1, PsiBand.Moderate)]
    [InlineData(0.18, PsiBand.Moderate)]
    [InlineData(0.25, PsiBand.Moderate)]
    [InlineData(0.2501, PsiBand.Significant)]
    [InlineData(3.0, PsiBand.Significant)]
    public void Bands_follow_the_usual_cut_points(double psi, PsiBand band) => PopulationStability.Band(psi).Should().Be(band);

    [Fact]
    public void The_same_distribution_is_stable_with_an_index_of_zero()
    {
        var values = Range(1, 1000);
        var result = PopulationStability.Compute(values, values.Reverse().ToArray());
        result.Value.Should().Be(0);
        result.Band.Should().Be(PsiBand.Stable);
        result.Bins.Should().HaveCount(10);
        result.Bins.Should().OnlyContain(b => b.ReferenceCount == 100 && b.CurrentCount == 100);
        result.Bins[0].Lower.Should().BeNull();
        result.Bins[0].Upper.Should().Be(100);
        result.Bins[^1].Lower.Should().Be(900);
        result.Bins[^1].Upper.Should().BeNull();
        result.Epsilon.Should().Be(1e-4);
    }

    [Fact]
    public void A_hand_computed_example_matches_the_formula()
    {
        // Reference 1…100 cut in quartiles at 25, 50, 75; current puts 10 %, 20 %, 30 %, 40 % in the four bins.
        var current = Enumerable.Repeat(10.0, 10).Concat(Enumerable.Repeat(30.0, 20)).Concat(Enumerable.Repeat(60.0, 30)).Concat(Enumerable.Repeat(90.0, 40)).ToArray();
        var result = PopulationStability.Compute(Range(1, 100), current, bins: 4);

        var expected = ((0.1 - 0.25) * Math.Log(0.1 / 0.25)) + ((0.2 - 0.25) * Math.Log(0.2 / 0.25))
                     + ((0.3 - 0.25) * Math.Log(0.3 / 0.25)) + ((0.4 - 0.25) * Math.Log(0.4 / 0.25));
        result.Value.Should().BeApproximately(expected, 1e-12); // ≈ 0.2282
        result.Band.Should().Be(PsiBand.Moderate);
        result.Bins.Select(b => b.Upper).Should().Equal(25, 50, 75, null);
        result.Bins.Sum(b => b.Contribution).Should().BeApproximately(result.Value, 1e-15);
    }

    [Fact]
    public void A_shifted_distribution_is_significant()
    {
        var result = PopulationStability.Compute(Range(1, 1000), Range(400, 1000));
        result.Band.Should().Be(PsiBand.Significant);
        result.Bins[^1].CurrentCount.Should().BeGreaterThan(result.Bins[^1].ReferenceCount);
    }

    [Fact]
    public void Empty_bins_use_the_epsilon_floor_and_stay_finite()
    {
        // Every current value above the reference's top: nine bins are empty in the current window.
        var result = PopulationStability.Compute(Range(1, 100), Enumerable.Repeat(1000.0, 50).ToArray());
        result.Bins.Take(9).Should().OnlyContain(b => b.CurrentCount == 0 && b.CurrentShare == 1e-4);
        result.Value.Should().BeGreaterThan(1).And.Match(v => double.IsFinite(v));

        var expected = (9 * ((1e-4 - 0.1) * Math.Log(1e-4 / 0.1))) + ((1 - 0.1) * Math.Log(1 / 0.1));
        result.Value.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Repeated_cut_points_are_merged_into_fewer_bins()
    {
        var reference = Enumerable.Repeat(5.0, 90).Concat(Range(6, 10)).ToArray();
        var result = PopulationStability.Compute(reference, reference);
        result.Bins.Count.Should().BeLessThan(10);
        result.Bins.Select(b => b.Upper).Should().OnlyHaveUniqueItems();
        result.Value.Should().Be(0);
        result.Bins.Sum(b => b.ReferenceCount).Should().Be(100);
    }

    [Fact]
    public void The_index_is_never_negative_and_every_value_lands_in_one_bin()
    {
        Gen.Select(QuantileSketchTests.DataSets, QuantileSketchTests.DataSets, Gen.Int[2, 20]).Sample((reference, current, bins) =>
        {
            var result = PopulationStability.Compute(reference, current, bins);
            result.Value.Should().BeGreaterThanOrEqualTo(0);
            result.Bins.Should().OnlyContain(b => b.Contribution >= 0);
            result.Bins.Sum(b => b.ReferenceCount).Should().Be(reference.Length);
            result.Bins.Sum(b => b.CurrentCount).Should().Be(current.Length);
            result.Band.Should().Be(PopulationStability.Band(result.Value));
        }, iter: 100);
    }

    [Fact]
    public void An_empty_window_or_a_bad_bin_count_is_an_invalid_argument()
    {
        var noReference = () => PopulationStability.Compute([], [1.0]);
        noReference.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("reference");
        var noCurrent = () => PopulationStability.Compute([1.0], []);
        noCurrent.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("current");
        var oneBin = () => PopulationStability.Compute([1.0], [1.0], bins: 1);
        oneBin.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }
}
