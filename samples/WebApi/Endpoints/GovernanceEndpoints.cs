using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>
/// Governance: compliance checks, approval requests and reviews, the pending queue, per-version history, the audit
/// trail (query, JSON Lines export, verification, checkpoints), model cards and evidence bundles.
/// </summary>
internal static class GovernanceEndpoints
{
    public static void MapGovernanceEndpoints(this IEndpointRouteBuilder app)
    {
        var governance = app.MapGroup("/api/governance").WithTags("Governance").WithRegistryProblems();

        governance.MapGet("/checks", (IComplianceManager compliance) => TypedResults.Ok(
                compliance.Checks.Select(c => new ComplianceCheckInfo(c.Name, c.Version, [.. c.RiskTiers], [.. c.TargetStages])).ToList()))
            .WithName("ListComplianceChecks");

        MapApprovals(governance.MapGroup("/approvals"));
        MapVersionDocuments(governance.MapGroup("/models/{name}/versions/{version}"));
        MapAudit(governance.MapGroup("/audit"));
    }

    private static void MapApprovals(RouteGroupBuilder approvals)
    {
        approvals.MapPost("/", async Task<Created<ApprovalRequest>> (ApprovalRequestBody body, IComplianceManager compliance, CancellationToken ct) =>
        {
            var request = await compliance.RequestApprovalAsync(body.ModelName, body.Version, body.TargetStage, body.Justification, ct);
            return TypedResults.Created($"/api/governance/approvals/{request.Id}", request);
        }).WithName("RequestApproval").WithSummary("Requests approval to move a version into a gated stage; the compliance checks run now and are stored with it.");

        approvals.MapGet("/pending", async ([FromQuery(Name = "model")] string? model, [FromQuery(Name = "reviewable_by_me")] bool? mine, [FromQuery(Name = "page_size")] int? pageSize, [FromQuery(Name = "page_token")] string? pageToken, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.ListPendingApprovalsAsync(
                new ApprovalQueueQuery { ModelName = model, ReviewableByMe = mine ?? false, PageSize = pageSize ?? 100, ContinuationToken = pageToken }, ct)))
            .WithName("ListPendingApprovals");

        approvals.MapGet("/{id}", async (string id, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.GetApprovalAsync(id, ct)))
            .WithName("GetApproval");

        approvals.MapPost("/{id}/reviews", async (string id, ReviewBody body, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.ReviewAsync(id, body.Decision, body.Comment, body.Waivers, ct)))
            .WithName("ReviewApproval").WithSummary("Approves, rejects or requests changes; never by the requester, and at High risk never by an owner.");

        approvals.MapPost("/{id}/withdraw", async (string id, WithdrawBody? body, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.WithdrawApprovalAsync(id, body?.Reason, ct)))
            .WithName("WithdrawApproval");
    }

    private static void MapVersionDocuments(RouteGroupBuilder version)
    {
        version.MapGet("/compliance", async (string name, string version, [FromQuery] ModelStage? stage, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.EvaluateAsync(name, version, stage ?? ModelStage.Production, ct)))
            .WithName("EvaluateCompliance").WithSummary("Runs the compliance checks for a target stage without recording anything.");

        version.MapGet("/approvals", async (string name, string version, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.GetApprovalHistoryAsync(name, version, ct)))
            .WithName("GetApprovalHistory");

        version.MapGet("/model-card", async Task<Results<Ok<ModelCard>, ContentHttpResult>> (string name, string version, [FromQuery] string? format, HttpRequest request, IComplianceManager compliance, CancellationToken ct) =>
        {
            var markdown = format is null
                ? request.Headers.Accept.ToString().Contains("text/markdown", StringComparison.OrdinalIgnoreCase)
                : string.Equals(format, "markdown", StringComparison.OrdinalIgnoreCase) || string.Equals(format, "md", StringComparison.OrdinalIgnoreCase);
            if (!markdown && format is not null && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelRegistryException(ErrorCode.InvalidArgument, $"'{format}' is not a model card format; use json or markdown.") { ParameterName = "format" };
            }

            var card = await compliance.GetModelCardAsync(name, version, ct);
            return markdown ? TypedResults.Content(card.ToMarkdown(), "text/markdown; charset=utf-8") : TypedResults.Ok(card);
        }).WithName("GetModelCard").WithSummary("The model card as JSON, or Markdown with ?format=markdown or Accept: text/markdown.");

        version.MapGet("/evidence", async (string name, string version, IComplianceManager compliance, CancellationToken ct) =>
        {
            // Built in memory first: a refusal still becomes a problem response, and the zip's length is known.
            var bundle = new MemoryStream();
            var info = await compliance.WriteEvidenceBundleAsync(name, version, bundle, ct);
            bundle.Position = 0;
            return TypedResults.File(bundle, "application/zip", $"evidence-{info.ModelName}-{info.Version}.zip");
        }).WithName("DownloadEvidenceBundle").WithSummary("A zip with the model card, approvals, audit records and checksums that verifies offline.");
    }

    private static void MapAudit(RouteGroupBuilder audit)
    {
        audit.MapGet("/", async ([AsParameters] AuditParameters p, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.QueryAuditAsync(p.ToQuery(), ct)))
            .WithName("QueryAudit").WithSummary("Audit records by subject (a trailing * matches a prefix), action, actor and time, paged.");

        audit.MapGet("/export", ([AsParameters] AuditParameters p, IComplianceManager compliance)
            => TypedResults.Stream(
                destination => compliance.ExportAuditAsync(destination, p.ToQuery()),
                "application/jsonl; charset=utf-8",
                "audit.jsonl"))
            .WithName("ExportAudit").WithSummary("Matching audit records as JSON Lines, one record per line, streamed.");

        audit.MapPost("/verify", async (AuditVerificationOptions? options, IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.VerifyAuditTrailAsync(options, ct)))
            .WithName("VerifyAudit").WithSummary("Re-computes the hash chain (and checks checkpoints); reports the first record that does not match.");

        audit.MapPost("/checkpoints", async (IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.CreateAuditCheckpointAsync(ct)))
            .WithName("CreateAuditCheckpoint").WithSummary("Signs the current head of the trail (needs a checkpoint signing key).");

        audit.MapGet("/checkpoints", async (IComplianceManager compliance, CancellationToken ct)
            => TypedResults.Ok(await compliance.ListAuditCheckpointsAsync(ct)))
            .WithName("ListAuditCheckpoints");
    }

    /// <summary>Filters of an audit query.</summary>
    internal sealed record AuditParameters(
        [FromQuery(Name = "subject")] string? Subject,
        [FromQuery(Name = "action")] string? Action,
        [FromQuery(Name = "actor")] string? Actor,
        [FromQuery(Name = "from")] DateTimeOffset? From,
        [FromQuery(Name = "to")] DateTimeOffset? To,
        [FromQuery(Name = "page_size")] int? PageSize,
        [FromQuery(Name = "page_token")] string? PageToken)
    {
        public AuditQuery ToQuery() => new()
        {
            Subject = Subject,
            Action = Action,
            Actor = Actor,
            From = From,
            To = To,
            PageSize = PageSize ?? 100,
            ContinuationToken = PageToken,
        };
    }
}

/// <summary>A compliance check as the API lists it.</summary>
/// <param name="Name">The check's name (waivers refer to it).</param>
/// <param name="Version">The check's version.</param>
/// <param name="RiskTiers">The tiers it applies to.</param>
/// <param name="TargetStages">The stages it applies to.</param>
internal sealed record ComplianceCheckInfo(string Name, string Version, IReadOnlyList<RiskTier> RiskTiers, IReadOnlyList<ModelStage> TargetStages);

/// <summary>An approval request.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="TargetStage">The gated stage (Production, or Canary at High risk).</param>
/// <param name="Justification">Why the version should move.</param>
internal sealed record ApprovalRequestBody(string ModelName, string Version, ModelStage TargetStage, string Justification);

/// <summary>A review of an approval request.</summary>
/// <param name="Decision">Approve, Reject or RequestChanges.</param>
/// <param name="Comment">The reviewer's comment.</param>
/// <param name="Waivers">Failing checks waived, with a reason each (needs the Waiver role).</param>
internal sealed record ReviewBody(ReviewDecision Decision, string? Comment = null, IReadOnlyList<CheckWaiverRequest>? Waivers = null);

/// <summary>Why a request is withdrawn.</summary>
/// <param name="Reason">The reason.</param>
internal sealed record WithdrawBody(string? Reason = null);
