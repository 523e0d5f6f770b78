using System.Net;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>Search over HTTP: filter, order_by, page_size and the continuation token.</summary>
public sealed class SearchTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private readonly HttpClient _client = api.As("data-scientist");

    [Fact]
    public async Task Versions_are_paged_with_a_continuation_token_in_the_requested_order()
    {
        var model = await Seed.RegisterModelAsync(_client, "paged");
        var aucs = new[] { 0.81, 0.95, 0.88, 0.92, 0.70 };
        for (var i = 0; i < aucs.Length; i++)
        {
            await Seed.CreateVersionAsync(_client, model, $"1.{i}.0", auc: aucs[i]);
        }

        var filter = Uri.EscapeDataString($"name = '{model}' AND metrics.auc >= 0.8");
        var orderBy = Uri.EscapeDataString("metrics.auc DESC");
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var uri = $"/api/versions?filter={filter}&order_by={orderBy}&page_size=2" + (token is null ? string.Empty : $"&page_token={Uri.EscapeDataString(token)}");
            var page = await _client.GetAsync(uri).ShouldHaveStatus(HttpStatusCode.OK);
            page["items"]!.AsArray().Count.Should().BeLessThanOrEqualTo(2);
            seen.AddRange(page["items"]!.AsArray().Select(v => v!["version"].Text()));
            token = page["continuationToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null && pages < 10);

        seen.Should().Equal("1.1.0", "1.3.0", "1.2.0", "1.0.0");
        pages.Should().Be(2);
    }

    [Fact]
    public async Task Models_are_searched_by_tag_and_ordered_by_name()
    {
        var team = Seed.UniqueName("team");
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add(await Seed.RegisterModelAsync(_client, $"search{i}", tags: new Dictionary<string, string> { ["team"] = team }));
        }

        await Seed.RegisterModelAsync(_client, "other-team", tags: new Dictionary<string, string> { ["team"] = "someone-else" });

        var page = await _client.GetAsync($"/api/models?filter={Uri.EscapeDataString($"tags.team = '{team}'")}&order_by=name%20DESC&page_size=10")
            .ShouldHaveStatus(HttpStatusCode.OK);
        page["items"]!.AsArray().Select(m => m!["name"].Text()).Should().Equal(names.OrderByDescending(n => n, StringComparer.Ordinal));
        page["continuationToken"].Should().BeNull();
    }

    [Fact]
    public async Task A_token_used_with_another_filter_is_refused()
    {
        var model = await Seed.RegisterModelAsync(_client, "token");
        await Seed.CreateVersionAsync(_client, model, "1.0.0");
        await Seed.CreateVersionAsync(_client, model, "1.1.0");
        var first = await _client.GetAsync($"/api/versions?filter={Uri.EscapeDataString($"name = '{model}'")}&page_size=1").ShouldHaveStatus(HttpStatusCode.OK);
        var token = first["continuationToken"].Text();

        await _client.GetAsync($"/api/versions?filter={Uri.EscapeDataString("stage = 'production'")}&page_size=1&page_token={Uri.EscapeDataString(token)}")
            .ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
    }
}
