using Microsoft.Extensions.Options;
using ModelRegistry.Compliance;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

public sealed class ComplianceRegistrationTests
{
    public static TheoryData<string, Action<ComplianceOptions>> BadOptions => new()
    {
        { "ApprovalValidity", o => o.ApprovalValidity = TimeSpan.Zero },
        { "RequiredApprovals[High]", o => o.RequiredApprovals = new Dictionary<RiskTier, int> { [RiskTier.High] = 0 } },
        { "RequiredApprovals[High]", o => o.RequiredApprovals = new Dictionary<RiskTier, int> { [RiskTier.Minimal] = 3, [RiskTier.High] = 2 } },
        { "MinimumDisparateImpactRatio", o => o.MinimumDisparateImpactRatio = 1.5 },
        { "MaximumErrorRateGap", o => o.MaximumErrorRateGap = double.NaN },
        { "CheckpointSigningKey", o => o.CheckpointSigningKey = new byte[16] },
        { "CheckpointEvery", o => o.CheckpointEvery = -1 },
        { "EvaluationThresholds", o => o.EvaluationThresholds = [new EvaluationThreshold("accuracy")] },
        { "EvaluationThresholds", o => o.EvaluationThresholds = [new EvaluationThreshold("accuracy", Minimum: 0.9, Maximum: 0.5)] },
        { "RequiredDocumentationFields", o => o.RequiredDocumentationFields = [" "] },
        { "DefaultRoles", o => o.DefaultRoles = (ComplianceRoles)1024 },
        { "CheckpointKeyId", o => o.CheckpointKeyId = "" },
        { "GroupResultsRequiredFrom", o => o.GroupResultsRequiredFrom = (RiskTier)9 },
        { "ObservedMetricsWindow", o => o.ObservedMetricsWindow = TimeSpan.Zero },
        { "MinimumObservedSamples", o => o.MinimumObservedSamples = 0 },
        { "ObservedMetricsRequiredFor", o => o.ObservedMetricsRequiredFor = [(ModelStage)42] },
        { "ObservedThresholds", o => o.ObservedThresholds = [new ObservedMetricThreshold(MetricKey.Latency)] },
        { "ObservedThresholds", o => o.ObservedThresholds = [new ObservedMetricThreshold(MetricKey.Custom("no spaces"), Maximum: 1)] },
        { "ObservedThresholds", o => o.ObservedThresholds = [new ObservedMetricThreshold(MetricKey.Latency, Minimum: 2, Maximum: 1)] },
        { "CheckScopes['fairness']", o => o.CheckScopes = new Dictionary<string, ComplianceCheckScope> { [BuiltInChecks.Fairness] = new([RiskTier.High], null!) } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_compliance_options_fail_at_start_up_naming_the_option(string option, Action<ComplianceOptions> configure)
    {
        var act = () => ModelRegistryServices.Create(b => b.ConfigureCompliance(configure));
        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain($"ComplianceOptions.{option}");
    }

    private sealed class EveryoneIsAdmin : IComplianceRoleProvider
    {
        public ValueTask<ComplianceRoles> GetRolesAsync(string actor, string? modelName, CancellationToken cancellationToken)
            => ValueTask.FromResult(ComplianceRoles.Admin);
    }

    private sealed class NobodyMayDoAnything : IComplianceRoleProvider
    {
        public ValueTask<ComplianceRoles> GetRolesAsync(string actor, string? modelName, CancellationToken cancellationToken)
            => ValueTask.FromResult(ComplianceRoles.None);
    }

    [Fact]
    public async Task The_role_provider_is_replaceable_and_separation_of_duties_still_holds()
    {
        await using var admins = ComplianceHost.Create(configure: b => b.UseComplianceRoles<EveryoneIsAdmin>());
        await admins.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await admins.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        (await admins.Invoking(h => h.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve)).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.Forbidden, "even an admin does not review their own request");

        await using var locked = ComplianceHost.Create(o => o.Roles = new Dictionary<string, ComplianceRoles>(), configure: b => b.UseComplianceRoles<NobodyMayDoAnything>());
        await locked.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var ex = (await locked.Invoking(h => h.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready")).Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.Forbidden);
        ex.Message.Should().Contain("'rob' may not request approvals").And.Contain("Contributor");
    }

    [Fact]
    public async Task Default_roles_can_require_explicit_grants()
    {
        await using var host = ComplianceHost.Create(o =>
        {
            o.DefaultRoles = ComplianceRoles.Viewer;
            o.Roles = new Dictionary<string, ComplianceRoles> { ["rob"] = ComplianceRoles.Contributor, ["carol"] = ComplianceRoles.Approver };
        });
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        (await host.AsAsync("dave", () => host.Invoking(h => h.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve)).Should().ThrowAsync<ModelRegistryException>())).Which.Code.Should().Be(ErrorCode.Forbidden);
        (await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve))).State.Should().Be(ApprovalState.Approved);
        (await host.AsAsync("dave", () => host.Compliance.GetApprovalAsync(request.Id))).State.Should().Be(ApprovalState.Approved, "viewers read");
    }

    [Fact]
    public void The_approval_gate_and_the_built_in_checks_are_registered_once()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry();
        services.AddModelRegistry();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetServices<IPromotionGate>().Select(g => g.Name).Should().Equal("compliance-approval");
        provider.GetServices<IComplianceCheck>().Select(c => c.Name).Should().Equal(
            BuiltInChecks.EuAiAct, BuiltInChecks.Gdpr, BuiltInChecks.Fairness, BuiltInChecks.Bias, BuiltInChecks.Security, BuiltInChecks.EvaluationThresholds, BuiltInChecks.Documentation);
        provider.GetRequiredService<IComplianceManager>().Should().BeSameAs(provider.GetRequiredService<IComplianceManager>());
    }
}
