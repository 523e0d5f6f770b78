using CsCheck;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class RunningMomentsTests
{
    [Fact]
    public void Known_values_give_the_textbook_mean_and_sample_variance()
    {
        var m = RunningMoments.Of([2, 4, 4, 4, 5, 5, 7, 9]);
        m.Count.Should().Be(8);
        m.Mean.Should().Be(5);
        m.Sum.Should().Be(40);
        m.Min.Should().Be(2);
        m.Max.Should().Be(9);
        m.Variance.Should().BeApproximately(32.0 / 7, 1e-15);
        m.StandardDeviation.Should().BeApproximately(Math.Sqrt(32.0 / 7), 1e-15);
    }

    [Fact]
    public void A_single_value_has_zero_deviation_and_no_values_have_zero_everything()
    {
        RunningMoments.Of([3.5]).StandardDeviation.Should().Be(0);
        var empty = new RunningMoments();
        empty.Count.Should().Be(0);
        empty.Variance.Should().Be(0);
    }

    [Theory]
    [InlineData(1e9)]
    [InlineData(1e12)]
    [InlineData(-3e13)]
    public void Variance_is_exact_with_a_large_common_offset(double offset)
    {
        // Knuth's example: 4, 7, 13, 16 have variance 30; the naive Σx² − (Σx)²/n formula loses it entirely at 1e9 and beyond.
        var m = RunningMoments.Of([offset + 4, offset + 7, offset + 13, offset + 16]);
        m.Mean.Should().Be(offset + 10);
        m.Variance.Should().BeApproximately(30, 1e-6);
    }

    [Fact]
    public void Variance_with_a_large_offset_agrees_with_an_exact_decimal_oracle()
    {
        // Values offset + k/1024 are exact in binary; the oracle computes the variance of k/1024 in decimal (the offset cancels).
        Gen.Select(Gen.Int[-100_000, 100_000].Array[2, 300], Gen.Int[0, 3]).Sample((ks, o) =>
        {
            var offset = new[] { 0, 1e6, 1e9, 3e12 }[o];
            var m = RunningMoments.Of(ks.Select(k => offset + (k / 1024.0)));
            var dec = ks.Select(k => k / 1024m).ToArray();
            var mean = dec.Sum() / dec.Length;
            var variance = (double)(dec.Sum(v => (v - mean) * (v - mean)) / (dec.Length - 1));
            // Welford's error is a few ulps of the mean times the spread (the naive formula's would be ulps of offset², ~1e9 here).
            var tolerance = (1e-9 * Math.Max(1, variance)) + (8 * 1.1e-16 * offset * Math.Sqrt(variance));
            m.Variance.Should().BeApproximately(variance, tolerance);
            // Each of the n running-mean updates may round by an ulp of the offset, so the bound grows linearly in n.
            m.Mean.Should().BeApproximately(offset + (double)mean, (Math.Max(1, Math.Abs((double)mean)) * 1e-13) + (offset * 2.2e-16 * ks.Length));
        }, iter: 200);
    }

    [Fact]
    public void Merging_any_split_equals_one_pass_over_all_values()
    {
        var gen = Gen.Select(Gen.Double[-1e6, 1e6].Array[1, 200], Gen.Double[-1e6, 1e6].Array[0, 200], Gen.Double[-1e9, 1e9]);
        gen.Sample((a, b, offset) =>
        {
            var left = RunningMoments.Of(a.Select(x => x + offset));
            left.Merge(RunningMoments.Of(b.Select(x => x + offset)));
            var all = RunningMoments.Of(a.Concat(b).Select(x => x + offset));

            left.Count.Should().Be(all.Count);
            left.Mean.Should().BeApproximately(all.Mean, 1e-9 * Math.Max(1, Math.Abs(all.Mean)));
            left.Variance.Should().BeApproximately(all.Variance, 1e-7 * Math.Max(1, all.Variance));
            left.Min.Should().Be(all.Min);
            left.Max.Should().Be(all.Max);
        }, iter: 300);
    }

    [Fact]
    public void Welford_agrees_with_a_two_pass_decimal_oracle()
    {
        Gen.Double[-1e4, 1e4].Array[2, 300].Sample(values =>
        {
            var m = RunningMoments.Of(values);
            var dec = values.Select(v => (decimal)v).ToArray();
            var mean = dec.Sum() / dec.Length;
            var variance = (double)(dec.Sum(v => (v - mean) * (v - mean)) / (dec.Length - 1));
            m.Mean.Should().BeApproximately((double)mean, 1e-9);
            m.Variance.Should().BeApproximately(variance, 1e-9 * Math.Max(1, variance));
        }, iter: 200);
    }

    [Fact]
    public void Rebuilding_from_parts_round_trips()
    {
        var m = RunningMoments.Of([1.5, 2.5, 10]);
        var copy = RunningMoments.FromParts(m.Count, m.Mean, m.SumOfSquaredDeviations, m.Min, m.Max, m.Sum);
        copy.Should().BeEquivalentTo(m);
    }
}
