using ModelRegistry.Audit;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// <see cref="IPerformanceTracker"/> end to end on the adapter's stores, through <see cref="ModelRegistryServices"/>:
/// recording and its validation, statistics and tests against known values, cost, roll-ups after retention, rollback
/// triggers driven by the fake clock, automatic rollback and its cool-down, and the buffered recorder.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class PerformanceTrackerTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    // Student's sleep data (R's `sleep`); R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939.
    private static readonly double[] SleepGroup1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] SleepGroup2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    protected IPerformanceTracker Performance => Services.Performance;

    private DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Model <c>chat</c> with versions 1.0.0 (binding <c>openai</c>) and 2.0.0 (binding <c>claude</c>).</summary>
    private async Task SetUpChatAsync()
    {
        await RegisterAsync("chat");
        await CreateVersionAsync("chat", "1.0.0");
        await CreateVersionAsync("chat", "2.0.0");
        await Registry.AddProviderBindingAsync("chat", "1.0.0", new ProviderBindingRequest { Id = "openai", Provider = "OpenAI", ProviderModelId = "gpt-4o", CostPer1KInputTokens = 0.005m, CostPer1KOutputTokens = 0.015m }, Ct);
        await Registry.AddProviderBindingAsync("chat", "2.0.0", new ProviderBindingRequest { Id = "claude", Provider = "Anthropic", ProviderModelId = "claude-3-5", CostPer1KInputTokens = 0.003m, CostPer1KOutputTokens = 0.015m }, Ct);
    }

    private static MetricPoint Point(MetricKind kind, double value, DateTimeOffset at, string version = "1.0.0", string? binding = null, IReadOnlyDictionary<string, string>? dimensions = null)
        => new() { ModelName = "chat", Version = version, BindingId = binding, Kind = kind, Value = value, Timestamp = at, Dimensions = dimensions };

    private static MetricQuery Query(MetricKey metric, MetricWindow window, string version = "1.0.0", string? binding = null, IReadOnlyDictionary<string, string>? dimensions = null)
        => new() { Subject = new MetricSubject("chat", version, binding), Metric = metric, Window = window, Dimensions = dimensions };

    private MetricWindow LastHour => new(Now.AddHours(-1), Now);

    /// <summary>Requests spread over the last minutes before now, <paramref name="errors"/> of them failed.</summary>
    private async Task TrackAsync(string version, int requests, int errors, double latency = 100, int ood = 0, string? binding = null)
    {
        for (var i = 0; i < requests; i++)
        {
            await Performance.TrackInferenceAsync(new InferenceRecord
            {
                ModelName = "chat",
                Version = version,
                BindingId = binding,
                LatencyMs = latency,
                Succeeded = i >= errors,
                ErrorKind = i < errors ? "timeout" : null,
                IsOutOfDistribution = i < ood,
                Timestamp = Now.AddSeconds(-1).AddMilliseconds(-i),
            }, Ct);
        }
    }

    // ---------------------------------------------------------------- recording and validation

    [Fact]
    public virtual async Task Statistics_of_recorded_points_match_known_values()
    {
        await SetUpChatAsync();
        var start = Now.AddHours(-2);
        var recorded = await Performance.RecordBatchAsync([.. Enumerable.Range(1, 100).Select(i => Point(MetricKind.Latency, i, start.AddSeconds(i)))], Ct);
        recorded.Should().Be(100);

        var stats = await Performance.GetStatisticsAsync(Query(MetricKey.Latency, new MetricWindow(start, Now)), Ct);
        stats.Count.Should().Be(100);
        stats.Sum.Should().Be(5050);
        stats.Mean.Should().Be(50.5);
        stats.Min.Should().Be(1);
        stats.Max.Should().Be(100);
        stats.StandardDeviation.Should().BeApproximately(29.011491975882016, 1e-12);
        (stats.P50, stats.P90, stats.P95, stats.P99).Should().Be((50d, 90d, 95d, 99d));
        stats.PercentileMethod.Should().Be(PercentileMethod.Exact);
        stats.PercentileRelativeError.Should().Be(0);
    }

    [Fact]
    public virtual async Task A_batch_with_a_bad_point_records_nothing_and_names_the_first_bad_index()
    {
        await SetUpChatAsync();
        var points = Enumerable.Range(0, 10).Select(i => Point(MetricKind.ErrorRate, 0, Now.AddMinutes(-i - 1))).ToList();
        points[6] = points[6] with { Value = double.NaN };
        points[8] = points[8] with { Value = 5 };
        var before = await SnapshotAsync();

        var ex = (await ((Func<Task>)(() => Performance.RecordBatchAsync(points, Ct))).Should().ThrowAsync<MetricBatchValidationException>()).Which;
        ex.Index.Should().Be(6);
        ex.Code.Should().Be(ErrorCode.InvalidArgument);
        ex.ParameterName.Should().Be("points[6].Value");

        (await Performance.GetStatisticsAsync(Query(MetricKey.ErrorRate, LastHour), Ct)).Count.Should().Be(0);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task A_batch_naming_an_unknown_version_or_binding_records_nothing()
    {
        await SetUpChatAsync();
        var points = Enumerable.Range(0, 5).Select(i => Point(MetricKind.Latency, 10, Now.AddMinutes(-i - 1))).ToList();
        var unknownVersion = points.Select((p, i) => i == 3 ? p with { Version = "9.9.9" } : p).ToList();
        var ex = await ShouldFailAsync(() => Performance.RecordBatchAsync(unknownVersion, Ct), ErrorCode.NotFound);
        ex.Message.Should().Contain("Point 3").And.Contain("9.9.9");

        var unknownBinding = points.Select((p, i) => i == 2 ? p with { BindingId = "claude" } : p).ToList();
        (await ShouldFailAsync(() => Performance.RecordBatchAsync(unknownBinding, Ct), ErrorCode.NotFound)).Message.Should().Contain("claude");
        await ShouldFailAsync(() => Performance.RecordAsync(points[0] with { ModelName = "nope" }, Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "3.0.0", LatencyMs = 1 }, Ct), ErrorCode.NotFound);

        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour), Ct)).Count.Should().Be(0);
    }

    [Fact]
    public virtual async Task The_timestamp_defaults_to_the_clock_and_windows_are_half_open()
    {
        await SetUpChatAsync();
        var recorded = await Performance.RecordAsync(new MetricPoint { ModelName = "chat", Version = "1.0.0", Kind = MetricKind.Latency, Value = 7 }, Ct);
        recorded.Timestamp.Should().Be(Now);

        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, new MetricWindow(Now.AddHours(-1), Now)), Ct)).Count.Should().Be(0, "the window ends before now");
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, new MetricWindow(Now, Now.AddTicks(1))), Ct)).Mean.Should().Be(7);
    }

    [Fact]
    public virtual async Task Points_are_found_by_the_registry_names_whatever_case_or_build_metadata_they_were_sent_with()
    {
        await SetUpChatAsync();
        await Performance.RecordAsync(Point(MetricKind.Latency, 3, Now.AddMinutes(-1)) with { ModelName = "CHAT", Version = "1.0.0+build.7" }, Ct);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour) with { Subject = new MetricSubject("Chat", "1.0.0") }, Ct)).Count.Should().Be(1);
    }

    [Fact]
    public virtual async Task Custom_metrics_bindings_and_dimensions_select_their_own_points()
    {
        await SetUpChatAsync();
        var eu = new Dictionary<string, string> { ["region"] = "eu", ["tenant"] = "a" };
        var us = new Dictionary<string, string> { ["region"] = "us" };
        await Performance.RecordBatchAsync(
        [
            Point(MetricKind.Latency, 10, Now.AddMinutes(-1), dimensions: eu),
            Point(MetricKind.Latency, 20, Now.AddMinutes(-2), dimensions: us),
            Point(MetricKind.Latency, 30, Now.AddMinutes(-3), binding: "openai", dimensions: eu),
            new MetricPoint { ModelName = "chat", Version = "1.0.0", Kind = MetricKind.Custom, CustomName = "toxicity", Value = 0.2, Timestamp = Now.AddMinutes(-1) },
        ], Ct);

        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour), Ct)).Sum.Should().Be(60);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour, binding: "openai"), Ct)).Sum.Should().Be(30);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour, dimensions: new Dictionary<string, string> { ["region"] = "eu" }), Ct)).Sum.Should().Be(40);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour, dimensions: new Dictionary<string, string> { ["region"] = "eu", ["tenant"] = "b" }), Ct)).Count.Should().Be(0);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Custom("toxicity"), LastHour), Ct)).Mean.Should().Be(0.2);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Custom("Toxicity"), LastHour), Ct)).Count.Should().Be(0, "custom names are case-sensitive");
    }

    [Fact]
    public virtual async Task A_tracked_inference_becomes_points_and_is_priced_from_the_binding()
    {
        await SetUpChatAsync();
        var stored = await Performance.TrackInferenceAsync(new InferenceRecord
        {
            ModelName = "chat", Version = "1.0.0", BindingId = "openai", LatencyMs = 250, InputTokens = 1000, OutputTokens = 500,
            QualityScore = 0.8, DriftScore = 0.05, IsOutOfDistribution = true, Timestamp = Now.AddMinutes(-1),
        }, Ct);
        stored.Cost.Should().Be(0.0125m);
        var failed = await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", LatencyMs = 900, Succeeded = false, ErrorKind = "timeout", Cost = 0.5m }, Ct);
        failed.Cost.Should().Be(0.5m, "a given cost wins");
        failed.Timestamp.Should().Be(Now);
        var unpriced = await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", LatencyMs = 5, Timestamp = Now.AddMinutes(-2) }, Ct);
        unpriced.Cost.Should().BeNull("without a binding or a given cost the cost is unknown, not free");

        var window = new MetricWindow(Now.AddHours(-1), Now.AddSeconds(1));
        async Task<MetricStatistics> Stats(MetricKey key) => await Performance.GetStatisticsAsync(Query(key, window), Ct);
        (await Stats(MetricKey.Latency)).Sum.Should().Be(1155);
        (await Stats(MetricKey.ErrorRate)).Should().Match<MetricStatistics>(s => s.Count == 3 && s.Sum == 1);
        (await Stats(MetricKey.OodRate)).Should().Match<MetricStatistics>(s => s.Count == 3 && s.Sum == 1);
        (await Stats(MetricKey.Cost)).Should().Match<MetricStatistics>(s => s.Count == 2 && s.Sum == 0.5125);
        (await Stats(MetricKey.Quality)).Should().Match<MetricStatistics>(s => s.Count == 1 && s.Mean == 0.8);
        (await Stats(MetricKey.Drift)).Should().Match<MetricStatistics>(s => s.Count == 1 && s.Mean == 0.05);
        (await Stats(MetricKey.Custom("tokens.input"))).Sum.Should().Be(1000);
        (await Stats(MetricKey.Custom("tokens.output"))).Sum.Should().Be(500);
        (await Performance.GetStatisticsAsync(Query(MetricKey.ErrorRate, window, dimensions: new Dictionary<string, string> { ["error_kind"] = "timeout" }), Ct)).Count.Should().Be(1);
    }

    // ---------------------------------------------------------------- analysis

    [Fact]
    public virtual async Task Welch_test_between_two_versions_reproduces_R()
    {
        await SetUpChatAsync();
        await Performance.RecordBatchAsync(
        [
            .. SleepGroup1.Select((v, i) => Point(MetricKind.Quality, v, Now.AddMinutes(-i - 1))),
            .. SleepGroup2.Select((v, i) => Point(MetricKind.Quality, v, Now.AddMinutes(-i - 1), "2.0.0")),
        ], Ct);

        var result = await Performance.RunAbTestAsync(new AbTestRequest
        {
            A = new MetricSubject("chat", "1.0.0"),
            B = new MetricSubject("chat", "2.0.0"),
            Window = LastHour,
            Options = new AbTestOptions { MinimumSampleSizePerArm = 5 },
        }, Ct);

        result.Basis.Should().Be(AbTestBasis.WelchTTest);
        result.MeanDifference.Should().BeApproximately(1.58, 1e-12);
        result.TStatistic!.Value.Should().BeApproximately(1.8608134674868531, 1e-9);
        result.DegreesOfFreedom!.Value.Should().BeApproximately(17.77647351617849, 1e-9);
        result.PValue!.Value.Should().BeApproximately(0.079394140187358138, 1e-9);
        result.Verdict.Should().Be(AbTestVerdict.NoSignificantDifference);
        result.A.Count.Should().Be(10);
        result.A.Mean.Should().BeApproximately(0.75, 1e-12);
        result.A.Requests.Should().BeNull("no inference outcomes were tracked");

        var strict = await Performance.RunAbTestAsync(new AbTestRequest { A = new MetricSubject("chat", "1.0.0"), B = new MetricSubject("chat", "2.0.0"), Window = LastHour }, Ct);
        strict.Verdict.Should().Be(AbTestVerdict.NotEnoughData, "the default minimum is 30 per arm");
    }

    [Fact]
    public virtual async Task Ab_test_on_the_error_rate_uses_the_proportion_test_and_reports_value_scores()
    {
        await SetUpChatAsync();
        await TrackAsync("1.0.0", 200, 20, binding: "openai");
        await TrackAsync("2.0.0", 200, 4, binding: "claude");

        var result = await Performance.RunAbTestAsync(new AbTestRequest
        {
            A = new MetricSubject("chat", "1.0.0"),
            B = new MetricSubject("chat", "2.0.0"),
            Window = LastHour,
            Options = new AbTestOptions { Metric = MetricKey.ErrorRate },
        }, Ct);

        result.Basis.Should().Be(AbTestBasis.TwoProportionZTest);
        result.A.Requests.Should().Be(200);
        result.A.SuccessfulRequests.Should().Be(180);
        result.B.SuccessRate.Should().Be(0.98);

        // R: prop.test(c(180, 196), c(200, 200), correct = FALSE) → X-squared = 11.348, p-value = 0.0007555; z = √X².
        result.SuccessRateTest!.ZStatistic.Should().BeApproximately(3.3686076842660757, 1e-9);
        result.SuccessRateTest.PValue.Should().BeApproximately(0.0007554887890277419, 1e-9);
        result.Verdict.Should().Be(AbTestVerdict.BWins);
    }

    [Fact]
    public virtual async Task Comparison_time_buckets_and_drift_read_the_recorded_points()
    {
        await SetUpChatAsync();
        var hourStart = new DateTimeOffset(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
        await Performance.RecordBatchAsync(
        [
            .. Enumerable.Range(0, 60).Select(i => Point(MetricKind.Latency, 100 + i, hourStart.AddMinutes(i))),
            .. Enumerable.Range(0, 60).Select(i => Point(MetricKind.Latency, 200 + i, hourStart.AddHours(1).AddMinutes(i))),
            .. Enumerable.Range(0, 120).Select(i => Point(MetricKind.Latency, 50 + i, hourStart.AddMinutes(i), "2.0.0")),
        ], Ct);
        var window = new MetricWindow(hourStart, hourStart.AddHours(2));

        var comparison = await Performance.CompareAsync(new ModelComparisonRequest
        {
            Subjects = [new MetricSubject("chat", "1.0.0"), new MetricSubject("chat", "2.0.0")],
            Metrics = [MetricKey.Latency],
            Window = window,
        }, Ct);
        comparison.Metrics.Single().Best.Should().Be(new MetricSubject("chat", "2.0.0"));
        comparison.Metrics.Single().Entries.Select(e => e.Statistics.Count).Should().Equal(120, 120);

        var buckets = await Performance.GetTimeBucketsAsync(Query(MetricKey.Latency, window), TimeBucketSize.Hour, Ct);
        buckets.Buckets.Select(b => (b.Start, b.Statistics.Count, b.Statistics.Mean)).Should().Equal((hourStart, 60L, 129.5), (hourStart.AddHours(1), 60L, 229.5));

        var drift = await Performance.GetDriftAsync(new DriftQuery
        {
            Metric = MetricKey.Latency,
            Subject = new MetricSubject("chat", "1.0.0"),
            ReferenceWindow = new MetricWindow(hourStart, hourStart.AddHours(1)),
            CurrentWindow = new MetricWindow(hourStart.AddHours(1), hourStart.AddHours(2)),
        }, Ct);
        drift.ReferenceCount.Should().Be(60);
        drift.CurrentCount.Should().Be(60);
        drift.Band.Should().Be(PsiBand.Significant);
    }

    [Fact]
    public virtual async Task Cost_summaries_trends_and_roi_add_up_per_provider_version_and_day()
    {
        await SetUpChatAsync();
        var day1 = new DateTimeOffset(2026, 2, 26, 10, 0, 0, TimeSpan.Zero);
        var day2 = day1.AddDays(1);
        double[] quality = [0.8, 0.9, 1.0];
        for (var i = 0; i < 3; i++)
        {
            await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", BindingId = "openai", LatencyMs = 100, InputTokens = 1000, OutputTokens = 500, QualityScore = quality[i], Timestamp = day1.AddMinutes(i) }, Ct);
        }

        for (var i = 0; i < 2; i++)
        {
            await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "2.0.0", BindingId = "claude", LatencyMs = 100, InputTokens = 2000, OutputTokens = 1000, Timestamp = day2.AddMinutes(i) }, Ct);
        }

        await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", LatencyMs = 100, Cost = 1m, Timestamp = day1.AddHours(1) }, Ct);
        var window = new MetricWindow(new DateTimeOffset(2026, 2, 26, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var all = new CostQuery { Window = window };

        var byProvider = await Performance.GetCostSummaryAsync(all, CostGrouping.Provider, Ct);
        byProvider.TotalCost.Should().Be(1.0795m);
        byProvider.RequestCount.Should().Be(6);
        (byProvider.InputTokens, byProvider.OutputTokens).Should().Be((7000L, 3500L));
        byProvider.Groups.Select(g => (g.Key, g.Cost, g.RequestCount)).Should().Equal(("(none)", 1m, 1L), ("Anthropic", 0.042m, 2L), ("OpenAI", 0.0375m, 3L));

        var byVersion = await Performance.GetCostSummaryAsync(all with { ModelName = "chat" }, CostGrouping.Version, Ct);
        byVersion.Groups.Select(g => (g.Key, g.Cost)).Should().Equal(("chat/1.0.0", 1.0375m), ("chat/2.0.0", 0.042m));
        var byDay = await Performance.GetCostSummaryAsync(all, CostGrouping.Day, Ct);
        byDay.Groups.Select(g => (g.Key, g.Cost, g.InputTokens)).Should().Equal(("2026-02-26", 1.0375m, 3000L), ("2026-02-27", 0.042m, 4000L));
        (await Performance.GetCostSummaryAsync(all with { Provider = "openai" }, CostGrouping.Model, Ct)).TotalCost.Should().Be(0.0375m);

        var trend = await Performance.GetCostTrendAsync(all, TimeBucketSize.Day, Ct);
        trend.Points.Select(p => p.Cost).Should().Equal(1.0375m, 0.042m, 0m);
        trend.TotalCost.Should().Be(1.0795m);
        trend.SlopePerBucket.Should().BeNegative();

        var roi = await Performance.GetRoiAsync(new MetricSubject("chat", "1.0.0", "openai"), window, Ct);
        roi.TotalCost.Should().Be(0.0375m);
        roi.RequestCount.Should().Be(3);
        roi.SuccessfulRequests.Should().Be(3);
        roi.MeanQuality.Should().BeApproximately(0.9, 1e-12);
        roi.QualityPerDollar!.Value.Should().BeApproximately(72, 1e-9);
        roi.CostPerSuccessfulRequest.Should().Be(0.0125m);
        roi.ObservedCostPer1KTokens.Should().Be(roi.ListCostPer1KTokens);
        roi.ObservedToListRatio!.Value.Should().BeApproximately(1, 1e-12);
    }

    // ---------------------------------------------------------------- retention and roll-ups

    [Fact]
    public virtual async Task After_retention_rollups_give_the_same_counts_means_and_extremes()
    {
        await SetUpChatAsync();
        var start = new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero); // 50 days before the clock; raw retention is 30 days
        var random = new Random(7);
        var latencies = Enumerable.Range(0, 3000).Select(_ => Math.Round(20 + (random.NextDouble() * 480), 3)).ToArray();
        await Performance.RecordBatchAsync([.. latencies.Select((v, i) => Point(MetricKind.Latency, v, start.AddSeconds(i * 3.6), binding: "openai"))], Ct);
        await Performance.RecordBatchAsync([Point(MetricKind.Latency, 1, Now.AddMinutes(-5))], Ct);
        for (var i = 0; i < 10; i++)
        {
            await Performance.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", BindingId = "openai", LatencyMs = 10, InputTokens = 1000, OutputTokens = 500, Timestamp = start.AddMinutes(i * 17) }, Ct);
        }

        var window = new MetricWindow(start, start.AddHours(3));
        var before = await Performance.GetStatisticsAsync(Query(MetricKey.Latency, window), Ct);
        var bucketsBefore = await Performance.GetTimeBucketsAsync(Query(MetricKey.Latency, window), TimeBucketSize.Hour, Ct);
        var costBefore = await Performance.GetCostSummaryAsync(new CostQuery { Window = window }, CostGrouping.Day, Ct);
        before.PercentileMethod.Should().Be(PercentileMethod.Exact);

        var result = await Performance.ApplyRetentionAsync(Ct);
        result.PointsRolledUp.Should().Be(3000 + (10 * 6), "each tracked inference here is latency, error, OOD, cost and two token points");
        result.RawCutoff.Should().Be(new DateTimeOffset(2026, 1, 30, 9, 0, 0, TimeSpan.Zero));
        result.RollupsWritten.Should().BeGreaterThan(0);

        var after = await Performance.GetStatisticsAsync(Query(MetricKey.Latency, window), Ct);
        after.Count.Should().Be(before.Count);
        after.Sum.Should().BeApproximately(before.Sum, 1e-9 * before.Sum);
        after.Mean.Should().BeApproximately(before.Mean, 1e-9 * before.Mean);
        (after.Min, after.Max).Should().Be((before.Min, before.Max));
        after.StandardDeviation.Should().BeApproximately(before.StandardDeviation, 1e-9 * before.StandardDeviation);
        after.PercentileMethod.Should().Be(PercentileMethod.Sketch);
        after.PercentileRelativeError.Should().Be(0.01);
        after.P50.Should().BeApproximately(before.P50, 0.01 * before.P50);
        after.P99.Should().BeApproximately(before.P99, 0.01 * before.P99);

        var bucketsAfter = await Performance.GetTimeBucketsAsync(Query(MetricKey.Latency, window), TimeBucketSize.Hour, Ct);
        bucketsAfter.Buckets.Select(b => (b.Start, b.Statistics.Count)).Should().Equal(bucketsBefore.Buckets.Select(b => (b.Start, b.Statistics.Count)));
        var costAfter = await Performance.GetCostSummaryAsync(new CostQuery { Window = window }, CostGrouping.Day, Ct);
        costAfter.TotalCost.Should().Be(costBefore.TotalCost);
        costAfter.Groups.Should().BeEquivalentTo(costBefore.Groups);

        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, new MetricWindow(start.AddMinutes(30), start.AddMinutes(90))), Ct)).Count
            .Should().Be(0, "once raw points are gone, a window counts an hour only when it covers all of it");
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour), Ct)).Count.Should().Be(1, "recent points are kept raw");

        var again = await Performance.ApplyRetentionAsync(Ct);
        again.PointsRolledUp.Should().Be(0);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, window), Ct)).Count.Should().Be(before.Count, "a second run changes nothing");
    }

    [Fact]
    public virtual async Task Late_points_for_a_rolled_up_hour_are_added_not_lost_or_double_counted()
    {
        await SetUpChatAsync();
        var hour = new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero);
        await Performance.RecordBatchAsync([.. Enumerable.Range(0, 10).Select(i => Point(MetricKind.Latency, 10, hour.AddMinutes(i)))], Ct);
        await Performance.ApplyRetentionAsync(Ct);
        await Performance.RecordBatchAsync([.. Enumerable.Range(0, 5).Select(i => Point(MetricKind.Latency, 40, hour.AddMinutes(30 + i)))], Ct);

        var window = new MetricWindow(hour, hour.AddHours(1));
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, window), Ct)).Should().Match<MetricStatistics>(s => s.Count == 15 && s.Sum == 300);
        await Performance.ApplyRetentionAsync(Ct);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, window), Ct)).Should().Match<MetricStatistics>(s => s.Count == 15 && s.Sum == 300);
    }

    // ---------------------------------------------------------------- rollback triggers

    [Fact]
    public virtual async Task Rollback_triggers_follow_the_clock()
    {
        await SetUpChatAsync();
        await PromoteAsync("chat", "1.0.0", ModelStage.Production);
        await PromoteAsync("chat", "2.0.0", ModelStage.Production);
        Time.Advance(TimeSpan.FromMinutes(10));
        await TrackAsync("2.0.0", 200, 20, ood: 50);

        var decision = await Performance.CheckRollbackAsync("chat", "2.0.0", cancellationToken: Ct);
        decision.ShouldRollBack.Should().BeTrue();
        decision.RolledBack.Should().BeFalse("automatic rollback is opt-in");
        decision.EvaluatedAt.Should().Be(Now);
        decision.Window.Should().Be(new MetricWindow(Now.AddHours(-1), Now));
        decision.FiredTriggers.Select(c => (c.Kind, c.ObservedValue, c.Threshold, c.SampleCount)).Should().Equal(
            (RollbackTriggerKind.ErrorRate, 0.1, 0.05, 200L),
            (RollbackTriggerKind.OodRate, 0.25, 0.2, 200L));
        decision.Checks.Single(c => c.Kind == RollbackTriggerKind.LatencyDegradation).Outcome.Should().Be(RollbackTriggerOutcome.NoBaseline);
        decision.Checks.Single(c => c.Kind == RollbackTriggerKind.Drift).Outcome.Should().Be(RollbackTriggerOutcome.NotEnoughData);

        Time.Advance(TimeSpan.FromMinutes(61));
        var later = await Performance.CheckRollbackAsync("chat", "2.0.0", cancellationToken: Ct);
        later.ShouldRollBack.Should().BeFalse();
        later.Checks.Single(c => c.Kind == RollbackTriggerKind.ErrorRate).Outcome.Should().Be(RollbackTriggerOutcome.NotEnoughData, "the failures have left the window");
        (await Registry.GetVersionAsync("chat", "2.0.0", Ct)).Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public virtual async Task The_latency_trigger_compares_with_the_previous_production_version_before_the_promotion()
    {
        await SetUpChatAsync();
        await PromoteAsync("chat", "1.0.0", ModelStage.Production);
        Time.Advance(TimeSpan.FromHours(2));
        await TrackAsync("1.0.0", 150, 0, latency: 100);
        await PromoteAsync("chat", "2.0.0", ModelStage.Production);
        var promotedAt = Now;
        Time.Advance(TimeSpan.FromMinutes(20));
        await TrackAsync("2.0.0", 150, 0, latency: 160);

        var decision = await Performance.CheckRollbackAsync("chat", "2.0.0", cancellationToken: Ct);
        var latency = decision.Checks.Single(c => c.Kind == RollbackTriggerKind.LatencyDegradation);
        latency.Outcome.Should().Be(RollbackTriggerOutcome.Fired);
        latency.BaselineValue.Should().Be(100);
        latency.Threshold.Should().Be(150);
        latency.ObservedValue.Should().Be(160);
        latency.BaselineWindow.Should().Be(new MetricWindow(promotedAt.AddHours(-24), promotedAt));

        var lenient = await Performance.CheckRollbackAsync("chat", "2.0.0", RollbackTriggerOptions.Default with { LatencyDegradationThreshold = 0.7 }, Ct);
        lenient.ShouldRollBack.Should().BeFalse();
    }

    [Fact]
    public virtual async Task Automatic_rollback_is_done_by_the_trigger_with_the_evidence_and_never_flaps()
    {
        await SetUpChatAsync();
        await PromoteAsync("chat", "1.0.0", ModelStage.Production);
        await PromoteAsync("chat", "2.0.0", ModelStage.Production);
        Time.Advance(TimeSpan.FromMinutes(10));
        await TrackAsync("2.0.0", 200, 20);
        var automatic = RollbackTriggerOptions.Default with { AutomaticRollback = true };

        var decision = await Performance.CheckRollbackAsync("chat", "2.0.0", automatic, Ct);
        var rolledBackAt = Now;
        decision.RolledBack.Should().BeTrue();
        (await Registry.GetVersionAsync("chat", "1.0.0", Ct)).Stage.Should().Be(ModelStage.Production);
        (await Registry.GetVersionAsync("chat", "2.0.0", Ct)).Stage.Should().Be(ModelStage.RolledBack);
        var audit = (await Audit.QueryAsync(new AuditQuery { Action = "model.rolled_back" }, Ct)).Items.Should().ContainSingle().Which;
        audit.Actor.Should().Be("rollback-trigger:ErrorRate");
        var reason = System.Text.Json.JsonDocument.Parse(audit.Data).RootElement.GetProperty("reason").GetString();
        reason.Should().Contain("ErrorRate observed 0.1 > threshold 0.05").And.Contain("200 samples");
        var document = await Store.FindDocumentAsync("performance.rollback", "CHAT", Ct);
        document.Should().NotBeNull("the cool-down is kept in the registry store, so it survives restarts");
        document!.Json.Should().Contain("2.0.0");

        // Put 2.0.0 back in production while its failures are still in the window: the cool-down holds the trigger back.
        await Registry.TransitionStageAsync("chat", "2.0.0", ModelStage.Staging, cancellationToken: Ct);
        await Registry.TransitionStageAsync("chat", "2.0.0", ModelStage.Production, cancellationToken: Ct);
        var held = await Performance.CheckRollbackAsync("chat", "2.0.0", automatic, Ct);
        held.ShouldRollBack.Should().BeFalse();
        held.RolledBack.Should().BeFalse();
        held.FiredTriggers.Should().ContainSingle(c => c.Kind == RollbackTriggerKind.ErrorRate);
        held.CoolDownUntil.Should().Be(rolledBackAt.AddHours(1));
        (await Registry.GetVersionAsync("chat", "2.0.0", Ct)).Stage.Should().Be(ModelStage.Production);

        if (Fixture.SupportsSharedInstances)
        {
            await using var restarted = CreateInstance();
            (await restarted.Performance.CheckRollbackAsync("chat", "2.0.0", automatic, Ct)).CoolDownUntil.Should().Be(rolledBackAt.AddHours(1));
        }

        Time.Advance(TimeSpan.FromMinutes(61));
        await TrackAsync("2.0.0", 200, 30);
        var again = await Performance.CheckRollbackAsync("chat", "2.0.0", automatic, Ct);
        again.RolledBack.Should().BeTrue("the cool-down has passed");
        (await Audit.QueryAsync(new AuditQuery { Action = "model.rolled_back" }, Ct)).Items.Should().HaveCount(2);
    }

    [Fact]
    public virtual async Task An_automatic_rollback_of_a_canary_moves_it_back_to_staging()
    {
        await SetUpChatAsync();
        await PromoteAsync("chat", "1.0.0", ModelStage.Production);
        await PromoteAsync("chat", "2.0.0", ModelStage.Canary);
        await TrackAsync("2.0.0", 150, 15);

        var decision = await Performance.CheckRollbackAsync("chat", "2.0.0", RollbackTriggerOptions.Default with { AutomaticRollback = true }, Ct);
        decision.RolledBack.Should().BeTrue();
        var canary = await Registry.GetVersionAsync("chat", "2.0.0", Ct);
        canary.Stage.Should().Be(ModelStage.Staging);
        canary.UpdatedBy.Should().Be("rollback-trigger:ErrorRate");
        (await Registry.GetVersionAsync("chat", "1.0.0", Ct)).Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public virtual async Task Rollback_checks_apply_to_serving_versions_only()
    {
        await SetUpChatAsync();
        await PromoteAsync("chat", "2.0.0", ModelStage.Staging);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Performance.CheckRollbackAsync("chat", "2.0.0", cancellationToken: Ct), ErrorCode.InvalidTransition);
        await ShouldFailAsync(() => Performance.CheckRollbackAsync("chat", "7.0.0", cancellationToken: Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Performance.CheckRollbackAsync("chat", "2.0.0", RollbackTriggerOptions.Default with { ErrorRateThreshold = 5 }, Ct), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);
    }

    // ---------------------------------------------------------------- buffered recorder

    [Fact]
    public virtual async Task The_buffered_recorder_writes_on_flush_and_counts_records_it_cannot_place()
    {
        await SetUpChatAsync();
        var recorder = Services.GetRequiredService<IInferenceRecorder>();
        for (var i = 0; i < 25; i++)
        {
            (await recorder.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", BindingId = "openai", LatencyMs = i, InputTokens = 10, Timestamp = Now.AddSeconds(-i - 1) }, Ct)).Should().BeTrue();
        }

        await recorder.TrackInferenceAsync(new InferenceRecord { ModelName = "ghost", Version = "1.0.0", LatencyMs = 1 }, Ct);
        await recorder.RecordAsync(Point(MetricKind.Quality, 0.5, Now.AddSeconds(-1)), Ct);
        await recorder.FlushAsync(Ct);

        recorder.WrittenCount.Should().Be(26);
        recorder.RejectedCount.Should().Be(1);
        recorder.PendingCount.Should().Be(0);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Latency, LastHour), Ct)).Count.Should().Be(25);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Cost, LastHour, binding: "openai"), Ct)).Sum.Should().BeApproximately(25 * 0.00005, 1e-15);
        (await Performance.GetStatisticsAsync(Query(MetricKey.Quality, LastHour), Ct)).Count.Should().Be(1);
        await ((Func<Task>)(async () => await recorder.TrackInferenceAsync(new InferenceRecord { ModelName = "chat", Version = "1.0.0", LatencyMs = -1 }, Ct)))
            .Should().ThrowAsync<ModelRegistryException>();
    }
}
