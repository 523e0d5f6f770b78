using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

public sealed class ApprovalWorkflowTests
{
    [Fact]
    public async Task A_request_runs_the_checks_stores_their_results_and_is_audited_in_the_same_commit()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        var before = await host.Store.GetChangeSequenceAsync(CancellationToken.None);

        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "Q1 retrain beats 0.9 accuracy");

        request.Id.Should().StartWith("apr-");
        request.State.Should().Be(ApprovalState.Pending);
        request.RequestedBy.Should().Be("rob");
        request.RequestedAt.Should().Be(host.Time.GetUtcNow());
        request.ExpiresAt.Should().Be(host.Time.GetUtcNow().AddDays(30));
        request.RequiredApprovals.Should().Be(2);
        request.VersionContentHash.Should().Be((await host.Registry.GetVersionAsync("fraud", "1.0.0")).ContentHash);
        request.Checks.Results.Should().HaveCount(7);
        request.Checks.Outcome.Should().Be(ComplianceOutcome.Pass);

        var records = (await host.Compliance.QueryAuditAsync(new AuditQuery { Action = "approval.requested" })).Items;
        records.Should().ContainSingle().Which.Should().Match<AuditRecord>(r => r.Sequence == before + 1 && r.Subject == "version:fraud/1.0.0" && r.Actor == "rob");
        records[0].Data.Should().Contain(request.Id).And.Contain("Q1 retrain").And.Contain("eu-ai-act");
        (await host.Store.GetChangeSequenceAsync(CancellationToken.None)).Should().Be(before + 1, "the request and its audit record are one commit");
        (await host.Compliance.GetApprovalAsync(request.Id)).Should().BeEquivalentTo(request);
    }

    [Fact]
    public async Task Bad_requests_are_refused_and_change_nothing()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "social-scoring", Owners = ["o"], RiskTier = RiskTier.Unacceptable });
        await host.Registry.CreateVersionAsync("social-scoring", new CreateVersionRequest { Version = "1.0.0" });
        var before = await host.Store.GetChangeSequenceAsync(CancellationToken.None);

        async Task Refused(Func<Task> call, ErrorCode code)
            => (await call.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(code);

        await Refused(() => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Development, "x"), ErrorCode.InvalidArgument);
        await Refused(() => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Archived, "x"), ErrorCode.InvalidArgument);
        await Refused(() => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, " "), ErrorCode.InvalidArgument);
        await Refused(() => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, new string('x', 10_001)), ErrorCode.InvalidArgument);
        await Refused(() => host.Compliance.RequestApprovalAsync("fraud", "2.0.0", ModelStage.Production, "x"), ErrorCode.NotFound);
        await Refused(() => host.Compliance.RequestApprovalAsync("nope", "1.0.0", ModelStage.Production, "x"), ErrorCode.NotFound);
        await Refused(() => host.Compliance.RequestApprovalAsync("social-scoring", "1.0.0", ModelStage.Staging, "x"), ErrorCode.PolicyViolation);
        await Refused(() => host.AsAsync("vic", () => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "x")), ErrorCode.Forbidden);
        await Refused(() => host.Compliance.ReviewAsync("apr-missing", ReviewDecision.Approve), ErrorCode.NotFound);
        await Refused(() => host.Compliance.ReviewAsync("apr-missing", ReviewDecision.Reject), ErrorCode.InvalidArgument);
        await Refused(() => host.Compliance.ReviewAsync("apr-missing", (ReviewDecision)42), ErrorCode.InvalidArgument);

        (await host.Store.GetChangeSequenceAsync(CancellationToken.None)).Should().Be(before);
        (await host.Compliance.ListPendingApprovalsAsync()).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task At_most_one_request_is_pending_per_version_and_stage()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        var first = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "one");
        var ex = (await host.Invoking(h => h.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "two")).Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.AlreadyExists);
        ex.Message.Should().Contain(first.Id);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var canary = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Canary, "another stage is another request");
        await host.Compliance.WithdrawApprovalAsync(first.Id, "wrong justification");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var again = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "three");
        (await host.Compliance.GetApprovalHistoryAsync("FRAUD", "1.0.0")).Select(r => (r.Id, r.State)).Should().Equal(
            (first.Id, ApprovalState.Withdrawn), (canary.Id, ApprovalState.Pending), (again.Id, ApprovalState.Pending));
    }

    [Fact]
    public async Task Concurrent_requests_for_the_same_slot_leave_exactly_one_pending()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, $"attempt {i}");
                return true;
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.AlreadyExists or ErrorCode.ConcurrencyConflict)
            {
                return false;
            }
        })));
        attempts.Count(ok => ok).Should().Be(1);
        (await host.Compliance.ListPendingApprovalsAsync()).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task Concurrent_approvals_by_different_reviewers_are_both_counted()
    {
        await using var host = ComplianceHost.Create(o => o.RequiredApprovals = new Dictionary<RiskTier, int> { [RiskTier.High] = 4 });
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");

        string[] reviewers = ["carol", "dave", "erin", "frank"];
        await Task.WhenAll(reviewers.Select(r => Task.Run(() => host.AsAsync(r, () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve)))));

        var final = await host.Compliance.GetApprovalAsync(request.Id);
        final.State.Should().Be(ApprovalState.Approved);
        final.Approvers.Should().BeEquivalentTo(reviewers);
        var audit = (await host.Compliance.QueryAuditAsync(new AuditQuery { Subject = "version:fraud/1.0.0" })).Items.Select(r => r.Action).ToList();
        audit.Count(a => a == "approval.reviewed").Should().Be(4);
        audit.Should().EndWith("approval.approved");
    }

    [Fact]
    public async Task Requests_expire_after_the_configured_validity()
    {
        await using var host = ComplianceHost.Create(o => o.ApprovalValidity = TimeSpan.FromDays(7));
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        request.ExpiresAt.Should().Be(host.Time.GetUtcNow().AddDays(7));

        host.Time.Advance(TimeSpan.FromDays(7));
        (await host.Compliance.GetApprovalAsync(request.Id)).State.Should().Be(ApprovalState.Expired);
        (await host.Compliance.ListPendingApprovalsAsync()).Items.Should().BeEmpty();
        var late = await host.AsAsync("carol", () => host.Invoking(h => h.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve)).Should().ThrowAsync<ModelRegistryException>());
        late.Which.Code.Should().Be(ErrorCode.InvalidTransition);
        late.Which.Message.Should().Contain("Expired");

        var renewed = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "again");
        (await host.Compliance.GetApprovalHistoryAsync("fraud", "1.0.0")).Select(r => r.State).Should().Equal(ApprovalState.Expired, ApprovalState.Pending);
        (await host.Compliance.QueryAuditAsync(new AuditQuery { Action = "approval.expired" })).Items.Should().ContainSingle().Which.Data.Should().Contain(request.Id);
        renewed.State.Should().Be(ApprovalState.Pending);
    }

    [Fact]
    public async Task An_approved_request_also_expires()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        host.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMilliseconds(1));
        (await host.Compliance.GetApprovalAsync(request.Id)).State.Should().Be(ApprovalState.Approved);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await host.Compliance.GetApprovalAsync(request.Id)).State.Should().Be(ApprovalState.Expired);
    }

    [Fact]
    public async Task Withdrawal_is_for_the_requester_or_an_admin_and_only_while_open()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        (await host.AsAsync("carol", () => host.Invoking(h => h.Compliance.WithdrawApprovalAsync(request.Id)).Should().ThrowAsync<ModelRegistryException>())).Which.Code.Should().Be(ErrorCode.Forbidden);
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));

        var withdrawn = await host.AsAsync("ada", () => host.Compliance.WithdrawApprovalAsync(request.Id, "release postponed"));
        withdrawn.State.Should().Be(ApprovalState.Withdrawn);
        withdrawn.DecidedBy.Should().Be("ada");
        withdrawn.DecisionReason.Should().Be("release postponed");
        (await host.Invoking(h => h.Compliance.WithdrawApprovalAsync(request.Id)).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidTransition);
        (await host.Compliance.QueryAuditAsync(new AuditQuery { Action = "approval.withdrawn" })).Items.Should().ContainSingle().Which.Actor.Should().Be("ada");
    }

    [Fact]
    public async Task The_pending_queue_is_oldest_first_paged_and_filterable()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(name: "a");
        await host.RegisterCompliantAsync(name: "b");
        await host.RegisterCompliantAsync(name: "c");
        var ids = new List<string>();
        foreach (var (model, actor) in new[] { ("b", "rob"), ("a", "carol"), ("c", "rob") })
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            ids.Add((await host.AsAsync(actor, () => host.Compliance.RequestApprovalAsync(model, "1.0.0", ModelStage.Production, "ready"))).Id);
        }

        await host.AsAsync("dave", () => host.Compliance.ReviewAsync(ids[2], ReviewDecision.Approve));

        var page1 = await host.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { PageSize = 2 });
        page1.Items.Select(r => r.Id).Should().Equal(ids[0], ids[1]);
        var page2 = await host.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { PageSize = 2, ContinuationToken = page1.ContinuationToken });
        page2.Items.Select(r => r.Id).Should().Equal(ids[2]);
        page2.ContinuationToken.Should().BeNull();

        (await host.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { ModelName = "A" })).Items.Select(r => r.Id).Should().Equal(ids[1]);
        var forDave = await host.AsAsync("dave", () => host.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { ReviewableByMe = true }));
        forDave.Items.Select(r => r.Id).Should().Equal(ids[0], ids[1]);
        var forRob = await host.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { ReviewableByMe = true });
        forRob.Items.Select(r => r.Id).Should().Equal(ids[1]);

        (await host.Invoking(h => h.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { ContinuationToken = "garbage" })).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        (await host.Invoking(h => h.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { PageSize = 0 })).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task A_request_for_content_that_no_longer_exists_cannot_be_approved()
    {
        await using var host = ComplianceHost.Create(o => o.RequireApprovalForProduction = true);
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        await host.Registry.DeleteModelAsync("fraud");
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal, artifacts: [new ModelArtifact(ArtifactType.Weights, "s3://other/model.onnx", new string('e', 64), 5, "MIT")]);
        var ex = (await host.AsAsync("carol", () => host.Invoking(h => h.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve)).Should().ThrowAsync<ModelRegistryException>())).Which;
        ex.Code.Should().Be(ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("content hash changed");
    }
}
