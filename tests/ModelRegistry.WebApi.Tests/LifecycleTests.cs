using System.Net;
using System.Text.Json.Nodes;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>A model's whole life over HTTP: register, version, approval with two reviewers, promotion, rollback.</summary>
public sealed class LifecycleTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private readonly HttpClient _scientist = api.As("data-scientist");
    private readonly HttpClient _anna = api.As("reviewer-anna", "Approver, Waiver");
    private readonly HttpClient _ben = api.As("reviewer-ben", "Approver");

    [Fact]
    public async Task High_risk_model_goes_to_production_with_two_approvals_and_rolls_back()
    {
        var model = await Seed.RegisterModelAsync(_scientist, "fraud", riskTier: "High", owner: "risk-team");
        var v1 = await Seed.CreateVersionAsync(_scientist, model, "1.0.0");
        v1["stage"].Text().Should().Be("Development");
        v1["version"].Text().Should().Be("1.0.0");
        v1["createdBy"].Text().Should().Be("data-scientist");
        await Seed.CreateVersionAsync(_scientist, model, "1.1.0", auc: 0.93);

        await PromoteAsync(model, "1.0.0");
        var production = await _scientist.GetAsync($"/api/models/{model}/versions/1.0.0").ShouldHaveStatus(HttpStatusCode.OK);
        production["stage"].Text().Should().Be("Production");

        await PromoteAsync(model, "1.1.0");
        (await _scientist.GetAsync($"/api/models/{model}/versions/1.0.0").ShouldHaveStatus(HttpStatusCode.OK))["stage"].Text().Should().Be("Archived");
        (await _scientist.GetAsync($"/api/resolve?uri=models:/{model}/production").ShouldHaveStatus(HttpStatusCode.OK))["version"].Text().Should().Be("1.1.0");

        var rollback = await _scientist.Post($"/api/models/{model}/rollback", new { reason = "false positives doubled" }).ShouldHaveStatus(HttpStatusCode.OK);
        rollback["restored"]!["version"].Text().Should().Be("1.0.0");
        rollback["restored"]!["stage"].Text().Should().Be("Production");
        rollback["rolledBack"]!["version"].Text().Should().Be("1.1.0");
        rollback["rolledBack"]!["stage"].Text().Should().Be("RolledBack");

        var audit = await _anna.GetAsync($"/api/governance/audit?subject=version:{model}/1.1.0").ShouldHaveStatus(HttpStatusCode.OK);
        audit["items"]!.AsArray().Select(r => r!["actor"].Text()).Should().Contain(["data-scientist", "reviewer-anna", "reviewer-ben"]);
        var verification = await _anna.PostAsync("/api/governance/audit/verify", null).ShouldHaveStatus(HttpStatusCode.OK);
        verification["isValid"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Canary_takes_traffic_then_production_and_the_alias_follows()
    {
        var model = await Seed.RegisterModelAsync(_scientist, "ranker");
        await Seed.CreateVersionAsync(_scientist, model, "2.0.0");
        await _scientist.Post($"/api/models/{model}/versions/2.0.0/stage", new { stage = "staging" }).ShouldHaveStatus(HttpStatusCode.OK);

        var canary = await _scientist.Post($"/api/models/{model}/versions/2.0.0/stage", new { stage = "Canary", canaryTrafficPercent = 10, reason = "try it" })
            .ShouldHaveStatus(HttpStatusCode.OK);
        canary["canaryTrafficPercent"]!.GetValue<int>().Should().Be(10);
        (await _scientist.Put($"/api/models/{model}/versions/2.0.0/canary-traffic", new { percent = 50 }).ShouldHaveStatus(HttpStatusCode.OK))
            ["canaryTrafficPercent"]!.GetValue<int>().Should().Be(50);

        var withAlias = await _scientist.Put($"/api/models/{model}/aliases/champion", new { version = "2.0.0" }).ShouldHaveStatus(HttpStatusCode.OK);
        withAlias["aliases"]!["champion"].Text().Should().Be("2.0.0");
        (await _scientist.GetAsync($"/api/models/{model}/aliases/champion").ShouldHaveStatus(HttpStatusCode.OK))["version"].Text().Should().Be("2.0.0");

        // Minimal risk: one approval by someone other than the requester is the quorum.
        var request = await _scientist.Post("/api/governance/approvals", new { modelName = model, version = "2.0.0", targetStage = "Production", justification = "canary healthy" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        await _ben.Post($"/api/governance/approvals/{request["id"].Text()}/reviews", new { decision = "Approve", comment = "ok" }).ShouldHaveStatus(HttpStatusCode.OK);
        (await _scientist.Post($"/api/models/{model}/versions/2.0.0/stage", new { stage = "Production" }).ShouldHaveStatus(HttpStatusCode.OK))
            ["stage"].Text().Should().Be("Production");

        await _scientist.DeleteAsync($"/api/models/{model}/aliases/champion").ShouldHaveStatus(HttpStatusCode.OK);
        await _scientist.GetAsync($"/api/models/{model}/aliases/champion").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Models_are_updated_tagged_deprecated_and_deleted()
    {
        var model = await Seed.RegisterModelAsync(_scientist, "churn");
        var replacement = await Seed.RegisterModelAsync(_scientist, "churn-v2");

        var updated = await _scientist.Patch($"/api/models/{model}", new { description = "Predicts churn", task = "classification", expectedRevision = 1 })
            .ShouldHaveStatus(HttpStatusCode.OK);
        updated["description"].Text().Should().Be("Predicts churn");
        updated["revision"]!.GetValue<long>().Should().Be(2);

        (await _scientist.Put($"/api/models/{model}/tags/team", new { value = "growth" }).ShouldHaveStatus(HttpStatusCode.OK))["tags"]!["team"].Text().Should().Be("growth");
        (await _scientist.DeleteAsync($"/api/models/{model}/tags/team").ShouldHaveStatus(HttpStatusCode.OK))["tags"]!.AsObject().Should().NotContainKey("team");

        await Seed.CreateVersionAsync(_scientist, model, "0.1.0");
        (await _scientist.Put($"/api/models/{model}/versions/0.1.0/tags/dataset", new { value = "2026q1" }).ShouldHaveStatus(HttpStatusCode.OK))
            ["tags"]!["dataset"].Text().Should().Be("2026q1");
        (await _scientist.Patch($"/api/models/{model}/versions/0.1.0", new { description = "baseline" }).ShouldHaveStatus(HttpStatusCode.OK))
            ["description"].Text().Should().Be("baseline");
        (await _scientist.GetAsync($"/api/models/{model}/versions").ShouldHaveStatus(HttpStatusCode.OK)).AsArray().Should().ContainSingle();

        var deprecated = await _scientist.Post($"/api/models/{model}/deprecate", new { reason = "superseded", replacedBy = replacement }).ShouldHaveStatus(HttpStatusCode.OK);
        deprecated["status"].Text().Should().Be("Deprecated");
        deprecated["replacedBy"].Text().Should().Be(replacement);
        (await _scientist.PostAsync($"/api/models/{model}/undeprecate", null).ShouldHaveStatus(HttpStatusCode.OK))["status"].Text().Should().Be("Active");

        await _scientist.DeleteAsync($"/api/models/{model}").ShouldHaveStatus(HttpStatusCode.NoContent);
        await _scientist.GetAsync($"/api/models/{model}").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Provider_bindings_are_added_listed_updated_and_removed()
    {
        var model = await Seed.RegisterModelAsync(_scientist, "chat");
        await Seed.CreateVersionAsync(_scientist, model, "1.0.0");
        var withBinding = await _scientist.Post($"/api/models/{model}/versions/1.0.0/bindings", new
        {
            id = "primary",
            provider = "OpenAI",
            providerModelId = "gpt-x",
            endpoint = "https://api.example/v1",
            region = "eu-west",
            costPer1KInputTokens = 0.5,
            costPer1KOutputTokens = 1.5,
        }).ShouldHaveStatus(HttpStatusCode.OK);
        withBinding["providerBindings"]!.AsArray().Should().ContainSingle();

        var listed = await _scientist.GetAsync($"/api/bindings?model={model}&region=eu-west").ShouldHaveStatus(HttpStatusCode.OK);
        listed.AsArray().Should().ContainSingle().Which!["binding"]!["id"].Text().Should().Be("primary");

        var updated = await _scientist.Patch($"/api/models/{model}/versions/1.0.0/bindings/primary", new { status = "Degraded", observedSuccessRate = 0.9 })
            .ShouldHaveStatus(HttpStatusCode.OK);
        updated["providerBindings"]![0]!["status"].Text().Should().Be("Degraded");
        (await _scientist.GetAsync($"/api/bindings?model={model}&status=Active").ShouldHaveStatus(HttpStatusCode.OK)).AsArray().Should().BeEmpty();

        (await _scientist.DeleteAsync($"/api/models/{model}/versions/1.0.0/bindings/primary").ShouldHaveStatus(HttpStatusCode.OK))
            ["providerBindings"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Retention_dry_run_plans_without_archiving_and_statistics_count_everything()
    {
        var model = await Seed.RegisterModelAsync(_scientist, "retained");
        foreach (var version in new[] { "1.0.0", "1.1.0", "1.2.0", "1.3.0" })
        {
            await Seed.CreateVersionAsync(_scientist, model, version);
        }

        var plan = await _scientist.Post("/api/retention", new { modelName = model, keepLast = 2 }).ShouldHaveStatus(HttpStatusCode.OK);
        plan["dryRun"]!.GetValue<bool>().Should().BeTrue();
        plan["archived"]!.AsArray().Select(d => d!["version"].Text()).Should().BeEquivalentTo(["1.0.0", "1.1.0"]);
        (await _scientist.GetAsync($"/api/models/{model}/versions/1.0.0").ShouldHaveStatus(HttpStatusCode.OK))["stage"].Text().Should().Be("Development");

        var statistics = await _scientist.GetAsync("/api/statistics").ShouldHaveStatus(HttpStatusCode.OK);
        statistics["modelCount"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(1);
        statistics["versionCount"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(4);
        statistics["versionsByStage"]!["Development"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(4);

        var transitions = await _scientist.GetAsync("/api/stage-transitions").ShouldHaveStatus(HttpStatusCode.OK);
        transitions["Staging"]!.AsArray().Select(s => s.Text()).Should().Contain("Production");
    }

    /// <summary>Staging, a refused promotion, an approval request, a refused self-review, two approvals, production.</summary>
    private async Task PromoteAsync(string model, string version)
    {
        await _scientist.Post($"/api/models/{model}/versions/{version}/stage", new { stage = "Staging" }).ShouldHaveStatus(HttpStatusCode.OK);
        await _scientist.Post($"/api/models/{model}/versions/{version}/stage", new { stage = "Production" })
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PolicyViolation");

        var request = await _scientist.Post("/api/governance/approvals", new { modelName = model, version, targetStage = "Production", justification = "holdout AUC above 0.9" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        var id = request["id"].Text();
        request["state"].Text().Should().Be("Pending");
        request["requiredApprovals"]!.GetValue<int>().Should().Be(2);

        await _scientist.Post($"/api/governance/approvals/{id}/reviews", new { decision = "Approve" }).ShouldBeProblem(HttpStatusCode.Forbidden, "Forbidden");
        var pending = await _anna.GetAsync($"/api/governance/approvals/pending?model={model}").ShouldHaveStatus(HttpStatusCode.OK);
        pending["items"]!.AsArray().Select(r => r!["id"].Text()).Should().Equal(id);

        // The test model carries no compliance documentation, so High-risk checks fail; the first reviewer waives them.
        var failing = request["checks"]!["results"]!.AsArray().Where(r => r!["outcome"].Text() == "Fail").Select(r => r!["checkName"].Text()).ToList();
        var waivers = failing.Select(check => new { checkName = check, reason = "test model without documentation" }).ToArray();
        var afterAnna = await _anna.Post($"/api/governance/approvals/{id}/reviews", new { decision = "Approve", comment = "looks fine", waivers })
            .ShouldHaveStatus(HttpStatusCode.OK);
        afterAnna["state"].Text().Should().Be("Pending");
        var afterBen = await _ben.Post($"/api/governance/approvals/{id}/reviews", new { decision = "Approve", comment = "agreed" })
            .ShouldHaveStatus(HttpStatusCode.OK);
        afterBen["state"].Text().Should().Be("Approved");
        afterBen["reviews"]!.AsArray().Select(r => r!["reviewer"].Text()).Should().Equal("reviewer-anna", "reviewer-ben");

        var history = await _anna.GetAsync($"/api/governance/models/{model}/versions/{version}/approvals").ShouldHaveStatus(HttpStatusCode.OK);
        history.AsArray().Select(r => r!["state"].Text()).Should().Contain("Approved");
        (await _anna.GetAsync($"/api/governance/approvals/{id}").ShouldHaveStatus(HttpStatusCode.OK))["state"].Text().Should().Be("Approved");

        var promoted = await _scientist.Post($"/api/models/{model}/versions/{version}/stage", new { stage = "Production", reason = "approved" })
            .ShouldHaveStatus(HttpStatusCode.OK);
        promoted["stage"].Text().Should().Be("Production");
    }
}
