using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>
/// Separation of duties, roles and quorum as a table. Every case: a model owned by <c>olga</c> at a risk tier, a production
/// request by the requester, then review steps <c>actor:decision</c>; the expected result is the final state, or
/// <c>Code@step</c> when a step is refused (and a refused step changes nothing).
/// </summary>
/// <remarks>
/// Roles: <c>vic</c> viewer, <c>rita</c> reviewer, <c>wes</c> approver with the waiver permission, <c>ada</c> admin,
/// <c>nobody</c> none; everyone else has the default roles (contributor, reviewer, approver).
/// Steps: <c>approve</c>, <c>reject</c>, <c>changes</c>; <c>tier=High</c> raises the model's tier between reviews.
/// </remarks>
public sealed class ApprovalRulesTests
{
    public static TheoryData<string, RiskTier, string, string, string> Cases => new()
    {
        // name,                                       tier,              requester, steps,                                expected
        { "minimal: one approval decides",             RiskTier.Minimal,  "rob",  "carol:approve",                        "Approved" },
        { "limited: one approval decides",             RiskTier.Limited,  "rob",  "carol:approve",                        "Approved" },
        { "high: one approval is not enough",          RiskTier.High,     "rob",  "carol:approve",                        "Pending" },
        { "high: two distinct approvals decide",       RiskTier.High,     "rob",  "carol:approve dave:approve",           "Approved" },
        { "requester may not approve own request",     RiskTier.Minimal,  "rob",  "rob:approve",                          "Forbidden@0" },
        { "requester may not reject own request",      RiskTier.Minimal,  "rob",  "rob:reject",                           "Forbidden@0" },
        { "requester match ignores case",              RiskTier.Minimal,  "rob",  "ROB:approve",                          "Forbidden@0" },
        { "requester may not complete the quorum",     RiskTier.High,     "rob",  "carol:approve rob:approve",            "Forbidden@1" },
        { "same reviewer twice is one reviewer",       RiskTier.High,     "rob",  "carol:approve carol:approve",          "AlreadyExists@1" },
        { "distinct reviewers ignore case",            RiskTier.High,     "rob",  "carol:approve Carol:approve",          "AlreadyExists@1" },
        { "high: owner may not approve",               RiskTier.High,     "rob",  "olga:approve",                         "Forbidden@0" },
        { "high: owner may not approve (case)",        RiskTier.High,     "rob",  "OLGA:approve",                         "Forbidden@0" },
        { "high: owner may reject",                    RiskTier.High,     "rob",  "olga:reject",                          "Rejected" },
        { "high: owner may request changes",           RiskTier.High,     "rob",  "carol:approve olga:changes",           "ChangesRequested" },
        { "limited: owner may approve",                RiskTier.Limited,  "rob",  "olga:approve",                         "Approved" },
        { "high: owner may request, others approve",   RiskTier.High,     "olga", "carol:approve dave:approve",           "Approved" },
        { "viewer may not approve",                    RiskTier.Minimal,  "rob",  "vic:approve",                          "Forbidden@0" },
        { "viewer may not reject",                     RiskTier.Minimal,  "rob",  "vic:reject",                           "Forbidden@0" },
        { "reviewer may not approve",                  RiskTier.Minimal,  "rob",  "rita:approve",                         "Forbidden@0" },
        { "reviewer may request changes",              RiskTier.High,     "rob",  "rita:changes",                         "ChangesRequested" },
        { "actor without roles may do nothing",        RiskTier.Minimal,  "rob",  "nobody:reject",                        "Forbidden@0" },
        { "admin approves and counts",                 RiskTier.High,     "rob",  "ada:approve carol:approve",            "Approved" },
        { "one rejection decides a high request",      RiskTier.High,     "rob",  "carol:approve dave:reject",            "Rejected" },
        { "a decided request takes no more reviews",   RiskTier.Minimal,  "rob",  "carol:approve dave:approve",           "InvalidTransition@1" },
        { "a rejected request takes no more reviews",  RiskTier.High,     "rob",  "carol:reject dave:approve",            "InvalidTransition@1" },
        { "raising the tier raises the quorum",        RiskTier.Limited,  "rob",  "tier=High carol:approve",              "Pending" },
        { "raised tier: two approvals decide",         RiskTier.Limited,  "rob",  "tier=High carol:approve dave:approve", "Approved" },
        { "raised tier: owner may no longer approve",  RiskTier.Limited,  "rob",  "tier=High olga:approve",               "Forbidden@1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Separation_of_duties_roles_and_quorum(string name, RiskTier tier, string requester, string steps, string expected)
    {
        _ = name;
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: tier, owners: ["olga"]);
        var request = await host.AsAsync(requester, () => host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready"));
        request.RequiredApprovals.Should().Be(tier == RiskTier.High ? 2 : 1);

        var stepList = steps.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < stepList.Length; i++)
        {
            if (stepList[i].StartsWith("tier=", StringComparison.Ordinal))
            {
                await host.AsAsync("ada", () => host.Registry.UpdateModelAsync("fraud", new ModelUpdate { RiskTier = Enum.Parse<RiskTier>(stepList[i]["tier=".Length..]) }));
                continue;
            }

            var (actor, decision) = (stepList[i].Split(':')[0], stepList[i].Split(':')[1] switch
            {
                "approve" => ReviewDecision.Approve,
                "reject" => ReviewDecision.Reject,
                _ => ReviewDecision.RequestChanges,
            });
            var before = await host.Compliance.GetApprovalAsync(request.Id);
            var sequenceBefore = await host.Store.GetChangeSequenceAsync(CancellationToken.None);
            try
            {
                await host.AsAsync(actor, () => host.Compliance.ReviewAsync(request.Id, decision, decision == ReviewDecision.Approve ? null : "needs work"));
            }
            catch (ModelRegistryException ex)
            {
                $"{ex.Code}@{i}".Should().Be(expected, ex.Message);
                (await host.Compliance.GetApprovalAsync(request.Id)).Should().BeEquivalentTo(before, "a refused review changes nothing");
                (await host.Store.GetChangeSequenceAsync(CancellationToken.None)).Should().Be(sequenceBefore, "a refused review writes no audit record");
                return;
            }
        }

        var final = await host.Compliance.GetApprovalAsync(request.Id);
        final.State.ToString().Should().Be(expected);
    }

    [Fact]
    public async Task The_quorum_per_tier_is_configurable()
    {
        await using var host = ComplianceHost.Create(o => o.RequiredApprovals = new Dictionary<RiskTier, int> { [RiskTier.Minimal] = 2, [RiskTier.High] = 3 });
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        request.RequiredApprovals.Should().Be(2);
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        (await host.Compliance.GetApprovalAsync(request.Id)).State.Should().Be(ApprovalState.Pending);
        var approved = await host.AsAsync("dave", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        approved.State.Should().Be(ApprovalState.Approved);
        approved.Approvers.Should().Equal("carol", "dave");
        approved.DecidedBy.Should().Be("dave");
    }

    /// <summary>Waivers: version 1.0.0 has an artifact without SHA-256, so the security check fails.</summary>
    public static TheoryData<string, RiskTier, string, string> WaiverCases => new()
    {
        // name,                                            tier,             steps (actor:decision[:waive=check:reason], separated by ';'), expected
        { "a failing check blocks approval",                RiskTier.Minimal, "carol:approve",                                        "PolicyViolation@0" },
        { "waiving needs the waiver permission",            RiskTier.Minimal, "carol:approve:waive=security:accepted risk",           "Forbidden@0" },
        { "a waiver needs a reason",                        RiskTier.Minimal, "wes:approve:waive=security: ",                         "InvalidArgument@0" },
        { "only failing checks can be waived",              RiskTier.Minimal, "wes:approve:waive=gdpr:not needed",                    "InvalidArgument@0" },
        { "waivers go with approvals only",                 RiskTier.Minimal, "wes:reject:waive=security:x",                          "InvalidArgument@0" },
        { "an explicit waiver with reason unblocks",        RiskTier.Minimal, "wes:approve:waive=security:hash recorded offline",     "Approved" },
        { "a recorded waiver holds for later approvers",    RiskTier.High,    "wes:approve:waive=security:hash recorded offline; carol:approve", "Approved" },
        { "rejecting needs no waiver",                      RiskTier.Minimal, "carol:reject",                                         "Rejected" },
    };

    [Theory]
    [MemberData(nameof(WaiverCases))]
    public async Task Failing_checks_block_approval_unless_explicitly_waived(string name, RiskTier tier, string steps, string expected)
    {
        _ = name;
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: tier, artifacts: [new ModelArtifact(ArtifactType.Weights, "s3://m/w.bin", null, 10, "MIT")]);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        request.Checks.FailedChecks.Should().Equal(BuiltInChecks.Security);
        request.BlockingChecks.Should().Equal(BuiltInChecks.Security);

        var stepList = steps.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < stepList.Length; i++)
        {
            var parts = stepList[i].Split(':', 4);
            var decision = parts[1] == "approve" ? ReviewDecision.Approve : ReviewDecision.Reject;
            IReadOnlyList<CheckWaiverRequest>? waivers = parts.Length > 2
                ? [new CheckWaiverRequest(parts[2]["waive=".Length..], parts.Length > 3 ? parts[3] : string.Empty)]
                : null;
            try
            {
                await host.AsAsync(parts[0], () => host.Compliance.ReviewAsync(request.Id, decision, decision == ReviewDecision.Approve ? null : "no", waivers));
            }
            catch (ModelRegistryException ex)
            {
                $"{ex.Code}@{i}".Should().Be(expected, ex.Message);
                (await host.Compliance.GetApprovalAsync(request.Id)).Reviews.Should().BeEmpty();
                return;
            }
        }

        var final = await host.Compliance.GetApprovalAsync(request.Id);
        final.State.ToString().Should().Be(expected);
        if (final.State == ApprovalState.Approved)
        {
            final.Waivers.Should().ContainSingle().Which.Should().Match<CheckWaiver>(w => w.CheckName == BuiltInChecks.Security && w.WaivedBy == "wes" && w.Reason == "hash recorded offline");
            final.BlockingChecks.Should().BeEmpty();
            var audit = await host.Compliance.QueryAuditAsync(new ModelRegistry.Audit.AuditQuery { Action = "approval.check_waived" });
            audit.Items.Should().ContainSingle().Which.Data.Should().Contain("hash recorded offline");
        }
    }
}
