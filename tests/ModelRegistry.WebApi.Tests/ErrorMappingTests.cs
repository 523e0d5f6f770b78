using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelRegistry.Samples.WebApi.Hosting;
using ModelRegistry.WebApi.Tests.Support;

namespace ModelRegistry.WebApi.Tests;

/// <summary>Every library error code reaches the caller as an RFC 9457 problem with the right status, and a refused call changes nothing.</summary>
public sealed class ErrorMappingTests(RegistryApiFactory api) : IClassFixture<RegistryApiFactory>
{
    private readonly HttpClient _client = api.As("data-scientist");

    public static TheoryData<ErrorCode> AllCodes() => [.. Enum.GetValues<ErrorCode>()];

    [Fact]
    public void Every_error_code_has_a_deliberate_status()
    {
        ErrorMapping.Statuses.Keys.Should().BeEquivalentTo(Enum.GetValues<ErrorCode>());
        ErrorMapping.Statuses.Values.Select(s => s.Status).Should().OnlyContain(s => s == 400 || s == 403 || s == 404 || s == 409 || s == 422 || s == 500 || s == 503);
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public async Task Each_error_code_is_a_problem_with_its_status_code_details_and_trace_id(ErrorCode code)
    {
        var expected = ErrorMapping.Statuses[code];
        var problem = await _client.GetAsync($"/__throw/{code}").ShouldBeProblem((HttpStatusCode)expected.Status, code.ToString());
        problem["title"].Text().Should().Be(expected.Title);
        problem["detail"].Text().Should().Be($"Thrown for a test of {code}.");
        problem["details"]!["subject"].Text().Should().Be("model:probe");
        problem["details"]!["parameter"].Text().Should().Be("probe");
    }

    [Fact]
    public async Task Storage_unavailable_asks_the_caller_to_retry()
    {
        var response = await _client.GetAsync($"/__throw/{ErrorCode.StorageUnavailable}");
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task Unknown_model_is_404_with_the_subject()
    {
        var problem = await _client.GetAsync("/api/models/no-such-model").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
        problem["details"]!["subject"].Text().Should().Be("model:no-such-model");
    }

    [Fact]
    public async Task Duplicate_model_is_409_and_the_first_registration_is_kept()
    {
        var name = await Seed.RegisterModelAsync(_client, "dup");
        await _client.Post("/api/models", new { name, description = "second", owners = new[] { "other" } })
            .ShouldBeProblem(HttpStatusCode.Conflict, "AlreadyExists");
        (await _client.GetAsync($"/api/models/{name}").ShouldHaveStatus(HttpStatusCode.OK))["description"].Text().Should().Be($"Test model {name}");
    }

    [Fact]
    public async Task Stale_revision_is_409_concurrency_conflict_and_changes_nothing()
    {
        var name = await Seed.RegisterModelAsync(_client, "stale");
        await _client.Patch($"/api/models/{name}", new { description = "first edit", expectedRevision = 1 }).ShouldHaveStatus(HttpStatusCode.OK);
        await _client.Patch($"/api/models/{name}", new { description = "lost update", expectedRevision = 1 })
            .ShouldBeProblem(HttpStatusCode.Conflict, "ConcurrencyConflict");
        (await _client.GetAsync($"/api/models/{name}").ShouldHaveStatus(HttpStatusCode.OK))["description"].Text().Should().Be("first edit");
    }

    [Fact]
    public async Task Stage_change_outside_the_transition_table_is_409_and_the_stage_stays()
    {
        var name = await Seed.RegisterModelAsync(_client, "jump");
        await Seed.CreateVersionAsync(_client, name, "1.0.0");
        await _client.Post($"/api/models/{name}/versions/1.0.0/stage", new { stage = "Canary", canaryTrafficPercent = 5 })
            .ShouldBeProblem(HttpStatusCode.Conflict, "InvalidTransition");
        (await _client.GetAsync($"/api/models/{name}/versions/1.0.0").ShouldHaveStatus(HttpStatusCode.OK))["stage"].Text().Should().Be("Development");
    }

    [Fact]
    public async Task Rollback_with_nothing_to_restore_is_409()
        => await _client.Post($"/api/models/{await Seed.RegisterModelAsync(_client, "norb")}/rollback", new { reason = "why not" })
            .ShouldBeProblem(HttpStatusCode.Conflict, "InvalidTransition");

    [Fact]
    public async Task Promotion_without_approval_is_422_and_the_version_stays_in_staging()
    {
        var name = await Seed.RegisterModelAsync(_client, "gate");
        await Seed.CreateVersionAsync(_client, name, "1.0.0");
        await _client.Post($"/api/models/{name}/versions/1.0.0/stage", new { stage = "Staging" }).ShouldHaveStatus(HttpStatusCode.OK);
        var problem = await _client.Post($"/api/models/{name}/versions/1.0.0/stage", new { stage = "Production" })
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PolicyViolation");
        problem["detail"].Text().Should().Contain("approv");
        (await _client.GetAsync($"/api/models/{name}/versions/1.0.0").ShouldHaveStatus(HttpStatusCode.OK))["stage"].Text().Should().Be("Staging");
    }

    [Fact]
    public async Task Invalid_name_is_400_naming_the_parameter_and_nothing_is_registered()
    {
        var problem = await _client.Post("/api/models", new { name = "bad name!", owners = new[] { "me" } })
            .ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
        problem["details"]!["parameter"].Should().NotBeNull();
        await _client.GetAsync("/api/models/bad%20name!").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Filter_syntax_error_is_400_with_position_and_token()
    {
        var problem = await _client.GetAsync("/api/versions?filter=" + Uri.EscapeDataString("stage = 'production' AND AND"))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidFilter");
        problem["details"]!["position"]!.GetValue<int>().Should().BeGreaterThan(0);
        problem["details"]!["token"].Should().NotBeNull();
    }

    [Fact]
    public async Task Change_without_an_actor_is_403_and_nothing_is_written()
    {
        var name = Seed.UniqueName("anon");
        await api.As(actor: null).Post("/api/models", new { name, owners = new[] { "me" } }).ShouldBeProblem(HttpStatusCode.Forbidden, "Forbidden");
        await _client.GetAsync($"/api/models/{name}").ShouldBeProblem(HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Reviewer_without_the_approver_role_is_403()
    {
        var name = await Seed.RegisterModelAsync(_client, "roles");
        await Seed.CreateVersionAsync(_client, name, "1.0.0");
        var request = await _client.Post("/api/governance/approvals", new { modelName = name, version = "1.0.0", targetStage = "Production", justification = "ship it" })
            .ShouldHaveStatus(HttpStatusCode.Created);
        await api.As("viewer-vic", "Viewer").Post($"/api/governance/approvals/{request["id"].Text()}/reviews", new { decision = "Approve" })
            .ShouldBeProblem(HttpStatusCode.Forbidden, "Forbidden");
        (await _client.GetAsync($"/api/governance/approvals/{request["id"].Text()}").ShouldHaveStatus(HttpStatusCode.OK))["reviews"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Unknown_role_in_the_header_is_400()
        => await api.As("someone", "Approver, Overlord").GetAsync("/api/governance/approvals/pending")
            .ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");

    [Fact]
    public async Task Unreadable_json_is_400_with_the_same_problem_shape()
    {
        using var content = new StringContent("{ \"name\": ", Encoding.UTF8, "application/json");
        await _client.PostAsync("/api/models", content).ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task Missing_required_body_member_is_400()
        => await _client.Post("/api/models/x/rollback", new { because = "typo in the member name" })
            .ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");

    [Fact]
    public async Task Bad_metric_point_in_a_batch_is_400_naming_its_index_and_no_point_is_written()
    {
        var name = await Seed.RegisterModelAsync(_client, "batch");
        await Seed.CreateVersionAsync(_client, name, "1.0.0");
        var at = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var points = new object[]
        {
            new { modelName = name, version = "1.0.0", kind = "Latency", value = 12.0, timestamp = at },
            new { modelName = name, version = "1.0.0", kind = "Latency", value = -1.0, timestamp = at },
        };
        var problem = await _client.Post("/api/performance/metrics/batch", points).ShouldBeProblem(HttpStatusCode.BadRequest, "InvalidArgument");
        problem["details"]!["index"]!.GetValue<int>().Should().Be(1);
        var stats = await _client.GetAsync($"/api/performance/stats?model={name}&version=1.0.0&metric=latency&from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z")
            .ShouldHaveStatus(HttpStatusCode.OK);
        stats["count"]!.GetValue<long>().Should().Be(0);
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem_with_a_trace_id()
    {
        var response = await _client.GetAsync("/api/nothing-here");
        var problem = await response.ShouldHaveStatus(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        problem["traceId"].Text().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Problem_body_deserializes_as_rfc_9457()
    {
        var response = await _client.GetAsync("/api/models/nobody-home");
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>();
        problem!.Status.Should().Be(404);
        problem.Type.Should().NotBeNullOrEmpty();
        problem.Extensions.Should().ContainKeys("code", "details", "traceId");
    }
}
