using CsCheck;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class MetricStatisticsTests
{
    [Theory]
    [InlineData(0.05, 1)]
    [InlineData(0.3, 2)]
    [InlineData(0.4, 2)]
    [InlineData(0.5, 3)]
    [InlineData(1.0, 5)]
    [InlineData(0.0, 1)]
    public void Nearest_rank_follows_the_textbook_definition(double q, long expectedRank)
    {
        // The classic example (values 15, 20, 35, 40, 50): P30 = 20, P40 = 20, P50 = 35, P100 = 50.
        Percentiles.NearestRank(q, 5).Should().Be(expectedRank);
    }

    [Fact]
    public void Nearest_rank_is_exact_where_binary_floating_point_is_not()
    {
        // 0.95 × 100 and 0.9 × 10 are not exact in binary; the rank must still be 95 and 9, never 96 or 10.
        Percentiles.NearestRank(0.95, 100).Should().Be(95);
        Percentiles.NearestRank(0.9, 10).Should().Be(9);
        Percentiles.NearestRank(0.99, 1_000_000).Should().Be(990_000);
        Percentiles.NearestRank(0.07, 100).Should().Be(7);
        Percentiles.OfSorted([15, 20, 35, 40, 50], 0.3).Should().Be(20);
    }

    [Fact]
    public void Small_windows_get_exact_percentiles()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();
        var stats = MetricAccumulator.Of(values).ToStatistics();

        stats.Count.Should().Be(100);
        stats.Sum.Should().Be(5050);
        stats.Mean.Should().Be(50.5);
        stats.Min.Should().Be(1);
        stats.Max.Should().Be(100);
        stats.StandardDeviation.Should().BeApproximately(29.011491975882016, 1e-12);
        stats.P50.Should().Be(50);
        stats.P90.Should().Be(90);
        stats.P95.Should().Be(95);
        stats.P99.Should().Be(99);
        stats.PercentileMethod.Should().Be(PercentileMethod.Exact);
        stats.PercentileRelativeError.Should().Be(0);
    }

    [Fact]
    public void An_empty_window_has_empty_statistics()
    {
        var stats = new MetricAccumulator().ToStatistics();
        stats.Should().BeSameAs(MetricStatistics.Empty);
        stats.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Exact_percentiles_match_sorting_for_any_data_up_to_the_limit()
    {
        QuantileSketchTests.DataSets.Sample(values =>
        {
            var stats = MetricAccumulator.Of(values, exactLimit: 5_000).ToStatistics();
            var sorted = values.Order().ToArray();
            stats.PercentileMethod.Should().Be(PercentileMethod.Exact);
            stats.P50.Should().Be(sorted[(int)Math.Max(1, Math.Ceiling(0.5m * sorted.Length)) - 1]);
            stats.P90.Should().Be(sorted[(int)Math.Max(1, Math.Ceiling(0.9m * sorted.Length)) - 1]);
            stats.P95.Should().Be(sorted[(int)Math.Max(1, Math.Ceiling(0.95m * sorted.Length)) - 1]);
            stats.P99.Should().Be(sorted[(int)Math.Max(1, Math.Ceiling(0.99m * sorted.Length)) - 1]);
            stats.Min.Should().Be(sorted[0]);
            stats.Max.Should().Be(sorted[^1]);
        }, iter: 150);
    }

    [Fact]
    public void Beyond_the_limit_percentiles_come_from_the_sketch_within_its_bound()
    {
        Gen.Select(QuantileSketchTests.DataSets, Gen.Int[1, 200]).Sample((values, limit) =>
        {
            var stats = MetricAccumulator.Of(values, exactLimit: limit).ToStatistics();
            var sorted = values.Order().ToArray();
            var expectedMethod = values.Length <= limit ? PercentileMethod.Exact : PercentileMethod.Sketch;
            stats.PercentileMethod.Should().Be(expectedMethod);
            stats.PercentileRelativeError.Should().Be(expectedMethod == PercentileMethod.Exact ? 0 : 0.01);
            foreach (var (q, actual) in new[] { (0.5m, stats.P50), (0.9m, stats.P90), (0.95m, stats.P95), (0.99m, stats.P99) })
            {
                var exact = sorted[(int)Math.Max(1, Math.Ceiling(q * sorted.Length)) - 1];
                var tolerance = Math.Abs(exact) < 1e-300 ? 1e-300 : stats.PercentileRelativeError * Math.Abs(exact);
                Math.Abs(actual - exact).Should().BeLessThanOrEqualTo(tolerance, $"q = {q}");
            }

            stats.Count.Should().Be(values.Length);
            stats.Min.Should().Be(sorted[0]);
            stats.Max.Should().Be(sorted[^1]);
        }, iter: 200);
    }

    [Fact]
    public void The_default_limit_is_ten_thousand_values()
    {
        var accumulator = new MetricAccumulator();
        for (var i = 0; i < 10_000; i++)
        {
            accumulator.Add(i);
        }

        accumulator.ToStatistics().PercentileMethod.Should().Be(PercentileMethod.Exact);
        accumulator.Add(10_000);
        accumulator.ToStatistics().PercentileMethod.Should().Be(PercentileMethod.Sketch);
    }

    [Fact]
    public void Merged_accumulators_stay_exact_while_the_union_fits_and_agree_with_one_pass()
    {
        var a = MetricAccumulator.Of([5, 1, 9], exactLimit: 5);
        var b = MetricAccumulator.Of([7, 3], exactLimit: 5);
        a.Merge(b);
        a.IsExact.Should().BeTrue();
        a.ToStatistics().Should().BeEquivalentTo(MetricAccumulator.Of([5, 1, 9, 7, 3], exactLimit: 5).ToStatistics());

        a.Merge(MetricAccumulator.Of([2], exactLimit: 5));
        a.IsExact.Should().BeFalse();
        a.Count.Should().Be(6);
    }

    [Fact]
    public void Statistics_rebuilt_from_a_rollup_use_the_sketch()
    {
        var values = Enumerable.Range(1, 1000).Select(i => i * 1.5).ToArray();
        var source = MetricAccumulator.Of(values);
        var rollup = MetricAccumulator.FromRollup(source.Moments.Clone(), QuantileSketch.FromSnapshot(source.Sketch.ToSnapshot()));
        var stats = rollup.ToStatistics();
        stats.PercentileMethod.Should().Be(PercentileMethod.Sketch);
        stats.Count.Should().Be(1000);
        stats.Mean.Should().BeApproximately(750.75, 1e-9);
        stats.P99.Should().BeApproximately(1485, 1485 * 0.01);
    }
}
