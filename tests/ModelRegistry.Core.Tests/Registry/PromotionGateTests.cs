using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class PromotionGateTests
{
    // These tests are about the gate seam itself; the compliance approval gate (on by default) is tested in Compliance/.
    private static void WithoutApprovals(ComplianceOptions o) => o.RequireApprovalForProduction = false;

    private sealed class NoFridayProductionGate : IPromotionGate
    {
        public List<PromotionContext> Seen { get; } = [];

        public string Name => "no-production-on-friday";

        public ValueTask<GateDecision> EvaluateAsync(PromotionContext context, CancellationToken cancellationToken)
        {
            Seen.Add(context);
            return ValueTask.FromResult(context.TargetStage == ModelStage.Production
                ? GateDecision.Deny("production changes are frozen; ask the release manager.")
                : GateDecision.Allow);
        }
    }

    [Fact]
    public async Task A_denying_gate_stops_the_transition_names_itself_and_changes_nothing()
    {
        var gate = new NoFridayProductionGate();
        await using var mr = ModelRegistryServices.Create(b =>
        {
            b.Services.AddSingleton<IPromotionGate>(gate);
            b.ConfigureCompliance(WithoutApprovals);
        });
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        await mr.Registry.CreateVersionAsync("m", new CreateVersionRequest { Version = "1.0.0" });
        await mr.Registry.TransitionStageAsync("m", "1.0.0", ModelStage.Staging);
        var before = await mr.Registry.GetVersionAsync("m", "1.0.0");
        var auditBefore = (await mr.AuditTrail.VerifyAsync()).RecordsChecked;

        var act = () => mr.Registry.TransitionStageAsync("m", "1.0.0", ModelStage.Production, new StageTransitionOptions { Reason = "ship it" });
        var ex = (await act.Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("no-production-on-friday").And.Contain("frozen");

        (await mr.Registry.GetVersionAsync("m", "1.0.0")).Should().BeEquivalentTo(before);
        (await mr.AuditTrail.VerifyAsync()).RecordsChecked.Should().Be(auditBefore);
        gate.Seen.Should().HaveCount(2);
        gate.Seen[^1].Reason.Should().Be("ship it");
        gate.Seen[^1].Version.Stage.Should().Be(ModelStage.Staging);
    }

    [Fact]
    public async Task Gates_registered_through_the_builder_are_resolved_from_the_container()
    {
        await using var mr = ModelRegistryServices.Create(b => b.AddPromotionGate<NoFridayProductionGate>().ConfigureCompliance(WithoutApprovals));
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        await mr.Registry.CreateVersionAsync("m", new CreateVersionRequest { Version = "1.0.0" });
        await mr.Registry.TransitionStageAsync("m", "1.0.0", ModelStage.Staging);
        var act = () => mr.Registry.TransitionStageAsync("m", "1.0.0", ModelStage.Production);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.PolicyViolation);
    }
}
