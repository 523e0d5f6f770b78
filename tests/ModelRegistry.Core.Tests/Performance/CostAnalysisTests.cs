using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class CostAnalysisTests
{
    private static DateTimeOffset Day(int d, int h = 12) => new(2025, 6, d, h, 0, 0, TimeSpan.Zero);

    private static readonly MetricWindow June1To4 = new(Day(1, 0), Day(4, 0));

    private static readonly CostEntry[] Entries =
    [
        new(Day(1), "chat", "1.0.0", "oai", "OpenAI", 0.010m, 1000, 500, true),
        new(Day(1, 18), "chat", "1.0.0", "oai", "OpenAI", 0.020m, 2000, 1000, false),
        new(Day(2), "chat", "2.0.0", "bed", "Bedrock", 0.005m, 1000, 0, true),
        new(Day(3), "ranker", "0.3.0", null, null, 0.100m, 0, 0, null),
        new(Day(3, 23), "chat", "1.0.0+build.7", "oai", "OpenAI", 0.030m, 3000, 1500, true),
        new(Day(4, 0), "chat", "1.0.0", "oai", "OpenAI", 9.999m, 1, 1, true), // at the window's exclusive end
    ];

    [Fact]
    public void Summary_groups_by_provider_highest_cost_first()
    {
        var summary = CostAnalysis.Summarize(new CostQuery { Window = June1To4 }, CostGrouping.Provider, Entries);
        summary.TotalCost.Should().Be(0.165m);
        summary.RequestCount.Should().Be(5);
        summary.InputTokens.Should().Be(7000);
        summary.OutputTokens.Should().Be(3000);
        summary.Groups.Select(g => (g.Key, g.Cost)).Should().Equal(("(none)", 0.100m), ("OpenAI", 0.060m), ("Bedrock", 0.005m));
    }

    [Theory]
    [InlineData(CostGrouping.Model, new[] { "ranker", "chat" })]
    [InlineData(CostGrouping.Version, new[] { "ranker/0.3.0", "chat/1.0.0", "chat/1.0.0+build.7", "chat/2.0.0" })]
    [InlineData(CostGrouping.Day, new[] { "2025-06-03", "2025-06-01", "2025-06-02" })]
    public void Summary_groups_by_model_version_or_day(CostGrouping grouping, string[] keys)
        => CostAnalysis.Summarize(new CostQuery { Window = June1To4 }, grouping, Entries).Groups.Select(g => g.Key).Should().Equal(keys);

    [Fact]
    public void Summary_filters_by_model_version_semantically_and_provider()
    {
        var version = CostAnalysis.Summarize(new CostQuery { ModelName = "CHAT", Version = "1.0.0", Window = June1To4 }, CostGrouping.Day, Entries);
        version.TotalCost.Should().Be(0.060m, "1.0.0+build.7 is the same version; build metadata is ignored");

        var provider = CostAnalysis.Summarize(new CostQuery { Provider = "bedrock", Window = June1To4 }, CostGrouping.Model, Entries);
        provider.TotalCost.Should().Be(0.005m);
    }

    [Fact]
    public void Trend_has_every_bucket_with_zeros_and_a_slope()
    {
        var trend = CostAnalysis.Trend(new CostQuery { ModelName = "chat", Window = new MetricWindow(Day(1, 0), Day(5, 0)) }, TimeBucketSize.Day, Entries);
        trend.Points.Select(p => p.Cost).Should().Equal(0.030m, 0.005m, 0.030m, 9.999m);
        trend.Points.Select(p => p.RequestCount).Should().Equal(2, 1, 1, 1);
        trend.Points[0].Start.Should().Be(Day(1, 0));
        trend.TotalCost.Should().Be(10.064m);

        var empty = CostAnalysis.Trend(new CostQuery { ModelName = "nothing", Window = June1To4 }, TimeBucketSize.Day, Entries);
        empty.Points.Should().HaveCount(3).And.OnlyContain(p => p.Cost == 0);
        empty.SlopePerBucket.Should().Be(0);
    }

    [Fact]
    public void Slope_is_the_least_squares_fit()
    {
        CostAnalysis.Slope([1, 3, 5, 7]).Should().BeApproximately(2, 1e-12);
        CostAnalysis.Slope([5, 5, 5]).Should().Be(0);
        CostAnalysis.Slope([4]).Should().Be(0);
        CostAnalysis.Slope([1, 2, 1, 2]).Should().BeApproximately(0.2, 1e-12);
    }

    [Fact]
    public void Roi_reports_quality_per_dollar_cost_per_success_and_observed_against_list_price()
    {
        var binding = new ProviderBinding { Id = "oai", Provider = "OpenAI", ProviderModelId = "gpt", CostPer1KInputTokens = 0.005m, CostPer1KOutputTokens = 0.010m };
        var quality = RunningMoments.Of([4.0, 5.0, 3.0]);
        var roi = CostAnalysis.Roi(new MetricSubject("chat", "1.0.0", "oai"), June1To4, Entries, quality, binding);

        roi.RequestCount.Should().Be(3);
        roi.SuccessfulRequests.Should().Be(2);
        roi.TotalCost.Should().Be(0.060m);
        roi.InputTokens.Should().Be(6000);
        roi.OutputTokens.Should().Be(3000);
        roi.MeanQuality.Should().Be(4.0);
        roi.QualityPerDollar.Should().BeApproximately(4.0 / 0.02, 1e-9);
        roi.CostPerSuccessfulRequest.Should().Be(0.030m);

        // Observed: 0.060 for 9,000 tokens = 0.00666… per 1K; list at this mix: (6000 × 0.005 + 3000 × 0.010) / 9000 = same.
        roi.ObservedCostPer1KTokens.Should().BeApproximately(0.0066666666666666666666666667m, 1e-20m);
        roi.ListCostPer1KTokens.Should().BeApproximately(0.0066666666666666666666666667m, 1e-20m);
        roi.ObservedToListRatio.Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void Roi_without_requests_binding_or_quality_reports_unknowns_not_zeros()
    {
        var roi = CostAnalysis.Roi(new MetricSubject("ranker", "0.3.0"), June1To4, Entries, quality: null, binding: null);
        roi.RequestCount.Should().Be(1);
        roi.SuccessfulRequests.Should().Be(0);
        roi.MeanQuality.Should().BeNull();
        roi.QualityPerDollar.Should().BeNull();
        roi.CostPerSuccessfulRequest.Should().BeNull();
        roi.ObservedCostPer1KTokens.Should().BeNull("the cost point carries no tokens");
        roi.ListCostPer1KTokens.Should().BeNull();
        roi.ObservedToListRatio.Should().BeNull();
    }

    [Theory]
    [InlineData(null, "1.0.0", null, "query.Version")]
    [InlineData("chat", null, "oai", "query.BindingId")]
    [InlineData("chat/x", null, null, "query.ModelName")]
    public void Bad_cost_queries_are_refused(string? model, string? version, string? binding, string parameter)
    {
        var act = () => CostAnalysis.Summarize(new CostQuery { ModelName = model, Version = version, BindingId = binding, Window = June1To4 }, CostGrouping.Model, Entries);
        act.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be(parameter);
    }
}
