using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>Each built-in check with passing and failing data, read from the registry, lineage and metrics.</summary>
public sealed class ComplianceChecksTests
{
    private static Dictionary<string, string> TagsWithout(params string[] keys)
    {
        var tags = new Dictionary<string, string>(ComplianceHost.CompliantModelTags);
        foreach (var k in keys)
        {
            tags.Remove(k);
        }

        return tags;
    }

    private static Dictionary<string, double> MetricsWith(params (string Key, double Value)[] changes)
    {
        var metrics = new Dictionary<string, double>(ComplianceHost.CompliantMetrics);
        foreach (var (k, v) in changes)
        {
            metrics[k] = v;
        }

        return metrics;
    }

    private static string Sel(string group) => GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", group);

    [Theory]
    [InlineData(RiskTier.Minimal)]
    [InlineData(RiskTier.Limited)]
    [InlineData(RiskTier.High)]
    public async Task A_fully_documented_version_passes_every_check_with_evidence(RiskTier tier)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: tier);
        var report = await host.Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Production);

        report.Results.Select(r => r.CheckName).Should().Equal(BuiltInChecks.EuAiAct, BuiltInChecks.Gdpr, BuiltInChecks.Fairness, BuiltInChecks.Bias, BuiltInChecks.Security, BuiltInChecks.EvaluationThresholds, BuiltInChecks.Documentation);
        report.Results.Where(r => r.Outcome != ComplianceOutcome.NotApplicable)
            .Should().OnlyContain(r => r.Outcome == ComplianceOutcome.Pass && r.Evidence.Count > 0, string.Join("\n", report.Results.SelectMany(r => r.Findings.Select(f => $"{r.CheckName}: {f.Message}"))));
        report.Outcome.Should().Be(ComplianceOutcome.Pass);
        report.RiskTier.Should().Be(tier);
    }

    // ------------------------------------------------------------------ EU AI Act

    [Fact]
    public async Task EU_AI_Act_never_passes_an_unacceptable_model()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Unacceptable);
        var result = await host.CheckAsync(BuiltInChecks.EuAiAct);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "eu_ai_act.prohibited");
    }

    [Theory]
    [InlineData(ComplianceFields.TechnicalDocumentation, "eu_ai_act.technical_documentation_missing")]
    [InlineData(ComplianceFields.HumanOversightContact, "eu_ai_act.human_oversight_missing")]
    [InlineData(ComplianceFields.IntendedUse, "eu_ai_act.intended_use_missing")]
    [InlineData(ComplianceFields.TransparencyNotice, "eu_ai_act.transparency_notice_missing")]
    public async Task EU_AI_Act_high_risk_fails_without_each_required_field(string field, string code)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High, modelTags: TagsWithout(field));
        var result = await host.CheckAsync(BuiltInChecks.EuAiAct);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be(code);
        result.Evidence.Should().Contain(e => e.Item == field && e.Value == null);
    }

    [Fact]
    public async Task EU_AI_Act_high_risk_fails_without_any_evaluation_on_record()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High, metrics: new Dictionary<string, double>());
        var result = await host.CheckAsync(BuiltInChecks.EuAiAct);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "eu_ai_act.evaluation_missing");
    }

    [Fact]
    public async Task EU_AI_Act_high_risk_accepts_a_lineage_evaluation_and_cites_the_audit_trail()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High, metrics: new Dictionary<string, double>());
        host.Lineage!.Evaluated("fraud", "1.0.0", "holdout-q1", "holdout", new Dictionary<string, double> { ["accuracy"] = 0.95 });
        var result = await host.CheckAsync(BuiltInChecks.EuAiAct);
        result.Outcome.Should().Be(ComplianceOutcome.Pass, string.Join("; ", result.Findings.Select(f => f.Message)));
        result.Evidence.Should().Contain(e => e.Source == "evaluation:holdout-q1");
        result.Evidence.Should().Contain(e => e.Source == "audit" && e.Value!.StartsWith("version.created #", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EU_AI_Act_limited_risk_needs_only_a_transparency_notice()
    {
        await using var host = ComplianceHost.Create();
        var minimalTags = new Dictionary<string, string> { [ComplianceFields.TransparencyNotice] = "You are talking to an AI." };
        await host.RegisterCompliantAsync(tier: RiskTier.Limited, modelTags: minimalTags);
        (await host.CheckAsync(BuiltInChecks.EuAiAct)).Outcome.Should().Be(ComplianceOutcome.Pass);

        await host.RegisterCompliantAsync(name: "chat", tier: RiskTier.Limited, modelTags: new Dictionary<string, string>());
        var failing = await host.CheckAsync(BuiltInChecks.EuAiAct, model: "chat");
        failing.Outcome.Should().Be(ComplianceOutcome.Fail);
        failing.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be("eu_ai_act.transparency_notice_missing");
    }

    [Fact]
    public async Task A_version_tag_overrides_the_model_tag_and_the_evidence_says_where_it_came_from()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.High, modelTags: TagsWithout(ComplianceFields.HumanOversightContact));
        await host.Registry.SetVersionTagAsync("fraud", "1.0.0", ComplianceFields.HumanOversightContact, "on-call@example.com");
        var result = await host.CheckAsync(BuiltInChecks.EuAiAct);
        result.Outcome.Should().Be(ComplianceOutcome.Pass);
        result.Evidence.Should().Contain(new ComplianceEvidence("version.tags", ComplianceFields.HumanOversightContact, "on-call@example.com"));
    }

    // ------------------------------------------------------------------ GDPR

    [Fact]
    public async Task GDPR_passes_training_data_without_personal_data_without_any_gdpr_fields()
    {
        await using var host = ComplianceHost.Create();
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "weather", Owners = ["o"], Description = "d" });
        await host.Registry.CreateVersionAsync("weather", new CreateVersionRequest { Version = "1.0.0" });
        host.Lineage!.TrainedOn("weather", "1.0.0", "sensors", personalData: false);
        var result = await host.CheckAsync(BuiltInChecks.Gdpr, model: "weather");
        result.Outcome.Should().Be(ComplianceOutcome.Pass);
        result.Evidence.Should().Contain(e => e.Source == "lineage:dataset:sensors" && e.Value == "no");
    }

    [Theory]
    [InlineData(ComplianceFields.LawfulBasis, "gdpr.lawful_basis_missing")]
    [InlineData(ComplianceFields.DpiaReference, "gdpr.dpia_missing")]
    [InlineData(ComplianceFields.RetentionPeriod, "gdpr.retention_missing")]
    public async Task GDPR_fails_personal_training_data_without_each_required_field(string field, string code)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(modelTags: TagsWithout(field));
        var result = await host.CheckAsync(BuiltInChecks.Gdpr);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be(code);
        result.Findings.Single(f => f.Code == code).Message.Should().Contain("dataset:customers-2026");
    }

    [Theory]
    [InlineData(ComplianceFields.LawfulBasis, "because we can", "gdpr.lawful_basis_invalid")]
    [InlineData(ComplianceFields.RetentionPeriod, "two years", "gdpr.retention_invalid")]
    public async Task GDPR_fails_values_that_are_not_a_lawful_basis_or_an_iso_duration(string field, string value, string code)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        await host.Registry.SetVersionTagAsync("fraud", "1.0.0", field, value);
        var result = await host.CheckAsync(BuiltInChecks.Gdpr);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be(code);
    }

    [Fact]
    public async Task GDPR_never_passes_silently_when_provenance_is_missing_or_undeclared()
    {
        await using (var noLineage = ComplianceHost.Create(lineage: false))
        {
            await noLineage.RegisterCompliantAsync();
            var result = await noLineage.CheckAsync(BuiltInChecks.Gdpr);
            result.Outcome.Should().Be(ComplianceOutcome.Warn);
            result.Findings.Should().Contain(f => f.Code == "gdpr.lineage_unavailable");
        }

        await using var host = ComplianceHost.Create();
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        await host.Registry.CreateVersionAsync("m", new CreateVersionRequest { Version = "1.0.0" });
        (await host.CheckAsync(BuiltInChecks.Gdpr, model: "m")).Findings.Should().Contain(f => f.Code == "gdpr.training_data_unknown");
        host.Lineage!.TrainedOn("m", "1.0.0", "scraped", personalData: null);
        var undeclared = await host.CheckAsync(BuiltInChecks.Gdpr, model: "m");
        undeclared.Outcome.Should().Be(ComplianceOutcome.Warn);
        undeclared.Findings.Should().Contain(f => f.Code == "gdpr.personal_data_undeclared" && f.Message.Contains("dataset:scraped"));
    }

    // ------------------------------------------------------------------ fairness

    [Fact]
    public async Task Fairness_fails_a_disparate_impact_ratio_below_four_fifths()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(metrics: MetricsWith((Sel("female"), 0.30), (Sel("male"), 0.40)));
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("0.75"));
        result.Findings.Should().NotContain(f => f.Code == "fairness.demographic_parity", "a 0.1 difference is within the default bound");
        result.Evidence.Should().Contain(new ComplianceEvidence("version", Sel("female"), "0.3"));
    }

    [Fact]
    public async Task Fairness_fails_a_demographic_parity_difference_above_the_bound_even_with_a_good_ratio()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(metrics: MetricsWith((Sel("female"), 0.72), (Sel("male"), 0.88)));
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code).Should().Equal("fairness.demographic_parity");
    }

    [Fact]
    public async Task Fairness_thresholds_are_options()
    {
        await using var host = ComplianceHost.Create(o => { o.MinimumDisparateImpactRatio = 0.7; o.MaximumDemographicParityDifference = 0.2; });
        await host.RegisterCompliantAsync(metrics: MetricsWith((Sel("female"), 0.30), (Sel("male"), 0.40)));
        (await host.CheckAsync(BuiltInChecks.Fairness)).Outcome.Should().Be(ComplianceOutcome.Pass);
    }

    [Fact]
    public async Task Fairness_reads_lineage_evaluations_and_judges_each_one()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        host.Lineage!.Evaluated("fraud", "1.0.0", "fairness-q1", "fairness", new Dictionary<string, double> { [Sel("female")] = 0.2, [Sel("male")] = 0.5, [Sel("other")] = 0.45 });
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("evaluation:fairness-q1"));
        result.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact_ok" && f.Message.Contains("in version"));
    }

    [Theory]
    [InlineData(RiskTier.High, ComplianceOutcome.Fail)]
    [InlineData(RiskTier.Limited, ComplianceOutcome.Warn)]
    [InlineData(RiskTier.Minimal, ComplianceOutcome.NotApplicable)]
    public async Task Fairness_without_per_group_results_fails_at_high_risk_and_warns_at_limited(RiskTier tier, ComplianceOutcome expected)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: tier, metrics: new Dictionary<string, double> { ["accuracy"] = 0.95 }, observed: false);
        var result = await host.CheckAsync(BuiltInChecks.Fairness);
        result.Outcome.Should().Be(expected);
        if (expected != ComplianceOutcome.NotApplicable)
        {
            result.Findings.Should().Contain(f => f.Code == "fairness.no_group_results");
        }
    }

    // ------------------------------------------------------------------ bias

    [Fact]
    public async Task Bias_fails_an_error_rate_gap_above_the_bound()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(metrics: MetricsWith((GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "female"), 0.21)));
        var result = await host.CheckAsync(BuiltInChecks.Bias);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Message.Should().Contain("fpr").And.Contain("0.15");
    }

    [Fact]
    public async Task Bias_passes_small_gaps_and_fails_without_group_error_rates_at_high_risk()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        (await host.CheckAsync(BuiltInChecks.Bias)).Outcome.Should().Be(ComplianceOutcome.Pass);
        await host.RegisterCompliantAsync(version: "1.1.0", metrics: new Dictionary<string, double> { [Sel("female")] = 0.5, [Sel("male")] = 0.5 }, observed: false);
        var result = await host.CheckAsync(BuiltInChecks.Bias, version: "1.1.0");
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Should().Contain(f => f.Code == "bias.no_group_results");
    }

    // ------------------------------------------------------------------ security

    [Fact]
    public async Task Security_fails_artifacts_without_hash_or_size_unpinned_containers_and_plain_http()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(artifacts:
        [
            new ModelArtifact(ArtifactType.Weights, "s3://m/w.bin", null, null, "MIT"),
            new ModelArtifact(ArtifactType.Container, "oci://registry.example/fraud:latest", new string('b', 64), 10, "MIT"),
            new ModelArtifact(ArtifactType.Config, "http://files.example/config.json", new string('c', 64), 10, "MIT"),
        ]);
        var result = await host.CheckAsync(BuiltInChecks.Security);
        result.Outcome.Should().Be(ComplianceOutcome.Fail);
        result.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code).Should().BeEquivalentTo(
            "security.artifact_hash_missing", "security.artifact_size_missing", "security.container_not_pinned", "security.artifact_insecure_transport");
    }

    [Fact]
    public async Task Security_passes_a_container_pinned_by_digest()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(artifacts: [new ModelArtifact(ArtifactType.Container, "oci://registry.example/fraud@sha256:" + new string('d', 64), new string('d', 64), 10, "MIT")]);
        (await host.CheckAsync(BuiltInChecks.Security)).Outcome.Should().Be(ComplianceOutcome.Pass);
    }

    [Fact]
    public async Task Security_applies_the_licence_allow_list_when_configured()
    {
        await using var host = ComplianceHost.Create(o => o.AllowedLicenses = ["MIT", "apache-2.0"]);
        await host.RegisterCompliantAsync(artifacts:
        [
            new ModelArtifact(ArtifactType.Weights, "s3://m/a.bin", new string('a', 64), 1, "Apache-2.0"),
            new ModelArtifact(ArtifactType.Tokenizer, "s3://m/t.json", new string('b', 64), 1, "GPL-3.0"),
            new ModelArtifact(ArtifactType.Config, "s3://m/c.json", new string('c', 64), 1, null),
        ]);
        var result = await host.CheckAsync(BuiltInChecks.Security);
        result.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code).Should().BeEquivalentTo("security.license_not_allowed", "security.license_missing");

        await using var open = ComplianceHost.Create();
        await open.RegisterCompliantAsync(artifacts: [new ModelArtifact(ArtifactType.Config, "s3://m/c.json", new string('c', 64), 1, null)]);
        var warned = await open.CheckAsync(BuiltInChecks.Security);
        warned.Outcome.Should().Be(ComplianceOutcome.Warn, "without an allow-list a missing licence is only a warning");
    }

    [Fact]
    public async Task Security_fails_a_provider_endpoint_that_is_not_https_and_a_version_without_artifacts()
    {
        await using var host = ComplianceHost.Create();
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        await host.Registry.CreateVersionAsync("m", new CreateVersionRequest
        {
            Version = "1.0.0",
            ProviderBindings = [new ProviderBindingRequest { Provider = "Custom", ProviderModelId = "m", Endpoint = "http://ml.internal/m" }],
        });
        var result = await host.CheckAsync(BuiltInChecks.Security, model: "m");
        result.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code).Should().BeEquivalentTo("security.no_artifacts", "security.endpoint_not_https");
    }

    // ------------------------------------------------------------------ evaluation thresholds

    [Fact]
    public async Task Thresholds_from_tags_and_options_are_met_or_failed_on_the_latest_result()
    {
        await using var host = ComplianceHost.Create(o => o.EvaluationThresholds = [new EvaluationThreshold("toxicity_rate", Maximum: 0.01, Suite: "safety")]);
        await host.RegisterCompliantAsync();
        host.Lineage!.Evaluated("fraud", "1.0.0", "safety-1", "safety", new Dictionary<string, double> { ["toxicity_rate"] = 0.03 }, host.Time.GetUtcNow());
        var failing = await host.CheckAsync(BuiltInChecks.EvaluationThresholds);
        failing.Outcome.Should().Be(ComplianceOutcome.Fail);
        failing.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Message.Should().Contain("toxicity_rate = 0.03");
        failing.Findings.Should().Contain(f => f.Code == "thresholds.met" && f.Message.Contains("accuracy"));

        host.Lineage.Evaluated("fraud", "1.0.0", "safety-2", "safety", new Dictionary<string, double> { ["toxicity_rate"] = 0.004 }, host.Time.GetUtcNow().AddHours(1));
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds)).Outcome.Should().Be(ComplianceOutcome.Pass);
    }

    [Theory]
    [InlineData(">=0.95", "thresholds.not_met")]
    [InlineData("<0.5", "thresholds.not_met")]
    [InlineData("about 0.9", "thresholds.invalid")]
    public async Task Threshold_tags_that_are_missed_or_malformed_fail(string value, string code)
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        await host.Registry.SetVersionTagAsync("fraud", "1.0.0", ComplianceFields.ThresholdPrefix + "accuracy", value);
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds)).Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be(code);
    }

    [Fact]
    public async Task Thresholds_fail_without_a_result_and_warn_when_none_are_declared()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(metrics: new Dictionary<string, double> { ["f1"] = 0.9 });
        (await host.CheckAsync(BuiltInChecks.EvaluationThresholds)).Findings.Should().Contain(f => f.Code == "thresholds.result_missing");
        await host.RegisterCompliantAsync(name: "plain", modelTags: TagsWithout(ComplianceFields.ThresholdPrefix + "accuracy"));
        var none = await host.CheckAsync(BuiltInChecks.EvaluationThresholds, model: "plain");
        none.Outcome.Should().Be(ComplianceOutcome.Warn);
        none.Findings.Should().Contain(f => f.Code == "thresholds.none_declared");
    }

    // ------------------------------------------------------------------ documentation

    [Fact]
    public async Task Documentation_fails_without_description_or_required_fields()
    {
        await using var host = ComplianceHost.Create(o => o.RequiredDocumentationFields = [ComplianceFields.IntendedUse, ComplianceFields.Limitations, ComplianceFields.EthicalConsiderations]);
        await host.RegisterCompliantAsync();
        var result = await host.CheckAsync(BuiltInChecks.Documentation);
        result.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Message.Should().Contain(ComplianceFields.EthicalConsiderations);

        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "bare", Owners = ["o"] });
        await host.Registry.CreateVersionAsync("bare", new CreateVersionRequest { Version = "1.0.0" });
        var bare = await host.CheckAsync(BuiltInChecks.Documentation, model: "bare");
        bare.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code).Should().BeEquivalentTo(
            "documentation.description_missing", "documentation.field_missing", "documentation.field_missing", "documentation.field_missing");
        bare.Findings.Should().Contain(f => f.Code == "documentation.version_description_missing").And.Contain(f => f.Code == "documentation.training_data_missing");
    }

    [Fact]
    public async Task Documentation_passes_a_documented_version()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        var result = await host.CheckAsync(BuiltInChecks.Documentation);
        result.Outcome.Should().Be(ComplianceOutcome.Pass);
        result.Evidence.Should().Contain(e => e.Item == ComplianceFields.IntendedUse && e.Source == "model.tags");
    }

    // ------------------------------------------------------------------ pluggability

    private sealed class ThrowingCheck : IComplianceCheck
    {
        public string Name => "flaky";

        public string Version => "0.1";

        public IReadOnlyCollection<RiskTier> RiskTiers => [RiskTier.Minimal, RiskTier.Limited, RiskTier.High];

        public IReadOnlyCollection<ModelStage> TargetStages => [ModelStage.Production];

        public ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("database down");
    }

    private sealed class SilentCheck : IComplianceCheck
    {
        public string Name => "silent";

        public string Version => "1";

        public IReadOnlyCollection<RiskTier> RiskTiers => [RiskTier.Minimal, RiskTier.Limited, RiskTier.High];

        public IReadOnlyCollection<ModelStage> TargetStages => [ModelStage.Production, ModelStage.Canary];

        public ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
            => ValueTask.FromResult(new ComplianceEvaluation(ComplianceOutcome.Pass, [], []));
    }

    [Fact]
    public async Task Host_checks_run_after_the_built_in_ones_a_throwing_check_fails_and_a_pass_without_evidence_warns()
    {
        await using var host = ComplianceHost.Create(configure: b => b.AddComplianceCheck<ThrowingCheck>().AddComplianceCheck<SilentCheck>());
        await host.RegisterCompliantAsync();
        var report = await host.Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Production);
        report.Results.Select(r => r.CheckName).TakeLast(2).Should().Equal("flaky", "silent");
        report.Results.Single(r => r.CheckName == "flaky").Should().Match<ComplianceCheckResult>(r => r.Outcome == ComplianceOutcome.Fail && r.Findings[0].Message.Contains("database down"));
        report.Results.Single(r => r.CheckName == "silent").Outcome.Should().Be(ComplianceOutcome.Warn);

        var staging = await host.Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Staging);
        staging.Results.Where(r => r.CheckName is "flaky" or "silent").Should().OnlyContain(r => r.Outcome == ComplianceOutcome.NotApplicable);
    }

    [Fact]
    public async Task Disabled_checks_do_not_run_and_duplicate_names_are_refused()
    {
        await using var host = ComplianceHost.Create(o => o.DisabledChecks = [BuiltInChecks.Fairness, BuiltInChecks.Bias]);
        host.Compliance.Checks.Select(c => c.Name).Should().NotContain([BuiltInChecks.Fairness, BuiltInChecks.Bias]).And.HaveCount(5);

        await using var twice = ComplianceHost.Create(configure: b => b.AddComplianceCheck<SilentCheck>().Services.AddSingleton<IComplianceCheck>(new SilentCheck()));
        var act = () => twice.Compliance;
        act.Should().Throw<ModelRegistryException>().Which.Message.Should().Contain("'silent'");
    }

    [Fact]
    public async Task Evaluating_needs_an_existing_version_and_the_viewer_role()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync();
        (await host.Compliance.Invoking(c => c.EvaluateAsync("fraud", "9.9.9", ModelStage.Production)).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.NotFound);
        (await host.Compliance.Invoking(c => c.EvaluateAsync("fraud", "not-a-version", ModelStage.Production)).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        host.Actor.Current = "nobody";
        (await host.Compliance.Invoking(c => c.EvaluateAsync("fraud", "1.0.0", ModelStage.Production)).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.Forbidden);
    }

    [Fact]
    public void Group_metric_names_round_trip()
    {
        var name = GroupMetrics.Name("selection_rate", "age_band", "65+");
        name.Should().Be("selection_rate[age_band=65+]");
        GroupMetrics.TryParse(name, out var metric, out var attribute, out var group).Should().BeTrue();
        (metric, attribute, group).Should().Be(("selection_rate", "age_band", "65+"));
        GroupMetrics.TryParse("accuracy", out _, out _, out _).Should().BeFalse();
        GroupMetrics.TryParse("x[=a]", out _, out _, out _).Should().BeFalse();
        GroupMetrics.TryParse("x[a=]", out _, out _, out _).Should().BeFalse();
    }
}
