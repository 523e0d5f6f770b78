using ModelRegistry.Compliance;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>
/// The fairness, bias and evaluation-thresholds checks reading observed metrics from the performance tracker: which
/// series they ask for, what they do with too little or no data, and what they cite.
/// </summary>
public sealed class ObservedEvidenceTests
{
    private static readonly MetricKey SelectionRate = MetricKey.Custom(GroupMetrics.SelectionRate);
    private static readonly MetricKey ErrorRate = MetricKey.Custom(GroupMetrics.ErrorRate);

    /// <summary>A High-risk model whose version has only an overall accuracy evaluated and gender groups declared.</summary>
    private static async Task<ComplianceHost> ObservedOnlyAsync(Action<ComplianceOptions>? options = null, RiskTier tier = RiskTier.High, bool performance = true)
    {
        var host = ComplianceHost.Create(options, performance: performance);
        var tags = new Dictionary<string, string>(ComplianceHost.CompliantModelTags) { [ComplianceFields.ProtectedGroupsPrefix + "gender"] = "female, male" };
        await host.RegisterCompliantAsync(tier: tier, modelTags: tags, metrics: new Dictionary<string, double> { ["accuracy"] = 0.93 }, observed: false);
        return host;
    }

    /// <summary>Records <paramref name="count"/> 0/1 outcomes per gender, now, with the given rates.</summary>
    private static void ObserveGenders(ComplianceHost host, MetricKey metric, double female, double male, int count = 50, int? femaleCount = null)
        => host.Performance!
            .ObserveRate("fraud", "1.0.0", metric, "gender", "female", female, femaleCount ?? count, host.Time.GetUtcNow())
            .ObserveRate("fraud", "1.0.0", metric, "gender", "male", male, count, host.Time.GetUtcNow());

    private static string Window(ComplianceHost host, int days = 7)
        => $"performance {new MetricWindow(host.Time.GetUtcNow().AddDays(-days), host.Time.GetUtcNow().AddTicks(1))}";

    [Fact]
    public async Task Fairness_asks_the_tracker_for_each_declared_group_over_the_window_and_cites_metric_window_and_count()
    {
        await using var host = await ObservedOnlyAsync();
        var now = host.Time.GetUtcNow();
        ObserveGenders(host, SelectionRate, female: 0.3, male: 0.5);

        var result = await host.CheckAsync(BuiltInChecks.Fairness);

        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("0.6") && f.Message.Contains(Window(host)));
        result.Findings.Should().Contain(f => f.Code == "fairness.demographic_parity");
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host), "selection_rate[gender=female]", "0.3 (mean of 50 points)"));
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host), "Custom:selection_rate by gender (female, male)", "100 points"));
        result.Evidence.Should().Contain(new ComplianceEvidence("model.tags", ComplianceFields.ProtectedGroupsPrefix + "gender", "female, male"));
        host.Performance!.Queries.Where(q => q.Metric == SelectionRate).Select(q => q.Dimensions!.Single()).Should().BeEquivalentTo(
            [new KeyValuePair<string, string>("gender", "female"), new KeyValuePair<string, string>("gender", "male")]);
        host.Performance.Queries.Should().OnlyContain(q => q.Window.From == now.AddDays(-7) && q.Window.Contains(now) && q.Subject == new MetricSubject("fraud", "1.0.0", null));
    }

    [Fact]
    public async Task Fairness_passes_observed_rates_within_the_bounds()
    {
        await using var host = await ObservedOnlyAsync();
        ObserveGenders(host, SelectionRate, female: 0.44, male: 0.5);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(ComplianceOutcome.Pass, string.Join("; ", result.Findings.Select(f => f.Message)));
    }

    [Fact]
    public async Task Bias_reads_observed_error_rate_and_accuracy_per_group()
    {
        await using var host = await ObservedOnlyAsync();
        ObserveGenders(host, ErrorRate, female: 0.1, male: 0.15, count: 40);
        ObserveGenders(host, MetricKey.Accuracy, female: 0.7, male: 0.9, count: 40);
        var result = await host.CheckAsync(BuiltInChecks.Bias);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Message.Should().Contain("accuracy by 'gender'").And.Contain("0.2");
        result.Findings.Should().Contain(f => f.Code == "bias.gap_ok" && f.Message.Contains("error_rate by 'gender'"));
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host), "Accuracy by gender (female, male)", "80 points"));
    }

    [Fact]
    public async Task A_group_with_too_few_observed_points_is_reported_and_left_out()
    {
        await using var host = await ObservedOnlyAsync();
        ObserveGenders(host, SelectionRate, female: 0.1, male: 0.5, count: 30, femaleCount: 29);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Findings.Should().Contain(f => f.Code == "fairness.too_few_samples" && f.Message.Contains("29") && f.Message.Contains("gender=female"));
        result.Findings.Should().Contain(f => f.Code == "fairness.single_group");
        result.Findings.Should().NotContain(f => f.Code == "fairness.disparate_impact", "the group below the minimum is not judged");
        result.Outcome.Should().Be(ComplianceOutcome.Warn);
    }

    [Fact]
    public async Task The_sample_minimum_and_window_are_options()
    {
        await using var host = await ObservedOnlyAsync(o => { o.MinimumObservedSamples = 5; o.ObservedMetricsWindow = TimeSpan.FromDays(1); });
        var now = host.Time.GetUtcNow();
        host.Performance!
            .ObserveRate("fraud", "1.0.0", SelectionRate, "gender", "female", 0.2, 10, now).ObserveRate("fraud", "1.0.0", SelectionRate, "gender", "male", 0.5, 10, now)
            .ObserveRate("fraud", "1.0.0", SelectionRate, "gender", "female", 0.5, 40, now.AddDays(-2));
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("0.4"), "the 10 recent points count, the 40 older than a day do not");
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host, days: 1), "selection_rate[gender=female]", "0.2 (mean of 10 points)"));
    }

    [Fact]
    public async Task A_declared_group_without_results_is_a_warning()
    {
        await using var host = ComplianceHost.Create();
        var tags = new Dictionary<string, string>(ComplianceHost.CompliantModelTags) { [ComplianceFields.ProtectedGroupsPrefix + "gender"] = "female, male, non_binary" };
        await host.RegisterCompliantAsync(modelTags: tags);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(ComplianceOutcome.Warn);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Warning).Which.Should().Match<ComplianceFinding>(f => f.Code == "fairness.group_missing" && f.Message.Contains("gender=non_binary"));
    }

    [Theory]
    [InlineData(ModelStage.Production, ComplianceOutcome.Warn)]
    [InlineData(ModelStage.Staging, ComplianceOutcome.Pass)]
    public async Task Evaluated_groups_without_observations_warn_only_where_observed_metrics_are_required(ModelStage target, ComplianceOutcome expected)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(observed: false);
        foreach (var check in new[] { BuiltInChecks.Fairness, BuiltInChecks.Bias })
        {
            var result = await host.CheckAsync(check, target: target);
            result.Outcome.Should().Be(expected, check);
            result.Findings.Should().Contain(f => f.Code == $"{check}.observed_missing" && f.Message.Contains("gender=<group>"));
            result.Evidence.Should().Contain(e => e.Source == Window(host) && e.Value == "0 points");
        }
    }

    [Fact]
    public async Task Without_a_performance_tracker_the_observations_are_reported_unavailable()
    {
        await using var host = ComplianceHost.Create(performance: false);
        await host.RegisterCompliantAsync();
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(ComplianceOutcome.Warn);
        result.Findings.Should().Contain(f => f.Code == "fairness.observed_unavailable");
    }

    [Theory]
    [InlineData(RiskTier.High, ComplianceOutcome.Fail)]
    [InlineData(RiskTier.Limited, ComplianceOutcome.Warn)]
    public async Task Declared_groups_with_no_data_anywhere_follow_the_missing_results_policy(RiskTier tier, ComplianceOutcome expected)
    {
        await using var host = await ObservedOnlyAsync(tier: tier);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(expected);
        result.Findings.Should().Contain(f => f.Code == "fairness.no_group_results");
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host), "Custom:selection_rate by gender (female, male)", "0 points"));
    }

    [Fact]
    public async Task The_tier_from_which_missing_group_results_fail_is_an_option()
    {
        await using var host = await ObservedOnlyAsync(o => o.GroupResultsRequiredFrom = RiskTier.Limited, tier: RiskTier.Limited);
        (await host.CheckAsync(BuiltInChecks.Bias)).Outcome.Should().Be(ComplianceOutcome.Fail);
    }

    [Theory]
    [InlineData("female,,", true)]
    [InlineData("", false)]
    [InlineData(" , ", false)]
    public async Task Protected_group_tags_must_list_groups(string value, bool valid)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        await host.Registry.SetVersionTagAsync("fraud", "1.0.0", ComplianceFields.ProtectedGroupsPrefix + "gender", value);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Findings.Any(f => f.Code == "fairness.protected_groups_invalid").Should().Be(!valid);
    }

    // ------------------------------------------------------------------ observed thresholds

    [Theory]
    [InlineData("Latency", "p95<=100", "thresholds.observed_met")]
    [InlineData("latency", "p99 < 80", "thresholds.observed_not_met")]
    [InlineData("LATENCY", "max<=89", "thresholds.observed_met")]
    [InlineData("latency", ">=70", "thresholds.observed_not_met")]
    [InlineData("custom:latency", "<=100", "thresholds.observed_missing")]
    [InlineData("toxicity_rate", "<=0.01", "thresholds.observed_missing")]
    [InlineData("latency", "p42<=1", "thresholds.invalid")]
    [InlineData("bad name!", "<=1", "thresholds.invalid")]
    public async Task Observed_threshold_tags_name_a_metric_a_statistic_and_a_bound(string metric, string value, string code)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        host.Performance!.Observe("fraud", "1.0.0", MetricKey.Latency, Enumerable.Range(50, 40).Select(i => (double)i), host.Time.GetUtcNow());
        await host.Registry.SetVersionTagAsync("fraud", "1.0.0", ComplianceFields.ObservedThresholdPrefix + metric, value);
        var result = await host.CheckAsync(BuiltInChecks.EvaluationThresholds);
        result.Findings.Should().Contain(f => f.Code == code, string.Join("; ", result.Findings.Select(f => f.Message)));
        result.Outcome.Should().Be(code == "thresholds.observed_met" ? ComplianceOutcome.Pass : ComplianceOutcome.Fail);
    }

    [Fact]
    public async Task Observed_thresholds_from_options_need_enough_points_and_are_not_judged_before_production_by_default()
    {
        await using var host = ComplianceHost.Create(o => o.ObservedThresholds = [new ObservedMetricThreshold(MetricKey.Custom("toxicity_rate"), Maximum: 0.01)]);
        await host.RegisterCompliantAsync();
        host.Performance!.Observe("fraud", "1.0.0", MetricKey.Custom("toxicity_rate"), Enumerable.Repeat(0.0, 29), host.Time.GetUtcNow());
        var tooFew = await host.CheckAsync(BuiltInChecks.EvaluationThresholds);
        tooFew.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Should().Match<ComplianceFinding>(f => f.Code == "thresholds.observed_too_few" && f.Message.Contains("29"));

        var canary = await host.CheckAsync(BuiltInChecks.EvaluationThresholds, target: ModelStage.Canary);
        canary.Outcome.Should().Be(ComplianceOutcome.Pass);
        canary.Findings.Should().Contain(f => f.Code == "thresholds.observed_not_judged" && f.Message.Contains("0 (mean of 29 points)"));

        host.Performance.Observe("fraud", "1.0.0", MetricKey.Custom("toxicity_rate"), [0.0], host.Time.GetUtcNow());
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds)).Outcome.Should().Be(ComplianceOutcome.Pass);
    }

    [Fact]
    public async Task Observed_thresholds_fail_without_a_tracker_where_they_are_required()
    {
        await using var host = ComplianceHost.Create(o => o.ObservedMetricsRequiredFor = [ModelStage.Canary, ModelStage.Production], performance: false);
        await host.RegisterCompliantAsync();
        await host.Registry.SetModelTagAsync("fraud", ComplianceFields.ObservedThresholdPrefix + "ErrorRate", "<=0.02");
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds, target: ModelStage.Canary)).Findings.Should().Contain(f => f.Code == "thresholds.observed_unavailable" && f.Severity == FindingSeverity.Error);
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds, target: ModelStage.Staging)).Outcome.Should().Be(ComplianceOutcome.Pass);
    }

    [Fact]
    public async Task Only_observed_thresholds_count_as_declared()
    {
        await using var host = ComplianceHost.Create();
        var tags = new Dictionary<string, string>(ComplianceHost.CompliantModelTags);
        tags.Remove(ComplianceFields.ThresholdPrefix + "accuracy");
        tags[ComplianceFields.ObservedThresholdPrefix + "Accuracy"] = ">=0.9";
        await host.RegisterCompliantAsync(modelTags: tags);
        host.Performance!.Observe("fraud", "1.0.0", MetricKey.Accuracy, Enumerable.Repeat(0.95, 30), host.Time.GetUtcNow());
        var result = await host.CheckAsync(BuiltInChecks.EvaluationThresholds);
        result.Outcome.Should().Be(ComplianceOutcome.Pass);
        result.Findings.Should().NotContain(f => f.Code == "thresholds.none_declared");
        result.Evidence.Should().Contain(new ComplianceEvidence(Window(host), "mean of Accuracy", "0.95 (mean of 30 points)"));
    }

    [Fact]
    public async Task The_model_card_shows_the_per_group_results_the_fairness_and_bias_checks_observed()
    {
        await using var host = await ObservedOnlyAsync();
        ObserveGenders(host, SelectionRate, female: 0.3, male: 0.5);
        ObserveGenders(host, MetricKey.Accuracy, female: 0.7, male: 0.9, count: 40);

        var card = await host.Compliance.GetModelCardAsync("fraud", "1.0.0");

        card.GroupComparisons.Should().BeEmpty("only an overall accuracy was evaluated");
        card.ObservedGroupComparisons.Select(c => (c.Source, c.Metric, c.Attribute)).Should().Equal(
            (Window(host), GroupMetrics.SelectionRate, "gender"),
            (Window(host), GroupMetrics.Accuracy, "gender"));
        var selection = card.ObservedGroupComparisons[0];
        selection.Groups.Should().Equal(new Dictionary<string, double> { ["female"] = 0.3, ["male"] = 0.5 });
        selection.Difference.Should().BeApproximately(0.2, 1e-12);
        selection.Ratio!.Value.Should().BeApproximately(0.6, 1e-12);
        card.Compliance.Results.Single(r => r.CheckName == BuiltInChecks.Fairness).Findings.Should().Contain(f => f.Code == "fairness.disparate_impact", "the card shows what the check judged");

        var md = card.ToMarkdown();
        md.Should().Contain("_No per-group evaluation results on record._").And.Contain("### Observed per group");
        md.Should().Contain($"| {ModelCardMarkdown.Cell(Window(host))} | selection\\_rate | gender | female 0.3, male 0.5 | 0.2 | 0.6 |");
        md.Should().Contain($"| {ModelCardMarkdown.Cell(Window(host))} | accuracy | gender | female 0.7, male 0.9 | 0.2 | 0.7778 |");

        using var json = System.Text.Json.JsonDocument.Parse(card.ToJson());
        var observed = json.RootElement.GetProperty("observedGroupComparisons");
        observed.GetArrayLength().Should().Be(2);
        observed[0].GetProperty("source").GetString().Should().Be(Window(host));
        observed[0].GetProperty("metric").GetString().Should().Be(GroupMetrics.SelectionRate);
        observed[0].GetProperty("groups").GetProperty("female").GetDouble().Should().Be(0.3);
        observed[0].GetProperty("groups").GetProperty("male").GetDouble().Should().Be(0.5);
        observed[1].GetProperty("metric").GetString().Should().Be(GroupMetrics.Accuracy);
    }

    [Fact]
    public async Task The_model_card_shows_no_observed_groups_when_the_checks_do_not_apply()
    {
        await using var host = await ObservedOnlyAsync(tier: RiskTier.Minimal);
        ObserveGenders(host, SelectionRate, female: 0.3, male: 0.5);
        var card = await host.Compliance.GetModelCardAsync("fraud", "1.0.0");
        card.Compliance.Results.Single(r => r.CheckName == BuiltInChecks.Fairness).Outcome.Should().Be(ComplianceOutcome.NotApplicable);
        card.ObservedGroupComparisons.Should().BeEmpty();
        card.ToMarkdown().Should().Contain("_No per-group results observed by the fairness and bias checks._");
    }
}
