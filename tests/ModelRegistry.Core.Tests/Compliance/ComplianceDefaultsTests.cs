using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>Every default the issue names, as a value and as behaviour at its boundary; and that each one is an option.</summary>
public sealed class ComplianceDefaultsTests
{
    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var o = new ComplianceOptions();
        o.MinimumDisparateImpactRatio.Should().Be(0.8, "the four-fifths rule");
        o.MaximumDemographicParityDifference.Should().Be(0.1);
        o.MaximumErrorRateGap.Should().Be(0.1);
        o.RequiredApprovals.Should().BeEquivalentTo(new Dictionary<RiskTier, int> { [RiskTier.Minimal] = 1, [RiskTier.Limited] = 1, [RiskTier.High] = 2, [RiskTier.Unacceptable] = 2 });
        o.ApprovalValidity.Should().Be(TimeSpan.FromDays(30));
        o.RequireApprovalForProduction.Should().BeTrue();
        o.RequireApprovalForHighRiskCanary.Should().BeTrue();
        o.GroupResultsRequiredFrom.Should().Be(RiskTier.High);
        o.ObservedMetricsWindow.Should().Be(TimeSpan.FromDays(7));
        o.MinimumObservedSamples.Should().Be(30);
        o.ObservedMetricsRequiredFor.Should().Equal(ModelStage.Production);
        o.ObservedThresholds.Should().BeEmpty();
        o.CheckScopes.Should().BeEmpty();
        o.RequiredDocumentationFields.Should().Equal(ComplianceFields.IntendedUse, ComplianceFields.Limitations);
    }

    [Fact]
    public async Task Built_in_checks_declare_the_documented_tiers_and_stages()
    {
        await using var host = ComplianceHost.Create();
        var all = new[] { RiskTier.Minimal, RiskTier.Limited, RiskTier.High, RiskTier.Unacceptable };
        var limitedUp = new[] { RiskTier.Limited, RiskTier.High, RiskTier.Unacceptable };
        var scopes = host.Compliance.Checks.ToDictionary(c => c.Name, c => (Tiers: c.RiskTiers.ToArray(), Stages: c.TargetStages.ToArray()));
        scopes.Keys.Should().Equal(BuiltInChecks.EuAiAct, BuiltInChecks.Gdpr, BuiltInChecks.Fairness, BuiltInChecks.Bias, BuiltInChecks.Security, BuiltInChecks.EvaluationThresholds, BuiltInChecks.Documentation);
        foreach (var (name, (tiers, stages)) in scopes)
        {
            tiers.Should().BeEquivalentTo(name is BuiltInChecks.Fairness or BuiltInChecks.Bias ? limitedUp : all, name);
            stages.Should().BeEquivalentTo([ModelStage.Staging, ModelStage.Canary, ModelStage.Production], name);
        }
    }

    [Fact]
    public async Task A_check_scope_option_replaces_the_tiers_and_stages_a_check_declares()
    {
        await using var host = ComplianceHost.Create(o => o.CheckScopes = new Dictionary<string, ComplianceCheckScope>
        {
            [BuiltInChecks.Fairness] = new([RiskTier.Minimal, RiskTier.Limited, RiskTier.High], [ModelStage.Production]),
            [BuiltInChecks.Security] = new([RiskTier.High], [ModelStage.Production]),
        });
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        (await host.CheckAsync(BuiltInChecks.Fairness)).Outcome.Should().Be(ComplianceOutcome.Pass, "fairness now applies at Minimal risk");
        var staging = await host.CheckAsync(BuiltInChecks.Fairness, target: ModelStage.Staging);
        staging.Outcome.Should().Be(ComplianceOutcome.NotApplicable);
        staging.Findings.Single().Message.Should().Contain("Production");
        (await host.CheckAsync(BuiltInChecks.Security)).Outcome.Should().Be(ComplianceOutcome.NotApplicable);
        (await host.CheckAsync(BuiltInChecks.Bias)).Outcome.Should().Be(ComplianceOutcome.NotApplicable, "checks not listed keep their own scope");
    }

    private static string Name(string metric, string group) => GroupMetrics.Name(metric, "gender", group);

    [Theory]
    [InlineData(0.40, 0.50, ComplianceOutcome.Pass)]   // ratio exactly 0.8, difference exactly 0.1
    [InlineData(0.39, 0.49, ComplianceOutcome.Fail)]   // ratio 0.796 < 0.8
    [InlineData(0.70, 0.81, ComplianceOutcome.Fail)]   // ratio 0.864, difference 0.11 > 0.1
    public async Task Fairness_defaults_are_four_fifths_and_a_parity_difference_of_one_tenth(double female, double male, ComplianceOutcome expected)
    {
        await using var host = ComplianceHost.Create();
        var metrics = new Dictionary<string, double>(ComplianceHost.CompliantMetrics) { [Name(GroupMetrics.SelectionRate, "female")] = female, [Name(GroupMetrics.SelectionRate, "male")] = male };
        await host.RegisterCompliantAsync(metrics: metrics);
        (await host.CheckAsync(BuiltInChecks.Fairness)).Outcome.Should().Be(expected);
    }

    [Theory]
    [InlineData(0.16, ComplianceOutcome.Pass)]   // gap exactly 0.1 to male's 0.06
    [InlineData(0.17, ComplianceOutcome.Fail)]
    public async Task Bias_default_gap_is_one_tenth(double femaleFpr, ComplianceOutcome expected)
    {
        await using var host = ComplianceHost.Create();
        var metrics = new Dictionary<string, double>(ComplianceHost.CompliantMetrics) { [Name(GroupMetrics.FalsePositiveRate, "female")] = femaleFpr };
        await host.RegisterCompliantAsync(metrics: metrics);
        (await host.CheckAsync(BuiltInChecks.Bias)).Outcome.Should().Be(expected);
    }
}
