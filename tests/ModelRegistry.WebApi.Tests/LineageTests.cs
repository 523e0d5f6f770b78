using System.Net;
using System.Text.Json.Nodes;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>Lineage over HTTP: nodes and edges in; traversals, impact, provenance, paths and exports out.</summary>
public sealed class LineageTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private readonly HttpClient _client = api.As("data-engineer");

    private async Task<(string Model, string Dataset, string Version, string Run)> SeedAsync()
    {
        var model = await Seed.RegisterModelAsync(_client, "lineage");
        await Seed.CreateVersionAsync(_client, model, "1.0.0");
        var dataset = $"dataset:{model}-data";
        var run = $"run:{model}-train";
        var version = $"version:{model}/1.0.0";
        await _client.Post("/api/lineage/nodes", new
        {
            id = dataset,
            kind = "Dataset",
            name = $"{model}-data",
            details = new Dictionary<string, object> { ["$type"] = "dataset", ["uri"] = "s3://data/x/", ["license"] = "CC-BY-4.0", ["containsPersonalData"] = true },
        }).ShouldHaveStatus(HttpStatusCode.OK);
        await _client.Post("/api/lineage/nodes", new { id = run, kind = "TrainingRun", name = $"{model}-train" }).ShouldHaveStatus(HttpStatusCode.OK);
        await _client.Post("/api/lineage/edges", new { from = version, kind = "TrainedOn", to = dataset }).ShouldHaveStatus(HttpStatusCode.OK);
        await _client.Post("/api/lineage/edges", new { from = version, kind = "ProducedBy", to = run }).ShouldHaveStatus(HttpStatusCode.OK);
        return (model, dataset, version, run);
    }

    [Fact]
    public async Task Traversals_impact_provenance_and_paths_follow_the_recorded_edges()
    {
        var (_, dataset, version, run) = await SeedAsync();
        var node = await _client.GetAsync($"/api/lineage/nodes?id={Uri.EscapeDataString(dataset)}").ShouldHaveStatus(HttpStatusCode.OK);
        node["details"]!["license"].Text().Should().Be("CC-BY-4.0");

        var upstream = await _client.GetAsync($"/api/lineage/upstream?node={Uri.EscapeDataString(version)}").ShouldHaveStatus(HttpStatusCode.OK);
        Ids(upstream).Should().Contain([dataset, run]);

        var downstream = await _client.GetAsync($"/api/lineage/downstream?node={Uri.EscapeDataString(dataset)}&depth=2").ShouldHaveStatus(HttpStatusCode.OK);
        Ids(downstream).Should().Contain(version);

        var full = await _client.GetAsync($"/api/lineage/graph?node={Uri.EscapeDataString(run)}").ShouldHaveStatus(HttpStatusCode.OK);
        full["edges"]!.AsArray().Should().HaveCountGreaterThanOrEqualTo(1);

        var filtered = await _client.GetAsync($"/api/lineage/upstream?node={Uri.EscapeDataString(version)}&edge_kind=TrainedOn").ShouldHaveStatus(HttpStatusCode.OK);
        Ids(filtered).Should().Contain(dataset).And.NotContain(run);

        var impact = await _client.GetAsync($"/api/lineage/impact?node={Uri.EscapeDataString(dataset)}").ShouldHaveStatus(HttpStatusCode.OK);
        impact["items"]!.AsArray().Select(i => i!["node"]!["id"].Text()).Should().Contain(version);

        var provenance = await _client.GetAsync($"/api/lineage/provenance?node={Uri.EscapeDataString(version)}").ShouldHaveStatus(HttpStatusCode.OK);
        provenance["datasets"]!.AsArray().Select(d => d!["dataset"]!["id"].Text()).Should().Equal(dataset);
        provenance["containsPersonalData"]!.GetValue<bool>().Should().BeTrue();

        var path = await _client.GetAsync($"/api/lineage/path?from={Uri.EscapeDataString(dataset)}&to={Uri.EscapeDataString(run)}").ShouldHaveStatus(HttpStatusCode.OK);
        path["nodes"]!.AsArray().Select(n => n!["id"].Text()).Should().Equal(dataset, version, run);
    }

    [Fact]
    public async Task Unlinked_nodes_have_no_path_and_removed_edges_leave_the_traversal()
    {
        var (model, dataset, version, run) = await SeedAsync();
        var loner = $"dataset:{model}-unrelated";
        await _client.Post("/api/lineage/nodes", new { id = loner, kind = "Dataset", name = "unrelated" }).ShouldHaveStatus(HttpStatusCode.OK);
        (await _client.GetAsync($"/api/lineage/path?from={Uri.EscapeDataString(loner)}&to={Uri.EscapeDataString(version)}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await _client.DeleteAsync($"/api/lineage/edges?from={Uri.EscapeDataString(version)}&kind=ProducedBy&to={Uri.EscapeDataString(run)}").ShouldHaveStatus(HttpStatusCode.OK);
        var upstream = await _client.GetAsync($"/api/lineage/upstream?node={Uri.EscapeDataString(version)}").ShouldHaveStatus(HttpStatusCode.OK);
        Ids(upstream).Should().Contain(dataset).And.NotContain(run);
    }

    [Fact]
    public async Task Graph_exports_as_json_dot_and_mermaid()
    {
        var (_, dataset, version, _) = await SeedAsync();
        var node = Uri.EscapeDataString(version);

        var json = await _client.GetAsync($"/api/lineage/export?format=Json&node={node}&direction=Upstream");
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var parsed = JsonNode.Parse(await json.Content.ReadAsStringAsync());
        parsed.Should().NotBeNull();
        (await json.Content.ReadAsStringAsync()).Should().Contain(dataset);

        var dot = await _client.GetAsync($"/api/lineage/export?format=Dot&node={node}");
        dot.StatusCode.Should().Be(HttpStatusCode.OK);
        dot.Content.Headers.ContentType!.MediaType.Should().Be("text/vnd.graphviz");
        var dotText = await dot.Content.ReadAsStringAsync();
        dotText.TrimStart().Should().StartWith("digraph");
        dotText.Should().Contain("->");

        var mermaid = await _client.GetAsync($"/api/lineage/export?format=Mermaid&node={node}");
        mermaid.StatusCode.Should().Be(HttpStatusCode.OK);
        var mermaidText = await mermaid.Content.ReadAsStringAsync();
        mermaidText.TrimStart().Should().MatchRegex("^(graph|flowchart)");
        mermaidText.Should().Contain("-->");

        var whole = await _client.GetAsync("/api/lineage/export?format=Dot");
        (await whole.Content.ReadAsStringAsync()).Should().Contain("digraph");
    }

    [Fact]
    public async Task Unknown_node_is_404_and_bad_format_is_400()
    {
        await _client.GetAsync("/api/lineage/upstream?node=dataset:never-recorded").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
        await _client.GetAsync("/api/lineage/export?format=svg").ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    private static IEnumerable<string> Ids(JsonNode graph) => graph["nodes"]!.AsArray().Select(n => n!["node"]!["id"].Text());
}
