using System.Net;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>Performance over HTTP, on points with fixed timestamps so every window is exact.</summary>
public sealed class PerformanceTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Window = "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z";
    private readonly HttpClient _client = api.As("ml-ops");

    private async Task<string> SeedTrafficAsync()
    {
        var model = await Seed.RegisterModelAsync(_client, "perf");
        foreach (var version in new[] { "1.0.0", "1.1.0" })
        {
            await Seed.CreateVersionAsync(_client, model, version);
            await _client.Post($"/api/models/{model}/versions/{version}/bindings", new { id = "main", provider = "OpenAI", providerModelId = "m", costPer1KInputTokens = 1.0, costPer1KOutputTokens = 2.0 })
                .ShouldHaveStatus(HttpStatusCode.OK);
        }

        // 40 inferences per version; 1.1.0 answers better and faster.
        var points = new List<object>();
        for (var i = 0; i < 40; i++)
        {
            foreach (var (version, latency, quality) in new[] { ("1.0.0", 50.0, 0.70), ("1.1.0", 30.0, 0.90) })
            {
                await _client.Post("/api/performance/inferences", new
                {
                    modelName = model,
                    version,
                    bindingId = "main",
                    latencyMs = latency + (i % 5),
                    inputTokens = 100,
                    outputTokens = 10,
                    qualityScore = quality + ((i % 4) * 0.01),
                    timestamp = Start.AddMinutes(i),
                }).ShouldHaveStatus(HttpStatusCode.OK);
            }

            points.Add(new { modelName = model, version = "1.0.0", kind = "Accuracy", value = 0.8 + ((i % 3) * 0.01), timestamp = Start.AddMinutes(i) });
        }

        (await _client.Post("/api/performance/metrics/batch", points).ShouldHaveStatus(HttpStatusCode.OK))["recorded"]!.GetValue<int>().Should().Be(40);
        await _client.Post("/api/performance/metrics", new { modelName = model, version = "1.1.0", kind = "Custom", customName = "toxicity", value = 0.01, timestamp = Start })
            .ShouldHaveStatus(HttpStatusCode.OK);
        return model;
    }

    [Fact]
    public async Task Recorded_traffic_gives_statistics_buckets_comparison_and_an_ab_verdict()
    {
        var model = await SeedTrafficAsync();

        var latency = await _client.GetAsync($"/api/performance/stats?model={model}&version=1.1.0&metric=latency&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        latency["count"]!.GetValue<long>().Should().Be(40);
        latency["min"]!.GetValue<double>().Should().Be(30);
        latency["max"]!.GetValue<double>().Should().Be(34);
        latency["p50"]!.GetValue<double>().Should().BeInRange(30, 34);

        var accuracy = await _client.GetAsync($"/api/performance/stats?model={model}&version=1.0.0&metric=Accuracy&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        accuracy["count"]!.GetValue<long>().Should().Be(40);
        (await _client.GetAsync($"/api/performance/stats?model={model}&version=1.1.0&metric=custom:toxicity&{Window}").ShouldHaveStatus(HttpStatusCode.OK))
            ["count"]!.GetValue<long>().Should().Be(1);

        var buckets = await _client.GetAsync($"/api/performance/buckets?model={model}&version=1.0.0&metric=latency&bucket=Hour&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        buckets["buckets"]!.AsArray().Sum(b => b!["statistics"]!["count"]!.GetValue<long>()).Should().Be(40);

        var comparison = await _client.Post("/api/performance/compare", new
        {
            subjects = new[] { new { modelName = model, version = "1.0.0" }, new { modelName = model, version = "1.1.0" } },
            metrics = new[] { "latency", "quality" },
            from = Start,
            to = Start.AddDays(1),
        }).ShouldHaveStatus(HttpStatusCode.OK);
        comparison["metrics"]!.AsArray().Should().HaveCount(2);
        comparison["metrics"]!.AsArray().Should().OnlyContain(m => m!["best"]!["version"].Text() == "1.1.0");

        var ab = await _client.Post("/api/performance/ab-tests", new
        {
            a = new { modelName = model, version = "1.0.0" },
            b = new { modelName = model, version = "1.1.0" },
            from = Start,
            to = Start.AddDays(1),
            metric = "quality",
        }).ShouldHaveStatus(HttpStatusCode.OK);
        ab["verdict"].Text().Should().Be("BWins");
        ab["a"]!["count"]!.GetValue<long>().Should().Be(40);
        ab["pValue"]!.GetValue<double>().Should().BeLessThan(0.05);

        // Latency of 1.1.0 against 1.0.0 as the reference population: disjoint ranges, so the drift is significant.
        var drift = await _client.Post("/api/performance/drift", new
        {
            subject = new { modelName = model, version = "1.1.0" },
            referenceSubject = new { modelName = model, version = "1.0.0" },
            metric = "latency",
            from = Start,
            to = Start.AddDays(1),
            referenceFrom = Start,
            referenceTo = Start.AddDays(1),
            bins = 5,
        }).ShouldHaveStatus(HttpStatusCode.OK);
        drift["band"].Text().Should().Be("Significant");
        drift["currentCount"]!.GetValue<long>().Should().Be(40);
    }

    [Fact]
    public async Task Costs_roi_and_rollback_check_are_reported()
    {
        var model = await SeedTrafficAsync();

        var costs = await _client.GetAsync($"/api/performance/costs?model={model}&group_by=Version&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        costs["requestCount"]!.GetValue<long>().Should().Be(80);
        costs["totalCost"]!.GetValue<decimal>().Should().BeGreaterThan(0);
        costs["groups"]!.AsArray().Select(g => g!["key"].Text()).Should().HaveCount(2);

        var trend = await _client.GetAsync($"/api/performance/costs/trend?model={model}&bucket=Hour&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        trend["totalCost"]!.GetValue<decimal>().Should().Be(costs["totalCost"]!.GetValue<decimal>());

        var roi = await _client.GetAsync($"/api/performance/roi?model={model}&version=1.1.0&{Window}").ShouldHaveStatus(HttpStatusCode.OK);
        roi["requestCount"]!.GetValue<long>().Should().Be(40);
        roi["meanQuality"]!.GetValue<double>().Should().BeGreaterThan(0.85);

        // Rollback triggers watch serving versions only: a canary here (no approval needed at Minimal risk).
        await _client.GetAsync($"/api/performance/rollback-check?model={model}&version=1.1.0").ShouldBeProblem(HttpStatusCode.Conflict, "InvalidTransition");
        await _client.Post($"/api/models/{model}/versions/1.1.0/stage", new { stage = "Staging" }).ShouldHaveStatus(HttpStatusCode.OK);
        await _client.Post($"/api/models/{model}/versions/1.1.0/stage", new { stage = "Canary", canaryTrafficPercent = 10 }).ShouldHaveStatus(HttpStatusCode.OK);
        var check = await _client.GetAsync($"/api/performance/rollback-check?model={model}&version=1.1.0").ShouldHaveStatus(HttpStatusCode.OK);
        check["shouldRollBack"]!.GetValue<bool>().Should().BeFalse();
        check["checks"]!.AsArray().Should().NotBeEmpty();
    }

    [Fact]
    public async Task Unknown_metric_name_is_400()
        => await _client.GetAsync("/api/performance/stats?model=m&version=1.0.0&metric=speed").ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
}
