using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>The compliance promotion gate, plugged into the registry's gate seam.</summary>
public sealed class ComplianceGateTests
{
    private static async Task<ApprovalRequest> ApproveAsync(ComplianceHost host, string version, ModelStage stage, params string[] reviewers)
    {
        var request = await host.Compliance.RequestApprovalAsync("fraud", version, stage, "ready");
        foreach (var r in reviewers.DefaultIfEmpty("carol"))
        {
            request = await host.AsAsync(r, () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        }

        return request;
    }

    private static async Task<ModelRegistryException> RefusedAsync(ComplianceHost host, string version, ModelStage target)
    {
        var before = await host.Registry.GetVersionAsync("fraud", version);
        var sequence = await host.Store.GetChangeSequenceAsync(CancellationToken.None);
        var ex = (await host.Invoking(h => h.Registry.TransitionStageAsync("fraud", version, target, target == ModelStage.Canary ? new StageTransitionOptions { CanaryTrafficPercent = 10 } : null))
            .Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.PolicyViolation);
        (await host.Registry.GetVersionAsync("fraud", version)).Should().BeEquivalentTo(before);
        (await host.Store.GetChangeSequenceAsync(CancellationToken.None)).Should().Be(sequence);
        return ex;
    }

    [Fact]
    public async Task Promote_to_production_without_approval_is_refused_says_what_is_missing_and_changes_nothing()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        var ex = await RefusedAsync(host, "1.0.0", ModelStage.Production);
        ex.Message.Should().Contain("compliance-approval").And.Contain("no approved, unexpired approval request for Production")
            .And.Contain("2 distinct approvers at High risk").And.Contain("RequestApprovalAsync(\"fraud\", \"1.0.0\", ModelStage.Production");
    }

    [Fact]
    public async Task An_approved_request_for_the_exact_version_and_stage_lets_the_promotion_through()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain($"Request {request.Id} is Pending with 1 of 2 approvals");

        await host.AsAsync("dave", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        var promoted = await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production);
        promoted.Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public async Task An_approval_is_for_one_version_and_one_stage()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        await host.RegisterCompliantAsync(tier: RiskTier.High, version: "1.1.0");
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        await host.Registry.TransitionStageAsync("fraud", "1.1.0", ModelStage.Staging);
        await ApproveAsync(host, "1.0.0", ModelStage.Canary, "carol", "dave");
        await ApproveAsync(host, "1.1.0", ModelStage.Production, "carol", "dave");

        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain("for Production");
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 5 });
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        (await RefusedAsync(host, "1.1.0", ModelStage.Canary)).Message.Should().Contain("for Canary");
        await host.Registry.TransitionStageAsync("fraud", "1.1.0", ModelStage.Production);
    }

    [Theory]
    [InlineData(RiskTier.High, true)]
    [InlineData(RiskTier.Limited, false)]
    [InlineData(RiskTier.Minimal, false)]
    public async Task Canary_needs_an_approval_only_at_high_risk(RiskTier tier, bool gated)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: tier);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        if (gated)
        {
            await RefusedAsync(host, "1.0.0", ModelStage.Canary);
        }
        else
        {
            (await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 10 })).Stage.Should().Be(ModelStage.Canary);
        }
    }

    [Fact]
    public async Task Expired_withdrawn_and_rejected_approvals_do_not_count()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        var approved = await ApproveAsync(host, "1.0.0", ModelStage.Production);
        host.Time.Advance(TimeSpan.FromDays(31));
        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain($"Request {approved.Id} is Expired");

        var second = await ApproveAsync(host, "1.0.0", ModelStage.Production);
        await host.Compliance.WithdrawApprovalAsync(second.Id, "hold");
        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain($"Request {second.Id} is Withdrawn");

        var third = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "again");
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(third.Id, ReviewDecision.Reject, "accuracy too low"));
        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain($"Request {third.Id} is Rejected");
    }

    [Fact]
    public async Task Raising_the_risk_tier_after_approval_requires_the_higher_quorum()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Limited);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        await ApproveAsync(host, "1.0.0", ModelStage.Production, "carol");
        await host.Registry.UpdateModelAsync("fraud", new ModelUpdate { RiskTier = RiskTier.High });
        (await RefusedAsync(host, "1.0.0", ModelStage.Production)).Message.Should().Contain("by 1, but High risk now needs 2");
    }

    [Fact]
    public async Task Staging_and_demotions_need_no_approval()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Deprecated);
        (await host.Registry.GetVersionAsync("fraud", "1.0.0")).Stage.Should().Be(ModelStage.Deprecated);
    }

    [Fact]
    public async Task The_gate_can_be_turned_off_by_options()
    {
        await using var host = ComplianceHost.Create(o => { o.RequireApprovalForProduction = false; o.RequireApprovalForHighRiskCanary = false; });
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 10 });
        (await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production)).Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public async Task Rollback_is_not_gated()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal, version: "1.1.0");
        foreach (var v in new[] { "1.0.0", "1.1.0" })
        {
            await host.Registry.TransitionStageAsync("fraud", v, ModelStage.Staging);
            await ApproveAsync(host, v, ModelStage.Production);
            await host.Registry.TransitionStageAsync("fraud", v, ModelStage.Production);
        }

        var rollback = await host.Registry.RollbackAsync("fraud", "error rate doubled");
        rollback.Restored.Version.ToString().Should().Be("1.0.0");
    }
}
