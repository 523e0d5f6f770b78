using CsCheck;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class QuantileSketchTests
{
    /// <summary>
    /// A data set described by small numbers (so CsCheck can shrink it): a seed, a size, a distribution shape and a scale.
    /// Shapes: uniform, normal, lognormal with a wide σ, Pareto (heavy tail, infinite variance), few distinct values
    /// (heavy duplication), mixed signs with zeros, and log-uniform over the whole indexable range 1e-300 … 1e300.
    /// </summary>
    internal static readonly Gen<double[]> DataSets = Gen.Select(Gen.Int, Gen.Int[1, 3_000], Gen.Int[0, 6], Gen.Int[0, 3])
        .Select((seed, n, shape, scale) => Make(seed, n, shape, scale));

    /// <summary>Quantiles as exact per-ten-thousand fractions, including the extremes.</summary>
    private static readonly Gen<int[]> PerTenThousands = Gen.OneOf(
        Gen.Const(new[] { 0, 1, 100, 5_000, 9_000, 9_500, 9_900, 9_990, 10_000 }),
        Gen.Int[0, 10_000].Array[1, 20]);

    internal static double[] Make(int seed, int n, int shape, int scale)
    {
        var random = new Random(seed);
        var factor = new[] { 1.0, 1e-280, 1e250, 1e-3 }[scale];
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var distinct = Enumerable.Range(0, 1 + random.Next(5)).Select(_ => Math.Round(random.NextDouble() * 100, 1)).ToArray();
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var v = shape switch
            {
                0 => random.NextDouble() * 1000,
                1 => 500 + (100 * Normal()),
                2 => Math.Exp(4 * Normal()),
                3 => 1 / Math.Pow(1 - random.NextDouble(), 1 / 0.7),
                4 => distinct[random.Next(distinct.Length)],
                5 => random.Next(4) == 0 ? 0 : Math.Exp(3 * Normal()) * (random.Next(2) == 0 ? -1 : 1),
                _ => Math.Pow(10, (random.NextDouble() * 600) - 300) * (random.Next(2) == 0 ? -1 : 1),
            };
            values[i] = Math.Clamp(shape == 6 ? v : v * factor, -1e300, 1e300);
        }

        return values;
    }

    /// <summary>The oracle: sort and take the nearest-rank value, k = max(1, ⌈m·n/10000⌉), in integer arithmetic.</summary>
    private static double Exact(double[] sorted, int perTenThousand)
    {
        var n = (long)sorted.Length;
        var k = Math.Max(1, ((perTenThousand * n) + 9_999) / 10_000);
        return sorted[k - 1];
    }

    private static void ShouldBeWithinRelativeError(double estimate, double exact, double alpha, string because)
    {
        if (Math.Abs(exact) < QuantileSketch.MinIndexableMagnitude)
        {
            Math.Abs(estimate - exact).Should().BeLessThanOrEqualTo(QuantileSketch.MinIndexableMagnitude, because);
        }
        else
        {
            Math.Abs(estimate - exact).Should().BeLessThanOrEqualTo(alpha * Math.Abs(exact), because);
        }
    }

    [Fact]
    public void Every_quantile_estimate_is_within_the_relative_error_bound_of_the_exact_nearest_rank_value()
    {
        Gen.Select(DataSets, PerTenThousands, Gen.OneOf(Gen.Const(0.01), Gen.Const(0.001), Gen.Const(0.05))).Sample((values, qs, alpha) =>
        {
            var sketch = new QuantileSketch(alpha);
            foreach (var v in values)
            {
                sketch.Add(v);
            }

            var sorted = values.Order().ToArray();
            foreach (var m in qs)
            {
                var exact = Exact(sorted, m);
                var estimate = sketch.Quantile(m / 10_000.0);
                ShouldBeWithinRelativeError(estimate, exact, alpha, $"q = {m / 10_000.0}, n = {values.Length}, α = {alpha}, exact {exact:R}, estimate {estimate:R}");
            }
        }, iter: 400);
    }

    [Fact]
    public void The_bound_holds_at_every_bucket_boundary()
    {
        // Values sitting exactly on γ^i (and one ulp either side) are where rounding in the logarithm could misplace them.
        var sketch = new QuantileSketch();
        var values = new List<double>();
        for (var i = -30_000; i <= 30_000; i += 37)
        {
            // The sketch's own boundary γ^i, recovered from its estimate γ^i·(1 − α') with α' = α·(1 − 10⁻⁷).
            var b = sketch.Estimate(i) / (1 - (0.01 * (1 - 1e-7)));
            values.AddRange([Math.BitDecrement(b), b, Math.BitIncrement(b)]);
        }

        foreach (var v in values)
        {
            sketch.Add(v);
        }

        var sorted = values.Order().ToArray();
        for (var m = 0; m <= 10_000; m += 7)
        {
            ShouldBeWithinRelativeError(sketch.Quantile(m / 10_000.0), Exact(sorted, m), 0.01, $"q = {m / 10_000.0}");
        }

        foreach (var v in values)
        {
            var estimate = sketch.Estimate(sketch.Index(v));
            Math.Abs(estimate - v).Should().BeLessThanOrEqualTo(0.01 * v, $"value {v:R}");
        }
    }

    [Fact]
    public void Merging_sketches_of_parts_equals_the_sketch_of_the_union()
    {
        Gen.Select(DataSets, Gen.Int[1, 5], Gen.Int).Sample((values, parts, seed) =>
        {
            var random = new Random(seed);
            var partSketches = Enumerable.Range(0, parts).Select(_ => new QuantileSketch()).ToArray();
            var whole = new QuantileSketch();
            foreach (var v in values)
            {
                partSketches[random.Next(parts)].Add(v);
                whole.Add(v);
            }

            // Merge in a shuffled order: merging is commutative and associative.
            var merged = new QuantileSketch();
            foreach (var p in partSketches.OrderBy(_ => random.Next()))
            {
                merged.Merge(p);
            }

            merged.HasSameContentAs(whole).Should().BeTrue();
            merged.Count.Should().Be(values.Length);
            foreach (var q in new[] { 0, 0.25, 0.5, 0.9, 0.99, 1 })
            {
                merged.Quantile(q).Should().Be(whole.Quantile(q));
            }
        }, iter: 200);
    }

    [Fact]
    public void A_snapshot_restores_the_same_sketch()
    {
        DataSets.Sample(values =>
        {
            var sketch = new QuantileSketch();
            foreach (var v in values)
            {
                sketch.Add(v);
            }

            QuantileSketch.FromSnapshot(sketch.ToSnapshot()).HasSameContentAs(sketch).Should().BeTrue();
        }, iter: 100);
    }

    [Fact]
    public void Sketches_with_different_accuracy_cannot_be_merged()
    {
        var act = () => new QuantileSketch(0.01).Merge(new QuantileSketch(0.02));
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Magnitudes_below_1e_minus_300_count_as_zero_and_above_1e300_are_refused()
    {
        var sketch = new QuantileSketch();
        sketch.Add(1e-320);
        sketch.Add(-1e-310);
        sketch.Add(0);
        sketch.ZeroCount.Should().Be(3);
        sketch.Quantile(0.5).Should().Be(0);

        var act = () => sketch.Add(2e300);
        act.Should().Throw<ArgumentOutOfRangeException>();
        var nan = () => sketch.Add(double.NaN);
        nan.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Negative_values_come_first_in_ascending_order()
    {
        var sketch = new QuantileSketch();
        foreach (var v in new double[] { -100, -10, -1, 0, 1, 10, 100 })
        {
            sketch.Add(v);
        }

        sketch.Quantile(0).Should().Be(-100);
        sketch.Quantile(0.25).Should().BeApproximately(-10, 0.1); // rank ⌈1.75⌉ = 2
        sketch.Quantile(0.4).Should().BeApproximately(-1, 0.01); // rank ⌈2.8⌉ = 3
        sketch.Quantile(0.5).Should().Be(0); // rank 4
        sketch.Quantile(0.75).Should().BeApproximately(10, 0.1); // rank 6
        sketch.Quantile(1).Should().Be(100);
    }

    [Fact]
    public void The_extremes_are_exact_and_estimates_stay_inside_the_observed_range()
    {
        var sketch = new QuantileSketch();
        foreach (var v in new[] { 3.7, 12.25, 998.5 })
        {
            sketch.Add(v);
        }

        sketch.Quantile(0).Should().Be(3.7);
        sketch.Quantile(1).Should().Be(998.5);
        sketch.Quantile(0.5).Should().BeInRange(3.7, 998.5).And.BeApproximately(12.25, 0.1225);
    }

    [Fact]
    public void Size_grows_with_the_range_of_magnitudes_not_with_the_number_of_values()
    {
        var sketch = new QuantileSketch();
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            sketch.Add(1 + (random.NextDouble() * 99_999)); // 1 ms … 100 s: five decades
        }

        // About 115 buckets per decade at α = 1 %, plus growth slack.
        sketch.AllocatedBuckets.Should().BeLessThan(2_000);
        sketch.Count.Should().Be(200_000);
    }

    [Fact]
    public void An_empty_sketch_has_no_quantiles()
    {
        var act = () => new QuantileSketch().Quantile(0.5);
        act.Should().Throw<InvalidOperationException>();
    }
}
