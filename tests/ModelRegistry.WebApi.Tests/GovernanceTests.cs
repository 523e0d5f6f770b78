using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>Governance documents over HTTP: audit query, export and verification, model cards, evidence bundles, the queue.</summary>
public sealed class GovernanceTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private readonly HttpClient _owner = api.As("model-owner");
    private readonly HttpClient _reviewer = api.As("reviewer-rita", "Approver");

    private async Task<string> ApprovedVersionAsync()
    {
        var model = await Seed.RegisterModelAsync(_owner, "gov");
        await Seed.CreateVersionAsync(_owner, model, "1.0.0");
        await _owner.Post($"/api/models/{model}/versions/1.0.0/stage", new { stage = "Staging" }).ShouldHaveStatus(HttpStatusCode.OK);
        var request = await _owner.Post("/api/governance/approvals", new { modelName = model, version = "1.0.0", targetStage = "Production", justification = "first release" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        await _reviewer.Post($"/api/governance/approvals/{request["id"].Text()}/reviews", new { decision = "Approve" }).ShouldHaveStatus(HttpStatusCode.OK);
        await _owner.Post($"/api/models/{model}/versions/1.0.0/stage", new { stage = "Production" }).ShouldHaveStatus(HttpStatusCode.OK);
        return model;
    }

    [Fact]
    public async Task Audit_trail_is_queried_paged_exported_as_json_lines_and_verified()
    {
        var model = await ApprovedVersionAsync();
        var subject = Uri.EscapeDataString($"version:{model}/1.0.0");

        var first = await _owner.GetAsync($"/api/governance/audit?subject={subject}&page_size=2").ShouldHaveStatus(HttpStatusCode.OK);
        first["items"]!.AsArray().Should().HaveCount(2);
        var rest = await _owner.GetAsync($"/api/governance/audit?subject={subject}&page_size=100&page_token={Uri.EscapeDataString(first["continuationToken"].Text())}")
            .ShouldHaveStatus(HttpStatusCode.OK);
        var actions = first["items"]!.AsArray().Concat(rest["items"]!.AsArray()).Select(r => r!["action"].Text()).ToList();
        actions.Should().Contain(a => a.Contains("approval", StringComparison.Ordinal));

        var byActor = await _owner.GetAsync($"/api/governance/audit?actor=reviewer-rita&subject={subject}").ShouldHaveStatus(HttpStatusCode.OK);
        byActor["items"]!.AsArray().Should().NotBeEmpty().And.OnlyContain(r => r!["actor"].Text() == "reviewer-rita");

        var export = await _owner.GetAsync($"/api/governance/audit/export?subject={subject}");
        export.StatusCode.Should().Be(HttpStatusCode.OK);
        export.Content.Headers.ContentType!.MediaType.Should().Be("application/jsonl");
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(actions.Count, "the export holds the same records as the query");
        lines.Select(l => JsonNode.Parse(l)!).Should().OnlyContain(r => r["subject"]!.GetValue<string>() == $"version:{model}/1.0.0");

        var verification = await _owner.PostAsync("/api/governance/audit/verify", null).ShouldHaveStatus(HttpStatusCode.OK);
        verification["isValid"]!.GetValue<bool>().Should().BeTrue();
        verification["recordsChecked"]!.GetValue<long>().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Model_card_is_served_as_json_and_markdown()
    {
        var model = await ApprovedVersionAsync();
        var json = await _owner.GetAsync($"/api/governance/models/{model}/versions/1.0.0/model-card").ShouldHaveStatus(HttpStatusCode.OK);
        json["modelName"].Text().Should().Be(model);
        json["version"].Text().Should().Be("1.0.0");
        json["approvals"]!.AsArray().Should().ContainSingle();

        var markdown = await _owner.GetAsync($"/api/governance/models/{model}/versions/1.0.0/model-card?format=markdown");
        markdown.Content.Headers.ContentType!.MediaType.Should().Be("text/markdown");
        (await markdown.Content.ReadAsStringAsync()).Should().StartWith("#").And.Contain(model);

        using var accept = new HttpRequestMessage(HttpMethod.Get, $"/api/governance/models/{model}/versions/1.0.0/model-card");
        accept.Headers.Add("Accept", "text/markdown");
        (await _owner.SendAsync(accept)).Content.Headers.ContentType!.MediaType.Should().Be("text/markdown");

        await _owner.GetAsync($"/api/governance/models/{model}/versions/1.0.0/model-card?format=pdf").ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task Evidence_bundle_downloads_as_a_valid_zip()
    {
        var model = await ApprovedVersionAsync();
        var response = await _owner.GetAsync($"/api/governance/models/{model}/versions/1.0.0/evidence");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        response.Content.Headers.ContentDisposition!.FileName.Should().Contain(model);

        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        zip.Entries.Should().NotBeEmpty();
        zip.Entries.Select(e => e.FullName).Should().Contain(name => name.EndsWith(".md", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal));

        await using var stream = new MemoryStream(bytes);
        var offline = await Compliance.EvidenceBundle.VerifyAsync(stream);
        offline.IsValid.Should().BeTrue(string.Join("; ", offline.Problems));

        await _owner.GetAsync($"/api/governance/models/{model}/versions/9.9.9/evidence").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Pending_queue_lists_open_requests_until_they_are_withdrawn()
    {
        var model = await Seed.RegisterModelAsync(_owner, "queue");
        await Seed.CreateVersionAsync(_owner, model, "1.0.0");
        var request = await _owner.Post("/api/governance/approvals", new { modelName = model, version = "1.0.0", targetStage = "Production", justification = "try" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        var id = request["id"].Text();

        await _owner.Post("/api/governance/approvals", new { modelName = model, version = "1.0.0", targetStage = "Production", justification = "again" })
            .ShouldBeProblem(HttpStatusCode.Conflict, "AlreadyExists");
        var mine = await _reviewer.GetAsync($"/api/governance/approvals/pending?model={model}&reviewable_by_me=true").ShouldHaveStatus(HttpStatusCode.OK);
        mine["items"]!.AsArray().Select(r => r!["id"].Text()).Should().Equal(id);

        (await _owner.Post($"/api/governance/approvals/{id}/withdraw", new { reason = "not ready" }).ShouldHaveStatus(HttpStatusCode.OK))["state"].Text().Should().Be("Withdrawn");
        (await _reviewer.GetAsync($"/api/governance/approvals/pending?model={model}").ShouldHaveStatus(HttpStatusCode.OK))["items"]!.AsArray().Should().BeEmpty();
        await _reviewer.Post($"/api/governance/approvals/{id}/reviews", new { decision = "Approve" }).ShouldBeProblem(HttpStatusCode.Conflict, "InvalidTransition");
    }

    [Fact]
    public async Task Compliance_checks_are_listed_and_evaluated_for_a_stage()
    {
        var checks = await _owner.GetAsync("/api/governance/checks").ShouldHaveStatus(HttpStatusCode.OK);
        checks.AsArray().Select(c => c!["name"].Text()).Should().Contain(["eu-ai-act", "documentation"]);

        var model = await Seed.RegisterModelAsync(_owner, "eval");
        await Seed.CreateVersionAsync(_owner, model, "1.0.0");
        var report = await _owner.GetAsync($"/api/governance/models/{model}/versions/1.0.0/compliance?stage=Production").ShouldHaveStatus(HttpStatusCode.OK);
        report["targetStage"].Text().Should().Be("Production");
        report["results"]!.AsArray().Should().HaveCount(checks.AsArray().Count);
    }

    [Fact]
    public async Task Governance_reads_need_an_identified_caller()
    {
        var anonymous = api.As(actor: null);
        await anonymous.GetAsync("/api/governance/approvals/pending").ShouldBeProblem(HttpStatusCode.Forbidden, "Forbidden");

        // The streamed export is refused before its first byte, so it is still a problem response, not a broken stream.
        await anonymous.GetAsync("/api/governance/audit/export").ShouldBeProblem(HttpStatusCode.Forbidden, "Forbidden");
    }
}
