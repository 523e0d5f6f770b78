using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Performance;

/// <summary>
/// Cost summaries, trends and ROI through <see cref="IPerformanceTracker"/> on the in-memory store: grouping and its
/// order, filters, the window's exclusive end, empty buckets, unknowns reported as unknown, and refused queries.
/// </summary>
public sealed class CostAnalysisTests : IAsyncLifetime
{
    private static readonly MetricWindow June1To4 = new(Day(1, 0), Day(4, 0));

    private readonly ModelRegistryServices _services = ModelRegistryServices.Create(timeProvider: new FakeTimeProvider(Day(10, 0)));

    private IPerformanceTracker Performance => _services.Performance;

    private static DateTimeOffset Day(int d, int h = 12) => new(2025, 6, d, h, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// <c>chat</c> 1.0.0 (binding <c>oai</c>, OpenAI) and 2.0.0 (binding <c>bed</c>, Bedrock) with priced requests, and
    /// <c>ranker</c> 0.3.0 with one bare cost point (no binding, no tokens, no outcome).
    /// </summary>
    public async Task InitializeAsync()
    {
        var registry = _services.Registry;
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "chat", Owners = ["team-ml"] });
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "ranker", Owners = ["team-ml"] });
        await registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" });
        await registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "2.0.0", SourceCommit = "c2" });
        await registry.CreateVersionAsync("ranker", new CreateVersionRequest { Version = "0.3.0", SourceCommit = "c3" });
        await registry.AddProviderBindingAsync("chat", "1.0.0", new ProviderBindingRequest { Id = "oai", Provider = "OpenAI", ProviderModelId = "gpt", CostPer1KInputTokens = 0.005m, CostPer1KOutputTokens = 0.010m });
        await registry.AddProviderBindingAsync("chat", "2.0.0", new ProviderBindingRequest { Id = "bed", Provider = "Bedrock", ProviderModelId = "titan", CostPer1KInputTokens = 0.005m, CostPer1KOutputTokens = 0.005m });

        await TrackAsync(Day(1), "1.0.0", "oai", 0.010m, 1000, 500, succeeded: true, quality: 4);
        await TrackAsync(Day(1, 18), "1.0.0", "oai", 0.020m, 2000, 1000, succeeded: false, quality: 5);
        await TrackAsync(Day(2), "2.0.0", "bed", 0.005m, 1000, 0, succeeded: true);
        await Performance.RecordAsync(new MetricPoint { ModelName = "ranker", Version = "0.3.0", Kind = MetricKind.Cost, Value = 0.100, Timestamp = Day(3) });
        await TrackAsync(Day(3, 23), "1.0.0+build.7", "oai", 0.030m, 3000, 1500, succeeded: true, quality: 3);
        await TrackAsync(Day(4, 0), "1.0.0", "oai", 9.999m, 1, 1, succeeded: true); // at June1To4's exclusive end
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private Task TrackAsync(DateTimeOffset at, string version, string binding, decimal cost, long input, long output, bool succeeded, double? quality = null)
        => Performance.TrackInferenceAsync(new InferenceRecord
        {
            ModelName = "chat",
            Version = version,
            BindingId = binding,
            LatencyMs = 100,
            Cost = cost,
            InputTokens = input,
            OutputTokens = output,
            Succeeded = succeeded,
            QualityScore = quality,
            Timestamp = at,
        });

    [Fact]
    public async Task Summary_groups_by_provider_highest_cost_first()
    {
        var summary = await Performance.GetCostSummaryAsync(new CostQuery { Window = June1To4 }, CostGrouping.Provider);
        summary.TotalCost.Should().Be(0.165m);
        summary.RequestCount.Should().Be(5);
        summary.InputTokens.Should().Be(7000);
        summary.OutputTokens.Should().Be(3000);
        summary.Groups.Select(g => (g.Key, g.Cost)).Should().Equal(("(none)", 0.100m), ("OpenAI", 0.060m), ("Bedrock", 0.005m));
    }

    [Theory]
    [InlineData(CostGrouping.Model, new[] { "ranker", "chat" })]
    [InlineData(CostGrouping.Version, new[] { "ranker/0.3.0", "chat/1.0.0", "chat/2.0.0" })]
    [InlineData(CostGrouping.Day, new[] { "2025-06-03", "2025-06-01", "2025-06-02" })]
    public async Task Summary_groups_by_model_version_or_day(CostGrouping grouping, string[] keys)
        => (await Performance.GetCostSummaryAsync(new CostQuery { Window = June1To4 }, grouping)).Groups.Select(g => g.Key).Should().Equal(keys);

    [Fact]
    public async Task Summary_filters_by_model_version_semantically_and_provider()
    {
        var version = await Performance.GetCostSummaryAsync(new CostQuery { ModelName = "CHAT", Version = "1.0.0", Window = June1To4 }, CostGrouping.Day);
        version.TotalCost.Should().Be(0.060m, "1.0.0+build.7 is the same version; build metadata is ignored");

        var provider = await Performance.GetCostSummaryAsync(new CostQuery { Provider = "bedrock", Window = June1To4 }, CostGrouping.Model);
        provider.TotalCost.Should().Be(0.005m);
    }

    [Fact]
    public async Task Trend_has_every_bucket_with_zeros_and_a_slope()
    {
        var trend = await Performance.GetCostTrendAsync(new CostQuery { ModelName = "chat", Window = new MetricWindow(Day(1, 0), Day(5, 0)) }, TimeBucketSize.Day);
        trend.Points.Select(p => p.Cost).Should().Equal(0.030m, 0.005m, 0.030m, 9.999m);
        trend.Points.Select(p => p.RequestCount).Should().Equal(2, 1, 1, 1);
        trend.Points[0].Start.Should().Be(Day(1, 0));
        trend.TotalCost.Should().Be(10.064m);

        var empty = await Performance.GetCostTrendAsync(new CostQuery { ModelName = "nothing", Window = June1To4 }, TimeBucketSize.Day);
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
    public async Task Roi_reports_quality_per_dollar_cost_per_success_and_observed_against_list_price()
    {
        var roi = await Performance.GetRoiAsync(new MetricSubject("chat", "1.0.0", "oai"), June1To4);

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
    public async Task Roi_prices_tokens_only_with_the_cost_of_the_points_that_carry_them_while_total_cost_counts_every_point()
    {
        // chat 2.0.0 on 'bed' already has 0.005 for 1,000 tokens (Day 2). Add cost without tokens: an inference with a
        // given cost and no token counts, a bare cost point, and, at one instant, a token-bearing and a cost-only
        // inference told apart by their request ids.
        await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "2.0.0", BindingId = "bed", LatencyMs = 100, Cost = 0.500m, Timestamp = Day(2, 13) });
        await Performance.RecordAsync(new MetricPoint { ModelName = "chat", Version = "2.0.0", BindingId = "bed", Kind = MetricKind.Cost, Value = 0.250, Timestamp = Day(2, 14) });
        await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "2.0.0", BindingId = "bed", LatencyMs = 100, RequestId = "r1", InputTokens = 1500, OutputTokens = 500, Cost = 0.010m, Timestamp = Day(2, 15) });
        await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "2.0.0", BindingId = "bed", LatencyMs = 100, RequestId = "r2", Cost = 1.000m, Timestamp = Day(2, 15) });

        var roi = await Performance.GetRoiAsync(new MetricSubject("chat", "2.0.0", "bed"), June1To4);

        roi.TotalCost.Should().Be(1.765m, "total cost counts every cost point");
        roi.InputTokens.Should().Be(2500);
        roi.OutputTokens.Should().Be(500);
        roi.RequestCount.Should().Be(4);
        roi.CostPerSuccessfulRequest.Should().Be(1.765m / 4);

        // Only the token-bearing points: (0.005 + 0.010) for 3,000 tokens = 0.005 per 1K, the list price at 'bed'.
        roi.ObservedCostPer1KTokens.Should().Be(0.005m);
        roi.ListCostPer1KTokens.Should().Be(0.005m);
        roi.ObservedToListRatio.Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public async Task After_retention_roi_prices_tokens_only_in_compacted_hours_whose_cost_points_all_carry_tokens()
    {
        // Two months later, so June's raw points are compacted into hourly roll-ups (raw retention: 30 days).
        await using var services = ModelRegistryServices.Create(timeProvider: new FakeTimeProvider(new DateTimeOffset(2025, 8, 1, 0, 0, 0, TimeSpan.Zero)));
        await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "chat", Owners = ["team-ml"] });
        await services.Registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" });
        await services.Registry.AddProviderBindingAsync("chat", "1.0.0", new ProviderBindingRequest { Id = "oai", Provider = "OpenAI", ProviderModelId = "gpt", CostPer1KInputTokens = 0.005m, CostPer1KOutputTokens = 0.010m });
        Task Track(DateTimeOffset at, decimal cost, long input = 0, long output = 0)
            => services.Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", BindingId = "oai", LatencyMs = 100, Cost = cost, InputTokens = input, OutputTokens = output, Timestamp = at });

        await Track(Day(1, 10), 0.010m, 1000, 500); // 10:00–11:00: every cost point carries tokens
        await Track(Day(1, 10).AddMinutes(30), 0.020m, 2000, 1000);
        await Track(Day(1, 11), 0.500m); // 11:00–12:00: cost only
        await Track(Day(1, 12), 0.090m, 3000, 1500); // 12:00–13:00: both kinds, which a roll-up cannot tell apart
        await Track(Day(1, 12).AddMinutes(30), 1.000m);
        var subject = new MetricSubject("chat", "1.0.0", "oai");
        var window = new MetricWindow(Day(1, 0), Day(2, 0));

        var raw = await services.Performance.GetRoiAsync(subject, window);
        raw.ObservedCostPer1KTokens.Should().Be(0.120m * 1000m / 9000, "raw points pair each cost with its request's tokens");

        (await services.Performance.ApplyRetentionAsync()).PointsRolledUp.Should().BeGreaterThan(0);
        var compacted = await services.Performance.GetRoiAsync(subject, window);

        compacted.TotalCost.Should().Be(1.620m).And.Be(raw.TotalCost);
        (compacted.InputTokens, compacted.OutputTokens).Should().Be((6000L, 3000L));
        compacted.RequestCount.Should().Be(5);
        compacted.ObservedCostPer1KTokens.Should().Be(0.030m * 1000m / 4500, "only the 10:00 hour's cost points all carry tokens");
    }

    [Fact]
    public async Task Roi_without_outcomes_binding_tokens_or_quality_reports_unknowns_not_zeros()
    {
        var roi = await Performance.GetRoiAsync(new MetricSubject("ranker", "0.3.0"), June1To4);
        roi.TotalCost.Should().Be(0.100m);
        roi.RequestCount.Should().Be(1, "without outcomes, each cost point is a request");
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
    public async Task Bad_cost_queries_are_refused(string? model, string? version, string? binding, string parameter)
    {
        var query = new CostQuery { ModelName = model, Version = version, BindingId = binding, Window = June1To4 };
        foreach (var act in new Func<Task>[] { () => Performance.GetCostSummaryAsync(query, CostGrouping.Model), () => Performance.GetCostTrendAsync(query, TimeBucketSize.Day) })
        {
            (await act.Should().ThrowAsync<ModelRegistryException>()).Which.ParameterName.Should().Be(parameter);
        }
    }

    [Fact]
    public async Task Undefined_grouping_or_bucket_size_is_refused_and_names_the_parameter()
    {
        var query = new CostQuery { Window = June1To4 };
        var summary = () => Performance.GetCostSummaryAsync(query, (CostGrouping)42);
        (await summary.Should().ThrowAsync<ModelRegistryException>()).Which.Should().Match<ModelRegistryException>(e => e.Code == ErrorCode.InvalidArgument && e.ParameterName == "groupBy");
        var trend = () => Performance.GetCostTrendAsync(query, (TimeBucketSize)42);
        (await trend.Should().ThrowAsync<ModelRegistryException>()).Which.Should().Match<ModelRegistryException>(e => e.Code == ErrorCode.InvalidArgument && e.ParameterName == "bucketSize");
    }
}
