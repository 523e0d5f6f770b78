using System.Net;
using Microsoft.AspNetCore.Hosting;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>What the host serves besides the API: the OpenAPI document and the health endpoint.</summary>
public sealed class HostTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task OpenApi_document_lists_the_routes_of_every_area()
    {
        var document = await api.CreateClient().GetAsync("/openapi/v1.json").ShouldHaveStatus(HttpStatusCode.OK);
        document["openapi"].Text().Should().StartWith("3.");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.Should().Contain(
        [
            "/api/models",
            "/api/models/{name}",
            "/api/models/{name}/versions",
            "/api/models/{name}/versions/{version}/stage",
            "/api/models/{name}/aliases/{alias}",
            "/api/models/{name}/rollback",
            "/api/versions",
            "/api/retention",
            "/api/statistics",
            "/api/lineage/upstream",
            "/api/lineage/export",
            "/api/performance/inferences",
            "/api/performance/ab-tests",
            "/api/governance/approvals",
            "/api/governance/approvals/{id}/reviews",
            "/api/governance/audit/verify",
            "/api/governance/models/{name}/versions/{version}/evidence",
        ]);

        var getModel = document["paths"]!["/api/models/{name}"]!["get"]!;
        getModel["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "404"]);
        var versionSchema = document["components"]!["schemas"]!["SemanticVersion"]!;
        versionSchema["type"].Text().Should().Be("string", "versions are written as their text: {0}", versionSchema.ToJsonString());
        versionSchema["properties"].Should().BeNull();
    }

    [Fact]
    public async Task Compliance_options_are_bound_from_configuration()
    {
        using var strict = api.WithWebHostBuilder(b => b.UseSetting("Compliance:RequiredApprovals:Minimal", "2"));
        var client = strict.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "config-tester");
        var model = await Seed.RegisterModelAsync(client, "configured");
        await Seed.CreateVersionAsync(client, model, "1.0.0");
        var request = await client.Post("/api/governance/approvals", new { modelName = model, version = "1.0.0", targetStage = "production", justification = "quorum from configuration" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        request["requiredApprovals"]!.GetValue<int>().Should().Be(2, "the default at Minimal risk is 1");
    }

    [Fact]
    public async Task Health_endpoint_reports_the_store_healthy()
    {
        var health = await api.CreateClient().GetAsync("/health").ShouldHaveStatus(HttpStatusCode.OK);
        health["status"].Text().Should().Be("Healthy");
        health["checks"]!.AsArray().Should().ContainSingle().Which!["name"].Text().Should().Be("registry-store");
        File.Exists(api.DatabasePath).Should().BeTrue("the check touches the configured SQLite file");
    }
}

/// <summary>A host whose SQLite file is not a database: health says so, and calls get a storage problem.</summary>
public sealed class DamagedStoreTests : IDisposable
{
    private readonly RegistryApiFactory _api = new();

    public DamagedStoreTests()
    {
        File.WriteAllText(_api.DatabasePath, new string('x', 8192));
    }

    [Fact]
    public async Task Health_is_unhealthy_and_calls_are_storage_problems()
    {
        var client = _api.As("ops");
        var health = await client.GetAsync("/health").ShouldHaveStatus(HttpStatusCode.ServiceUnavailable);
        health["status"].Text().Should().Be("Unhealthy");
        health["checks"]![0]!["description"].Text().Should().Contain("Storage");

        var response = await client.GetAsync("/api/models/anything");
        var problem = await response.ShouldHaveStatus(HttpStatusCode.InternalServerError);
        problem["code"].Text().Should().BeOneOf("StorageCorrupted", "StorageIncompatible");
        problem["traceId"].Text().Should().NotBeNullOrWhiteSpace();
    }

    public void Dispose() => _api.Dispose();
}
