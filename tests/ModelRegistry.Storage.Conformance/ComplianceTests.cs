using System.IO.Compression;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// The compliance workflow on a store: checks reading real lineage, approval requests and reviews persisted as documents
/// with their audit records, the approval gate, expiry, checkpoints and anchored verification, governance events, model
/// cards and evidence bundles. With the gate on, as the library ships.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class ComplianceTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    /// <summary>The checkpoint key of these tests.</summary>
    public static readonly byte[] Key = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    private const string ApprovalCollection = "compliance.approval";

    protected IComplianceManager Compliance => Services.Compliance;

    protected ILineageTracker Lineage => Services.Lineage;

    /// <summary>Keeps the approval gate on (the library's default), with a checkpoint key and a few named roles.</summary>
    protected override void ConfigureRegistry(IModelRegistryBuilder builder)
        => builder.ConfigureCompliance(o =>
        {
            o.CheckpointSigningKey = Key;
            o.CheckpointEvery = 0;
            o.Roles = new Dictionary<string, ComplianceRoles> { ["vic"] = ComplianceRoles.Viewer, ["ada"] = ComplianceRoles.Admin };
        });

    private static readonly Dictionary<string, string> CompliantTags = new()
    {
        [ComplianceFields.IntendedUse] = "Fraud triage by analysts.",
        [ComplianceFields.Limitations] = "EU card data only.",
        [ComplianceFields.TechnicalDocumentation] = "doc://fraud/annex-iv",
        [ComplianceFields.HumanOversightContact] = "oversight@example.com",
        [ComplianceFields.TransparencyNotice] = "AI-assisted decision.",
        [ComplianceFields.LawfulBasis] = "contract",
        [ComplianceFields.DpiaReference] = "DPIA-7",
        [ComplianceFields.RetentionPeriod] = "P2Y",
        [ComplianceFields.ThresholdPrefix + "accuracy"] = ">=0.9",
    };

    private static readonly Dictionary<string, double> CompliantMetrics = new()
    {
        ["accuracy"] = 0.93,
        [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "female")] = 0.46,
        [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "male")] = 0.50,
        [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "female")] = 0.05,
        [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "male")] = 0.06,
    };

    protected IPerformanceTracker Performance => Services.Performance;

    /// <summary>Records 0/1 outcome points of a per-group metric now, <c>Positives</c> ones out of <c>Count</c> per group.</summary>
    protected Task ObserveAsync(string model, string version, MetricKey metric, string attribute, params (string Group, int Positives, int Count)[] groups)
        => Performance.RecordBatchAsync(
            [.. groups.SelectMany(g => Enumerable.Range(0, g.Count).Select(i => new MetricPoint
            {
                ModelName = model,
                Version = version,
                Kind = metric.Kind,
                CustomName = metric.CustomName,
                Value = i < g.Positives ? 1 : 0,
                Dimensions = new Dictionary<string, string> { [attribute] = g.Group },
            }))],
            Ct);

    /// <summary>
    /// A High-risk model owned by <c>olga</c> whose version passes every check, trained on a personal-data dataset in
    /// lineage, with observed per-gender selection rates (0.45, 0.5) and false-positive rates (0.05, 0.075) unless
    /// <paramref name="observed"/> is false.
    /// </summary>
    protected async Task<ModelVersion> CompliantAsync(string model = "fraud", string version = "1.0.0", RiskTier tier = RiskTier.High, bool observed = true)
    {
        if (await Store.FindModelAsync(model, Ct) is null)
        {
            await Registry.RegisterModelAsync(new RegisterModelRequest { Name = model, Owners = ["olga"], RiskTier = tier, Description = "Scores transactions.", Tags = CompliantTags }, Ct);
            await Lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Dataset("customers"), LineageNodeKind.Dataset, "customers")
            {
                Details = new DatasetDetails { License = "CC-BY-4.0", ContainsPersonalData = true, PersonalDataCategories = ["email"] },
            }, Ct);
        }

        var created = await Registry.CreateVersionAsync(model, new CreateVersionRequest
        {
            Version = version,
            Description = "retrained",
            SourceCommit = Guid.NewGuid().ToString("N"),
            Metrics = CompliantMetrics,
            Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/{model}/{version}/model.onnx", new string('a', 64), 1024, "MIT")],
        }, Ct);
        await Lineage.LinkAsync(new LinkRequest(LineageNodeIds.Version(model, version), LineageEdgeKind.TrainedOn, LineageNodeIds.Dataset("customers")), Ct);
        if (observed)
        {
            await ObserveAsync(model, version, MetricKey.Custom(GroupMetrics.SelectionRate), "gender", ("female", 18, 40), ("male", 20, 40));
            await ObserveAsync(model, version, MetricKey.Custom(GroupMetrics.FalsePositiveRate), "gender", ("female", 2, 40), ("male", 3, 40));
        }

        return created;
    }

    protected async Task<T> AsAsync<T>(string actor, Func<Task<T>> call)
    {
        var previous = Actor.Current;
        Actor.Current = actor;
        try
        {
            return await call();
        }
        finally
        {
            Actor.Current = previous;
        }
    }

    protected async Task<ApprovalRequest> ApprovedAsync(string model, string version, ModelStage stage, params string[] reviewers)
    {
        var request = await Compliance.RequestApprovalAsync(model, version, stage, "ready", Ct);
        foreach (var reviewer in reviewers)
        {
            request = await AsAsync(reviewer, () => Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, cancellationToken: Ct));
        }

        return request;
    }

    private async Task<(StoreSnapshot Registry, IReadOnlyList<StoredDocument> Approvals)> StateAsync()
        => (await SnapshotAsync(), await Store.ListDocumentsAsync(new DocumentQuery(ApprovalCollection), Ct));

    private async Task ShouldBeUnchangedAsync((StoreSnapshot Registry, IReadOnlyList<StoredDocument> Approvals) before)
    {
        await ShouldBeUnchangedAsync(before.Registry);
        (await Store.ListDocumentsAsync(new DocumentQuery(ApprovalCollection), Ct)).Should().BeEquivalentTo(before.Approvals, o => o.WithStrictOrdering());
    }

    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public virtual async Task Checks_read_real_lineage_provenance_and_evaluations()
    {
        await CompliantAsync();
        var report = await Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Production, Ct);
        report.Outcome.Should().Be(ComplianceOutcome.Pass, string.Join("\n", report.Results.SelectMany(r => r.Findings.Where(f => f.Severity != FindingSeverity.Info).Select(f => $"{r.CheckName}: {f.Message}"))));
        report.Results.Single(r => r.CheckName == BuiltInChecks.Gdpr).Evidence.Should().Contain(e => e.Source == "lineage:dataset:customers" && e.Value == "yes (email)");

        await Registry.DeleteModelTagAsync("fraud", ComplianceFields.DpiaReference, Ct);
        await Lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Evaluation("fairness-q1"), LineageNodeKind.Evaluation, "fairness")
        {
            Details = new EvaluationDetails
            {
                Suite = "fairness",
                Metrics = new Dictionary<string, double> { [GroupMetrics.Name(GroupMetrics.SelectionRate, "age", "young")] = 0.5, [GroupMetrics.Name(GroupMetrics.SelectionRate, "age", "old")] = 0.3 },
            },
        }, Ct);
        await Lineage.LinkAsync(new LinkRequest(LineageNodeIds.Evaluation("fairness-q1"), LineageEdgeKind.EvaluatedOn, LineageNodeIds.Version("fraud", "1.0.0")), Ct);

        var failing = await Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Production, Ct);
        failing.FailedChecks.Should().BeEquivalentTo(BuiltInChecks.Gdpr, BuiltInChecks.Fairness);
        failing.Results.Single(r => r.CheckName == BuiltInChecks.Fairness).Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("evaluation:fairness-q1"));
    }

    [Fact]
    public virtual async Task Fairness_and_bias_read_observed_per_group_metrics_from_the_performance_tracker()
    {
        await CompliantAsync();
        var passing = await Compliance.EvaluateAsync("fraud", "1.0.0", ModelStage.Production, Ct);
        var window = $"performance [2026-02-22T09:00:00.0000000Z, 2026-03-01T09:00:00.0000001Z)";
        var fairness = passing.Results.Single(r => r.CheckName == BuiltInChecks.Fairness);
        fairness.Outcome.Should().Be(ComplianceOutcome.Pass, string.Join("; ", fairness.Findings.Select(f => f.Message)));
        fairness.Evidence.Should().Contain(new ComplianceEvidence(window, GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "female"), "0.45 (mean of 40 points)"));
        fairness.Evidence.Should().Contain(new ComplianceEvidence(window, "Custom:selection_rate by gender (female, male)", "80 points"));
        fairness.Findings.Should().Contain(f => f.Code == "fairness.disparate_impact_ok" && f.Message.Contains(window));
        var bias = passing.Results.Single(r => r.CheckName == BuiltInChecks.Bias);
        bias.Outcome.Should().Be(ComplianceOutcome.Pass);
        bias.Evidence.Should().Contain(new ComplianceEvidence(window, GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "male"), "0.075 (mean of 40 points)"));

        // A version with no per-group evaluation at all: only declared groups and what the tracker observed.
        await Registry.SetModelTagAsync("fraud", ComplianceFields.ProtectedGroupsPrefix + "age", "young, old", Ct);
        await Registry.CreateVersionAsync("fraud", new CreateVersionRequest
        {
            Version = "2.0.0",
            Description = "observed only",
            Metrics = new Dictionary<string, double> { ["accuracy"] = 0.95 },
            Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://models/fraud/2.0.0/model.onnx", new string('b', 64), 1024, "MIT")],
        }, Ct);
        await ObserveAsync("fraud", "2.0.0", MetricKey.Custom(GroupMetrics.SelectionRate), "age", ("young", 20, 40), ("old", 8, 40));
        await ObserveAsync("fraud", "2.0.0", MetricKey.Accuracy, "age", ("young", 38, 40), ("old", 30, 40));
        var failing = await Compliance.EvaluateAsync("fraud", "2.0.0", ModelStage.Production, Ct);
        failing.Results.Single(r => r.CheckName == BuiltInChecks.Fairness).Findings.Should().Contain(f => f.Code == "fairness.disparate_impact" && f.Message.Contains("0.4") && f.Message.Contains(window));
        var gap = failing.Results.Single(r => r.CheckName == BuiltInChecks.Bias);
        gap.Outcome.Should().Be(ComplianceOutcome.Fail);
        gap.Findings.Should().ContainSingle(f => f.Code == "bias.error_rate_gap").Which.Message.Should().Contain("accuracy by 'age'").And.Contain("0.2");
        gap.Evidence.Should().Contain(new ComplianceEvidence(window, "Accuracy by age (old, young)", "80 points"));
    }

    [Fact]
    public virtual async Task Observed_thresholds_are_judged_on_the_trackers_statistics_when_promoting_to_production()
    {
        await CompliantAsync();
        await Registry.SetModelTagAsync("fraud", ComplianceFields.ObservedThresholdPrefix + "latency", "p95<=100", Ct);
        async Task<ComplianceCheckResult> ThresholdsAsync(ModelStage stage)
            => (await Compliance.EvaluateAsync("fraud", "1.0.0", stage, Ct)).Results.Single(r => r.CheckName == BuiltInChecks.EvaluationThresholds);

        var missing = await ThresholdsAsync(ModelStage.Production);
        missing.Outcome.Should().Be(ComplianceOutcome.Fail);
        missing.Findings.Should().Contain(f => f.Code == "thresholds.observed_missing");
        (await ThresholdsAsync(ModelStage.Staging)).Outcome.Should().Be(ComplianceOutcome.Pass, "observed thresholds are judged only on the way to production by default");

        await Performance.RecordBatchAsync([.. Enumerable.Range(0, 40).Select(i => new MetricPoint { ModelName = "fraud", Version = "1.0.0", Kind = MetricKind.Latency, Value = 50 + i })], Ct);
        var met = await ThresholdsAsync(ModelStage.Production);
        met.Outcome.Should().Be(ComplianceOutcome.Pass, string.Join("; ", met.Findings.Select(f => f.Message)));
        // Nearest rank: the 38th of 40 values 50..89.
        met.Evidence.Should().Contain(e => e.Source.StartsWith("performance [", StringComparison.Ordinal) && e.Item == "p95 of Latency" && e.Value == "87 (p95 of 40 points)");

        await Performance.RecordBatchAsync([.. Enumerable.Range(0, 10).Select(_ => new MetricPoint { ModelName = "fraud", Version = "1.0.0", Kind = MetricKind.Latency, Value = 500 })], Ct);
        var slow = await ThresholdsAsync(ModelStage.Production);
        slow.Findings.Should().ContainSingle(f => f.Severity == FindingSeverity.Error).Which.Code.Should().Be("thresholds.observed_not_met");

        Time.Advance(TimeSpan.FromDays(8));
        (await ThresholdsAsync(ModelStage.Production)).Findings.Should().Contain(f => f.Code == "thresholds.observed_missing", "points older than the window do not count");
    }

    [Fact]
    public virtual async Task An_approval_is_stored_with_its_check_results_and_audited_in_the_same_commits_and_lets_the_promotion_through()
    {
        await CompliantAsync();
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        var before = await Store.GetChangeSequenceAsync(Ct);

        var request = await Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "Q1 model", Ct);
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(before + 1);
        var stored = await Store.FindDocumentAsync(ApprovalCollection, request.Id, Ct);
        stored.Should().NotBeNull();
        stored!.ChangeSequence.Should().Be(before + 1);

        await AsAsync("carol", () => Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, "ok", cancellationToken: Ct));
        var approved = await AsAsync("dave", () => Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, cancellationToken: Ct));
        approved.State.Should().Be(ApprovalState.Approved);
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(before + 1 + 1 + 2, "a review is one record; the deciding review adds the decision in the same commit");

        var read = await Compliance.GetApprovalAsync(request.Id, Ct);
        read.Should().BeEquivalentTo(approved);
        read.Checks.Results.Should().HaveCount(7);
        read.Reviews.Select(r => (r.Reviewer, r.Decision, r.Comment)).Should().Equal(("carol", ReviewDecision.Approve, "ok"), ("dave", ReviewDecision.Approve, (string?)null));

        (await Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct)).Stage.Should().Be(ModelStage.Production);
        var actions = (await Store.QueryAuditAsync(new AuditQuery { Subject = "version:fraud/1.0.0" }, 0, int.MaxValue, Ct)).Select(r => r.Action).ToList();
        actions.Should().ContainInOrder("approval.requested", "approval.reviewed", "approval.reviewed", "approval.approved", "version.stage_changed");
        (await Compliance.VerifyAuditTrailAsync(cancellationToken: Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task Promotion_without_approval_and_refused_reviews_change_nothing()
    {
        await CompliantAsync();
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        var request = await Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready", Ct);
        var before = await StateAsync();

        (await ShouldFailAsync(() => Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct), ErrorCode.PolicyViolation))
            .Message.Should().Contain("compliance-approval").And.Contain(request.Id);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 5 }, Ct), ErrorCode.PolicyViolation);
        await ShouldFailAsync(() => Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, cancellationToken: Ct), ErrorCode.Forbidden);
        await ShouldFailAsync(() => AsAsync("olga", () => Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, cancellationToken: Ct)), ErrorCode.Forbidden);
        await ShouldFailAsync(() => AsAsync("vic", () => Compliance.ReviewAsync(request.Id, ReviewDecision.Reject, "no", cancellationToken: Ct)), ErrorCode.Forbidden);
        await ShouldFailAsync(() => Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "again", Ct), ErrorCode.AlreadyExists);
        await ShouldFailAsync(() => AsAsync("carol", () => Compliance.WithdrawApprovalAsync(request.Id, cancellationToken: Ct)), ErrorCode.Forbidden);

        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Requests_expire_and_expired_approvals_do_not_open_the_gate()
    {
        await CompliantAsync(tier: RiskTier.Minimal);
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        var request = await ApprovedAsync("fraud", "1.0.0", ModelStage.Production, "carol");
        Time.Advance(TimeSpan.FromDays(30));
        (await Compliance.GetApprovalAsync(request.Id, Ct)).State.Should().Be(ApprovalState.Expired);
        (await ShouldFailAsync(() => Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct), ErrorCode.PolicyViolation))
            .Message.Should().Contain("Expired");
        var renewed = await ApprovedAsync("fraud", "1.0.0", ModelStage.Production, "carol");
        (await Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct)).Stage.Should().Be(ModelStage.Production);
        (await Compliance.GetApprovalHistoryAsync("fraud", "1.0.0", Ct)).Select(r => r.State).Should().Equal(ApprovalState.Expired, ApprovalState.Approved);
        renewed.State.Should().Be(ApprovalState.Approved);
    }

    [Fact]
    public virtual async Task The_queue_and_history_are_read_back_from_the_store()
    {
        await CompliantAsync(model: "a");
        await CompliantAsync(model: "b");
        var first = await Compliance.RequestApprovalAsync("a", "1.0.0", ModelStage.Production, "ready", Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        var second = await Compliance.RequestApprovalAsync("b", "1.0.0", ModelStage.Canary, "ready", Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        await AsAsync("carol", () => Compliance.ReviewAsync(first.Id, ReviewDecision.RequestChanges, "add a DPIA", cancellationToken: Ct));

        (await Compliance.ListPendingApprovalsAsync(cancellationToken: Ct)).Items.Select(r => r.Id).Should().Equal(second.Id);
        var again = await Compliance.RequestApprovalAsync("a", "1.0.0", ModelStage.Production, "with DPIA", Ct);
        var queue = await Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { PageSize = 1 }, Ct);
        queue.Items.Select(r => r.Id).Should().Equal(second.Id);
        (await Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { PageSize = 1, ContinuationToken = queue.ContinuationToken }, Ct)).Items.Select(r => r.Id).Should().Equal(again.Id);
        (await Compliance.GetApprovalHistoryAsync("a", "1.0.0", Ct)).Select(r => (r.Id, r.State)).Should().Equal((first.Id, ApprovalState.ChangesRequested), (again.Id, ApprovalState.Pending));
    }

    [Fact]
    public virtual async Task Another_instance_on_the_same_store_sees_approvals_and_honours_them()
    {
        if (!Fixture.SupportsSharedInstances)
        {
            return;
        }

        await CompliantAsync(tier: RiskTier.Minimal);
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        var request = await Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready", Ct);
        var other = CreateInstance("carol");
        (await other.Compliance.ListPendingApprovalsAsync(cancellationToken: Ct)).Items.Select(r => r.Id).Should().Equal(request.Id);
        await other.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, cancellationToken: Ct);
        (await Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct)).Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public virtual async Task Checkpoints_are_stored_and_verification_walks_chain_and_checkpoints()
    {
        await CompliantAsync();
        var checkpoint = await Compliance.CreateAuditCheckpointAsync(Ct);
        checkpoint.VerifySignature(Key).Should().BeTrue();
        await Registry.SetModelTagAsync("fraud", "k", "v", Ct);
        var second = await Compliance.CreateAuditCheckpointAsync(Ct);

        (await Compliance.ListAuditCheckpointsAsync(Ct)).Should().Equal(checkpoint, second);
        var result = await Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { TrustedCheckpoints = [AuditCheckpoint.FromJson(checkpoint.ToJson())] }, Ct);
        result.IsValid.Should().BeTrue(result.Problem);
        result.CheckpointsVerified.Should().Be(2);
        result.LatestCheckpoint.Should().Be(second);
        result.RecordsAfterLatestCheckpoint.Should().Be(1);
        result.HeadSequence.Should().Be(await Store.GetChangeSequenceAsync(Ct));
    }

    [Fact]
    public virtual async Task The_audit_export_is_json_lines_in_sequence_order()
    {
        await CompliantAsync();
        using var buffer = new MemoryStream();
        var written = await Compliance.ExportAuditAsync(buffer, cancellationToken: Ct);
        written.Should().Be(await Store.GetChangeSequenceAsync(Ct));
        var lines = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount((int)written);
        lines[0].Should().StartWith("{\"sequence\":1,");
    }

    private sealed class Recorder : IRegistryEventHandler
    {
        public List<RegistryEvent> Events { get; } = [];

        public string Name => "recorder";

        public ValueTask HandleAsync(RegistryEvent registryEvent, CancellationToken cancellationToken)
        {
            Events.Add(registryEvent);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public virtual async Task Governance_events_are_derived_from_the_stored_trail()
    {
        await CompliantAsync(tier: RiskTier.Minimal);
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        await ApprovedAsync("fraud", "1.0.0", ModelStage.Production, "carol");
        await Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct);

        // A handler in a fresh instance that resumes from the beginning replays every event from the store.
        var recorder = new Recorder();
        var replay = ModelRegistryServices.Create(
            b =>
            {
                Fixture.Configure(b);
                ConfigureRegistry(b);
                b.Services.AddSingleton<IRegistryEventHandler>(new ResumingRecorder(recorder));
            },
            timeProvider: Time);
        await using (replay)
        {
            if (Fixture.SupportsSharedInstances)
            {
                (await replay.Compliance.DeliverEventsAsync(Ct)).Should().Be(4);
                recorder.Events.Select(e => e.Kind).Should().Equal(RegistryEventKind.Promoted, RegistryEventKind.ApprovalRequested, RegistryEventKind.ApprovalGranted, RegistryEventKind.Promoted);
                recorder.Events[^1].ToStage.Should().Be(ModelStage.Production);
            }
        }
    }

    private sealed class ResumingRecorder(Recorder inner) : IRegistryEventHandler
    {
        public string Name => "resuming";

        public ValueTask<long?> GetResumeSequenceAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(0);

        public ValueTask HandleAsync(RegistryEvent registryEvent, CancellationToken cancellationToken) => inner.HandleAsync(registryEvent, cancellationToken);
    }

    [Fact]
    public virtual async Task Model_card_and_evidence_bundle_are_built_from_the_store_and_verify_offline()
    {
        await CompliantAsync(tier: RiskTier.Minimal);
        await PromoteAsync("fraud", "1.0.0", ModelStage.Staging);
        await ApprovedAsync("fraud", "1.0.0", ModelStage.Production, "carol");
        await Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, cancellationToken: Ct);

        var card = await Compliance.GetModelCardAsync("fraud", "1.0.0", Ct);
        card.TrainingData.Should().ContainSingle().Which.Id.Should().Be("dataset:customers");
        card.Approvals.Should().ContainSingle().Which.State.Should().Be(ApprovalState.Approved);
        card.StageHistory.Select(s => s.To).Should().Equal(ModelStage.Staging, ModelStage.Production);
        card.ToMarkdown().Should().Contain("# Model card: fraud 1.0.0");

        using var zip = new MemoryStream();
        var info = await Compliance.WriteEvidenceBundleAsync("fraud", "1.0.0", zip, Ct);
        info.Checkpoint.Should().NotBeNull();
        zip.Position = 0;
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true))
        {
            archive.GetEntry("lineage/lineage.json").Should().NotBeNull();
        }

        zip.Position = 0;
        var verification = await EvidenceBundle.VerifyAsync(zip, Key, Ct);
        verification.IsValid.Should().BeTrue(string.Join("\n", verification.Problems));
        verification.CheckpointSignatureVerified.Should().BeTrue();
    }
}

/// <summary>
/// Lets the tamper suite change a store's audit trail behind the library's back, as someone with write access to the
/// store's files or tables would: no hashing, no checks, no revisions.
/// </summary>
public interface IAuditTamperFixture
{
    /// <summary>Replaces the whole stored audit trail of the store the services use with <paramref name="records"/>, verbatim.</summary>
    /// <param name="services">The registry instance whose store is tampered with.</param>
    /// <param name="records">The records to leave in the store, in order, with whatever sequences and hashes they carry.</param>
    /// <returns>A task that completes when the store holds exactly those records.</returns>
    ValueTask ReplaceAuditTrailAsync(ModelRegistryServices services, IReadOnlyList<AuditRecord> records);
}

/// <summary>
/// The tamper suite: each attack on the stored audit trail — edit, delete, reorder, truncate, rewrite — is detected by
/// verification, which names the first bad record and the kind of damage.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture, which can tamper with its store.</typeparam>
public abstract class AuditTamperTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, IAuditTamperFixture, new()
{
    protected IComplianceManager Compliance => Services.Compliance;

    protected override void ConfigureRegistry(IModelRegistryBuilder builder)
        => builder.ConfigureCompliance(o =>
        {
            o.CheckpointSigningKey = ComplianceTests<TFixture>.Key;
            o.CheckpointEvery = 0;
        });

    /// <summary>Records 1–6, a checkpoint of record 6 (its own record is 7), then records 8–10.</summary>
    private async Task<List<AuditRecord>> SeedAsync()
    {
        await RegisterAsync("m1");
        for (var i = 0; i < 5; i++)
        {
            await Registry.SetModelTagAsync("m1", $"k{i}", "v", Ct);
        }

        await Compliance.CreateAuditCheckpointAsync(Ct);
        for (var i = 5; i < 8; i++)
        {
            await Registry.SetModelTagAsync("m1", $"k{i}", "v", Ct);
        }

        (await Compliance.VerifyAuditTrailAsync(cancellationToken: Ct)).IsValid.Should().BeTrue();
        return [.. await Store.QueryAuditAsync(new AuditQuery(), 0, int.MaxValue, Ct)];
    }

    private async Task<AuditTrailVerification> TamperAndVerifyAsync(Action<List<AuditRecord>> attack)
    {
        var records = await SeedAsync();
        records.Should().HaveCount(10);
        attack(records);
        await Fixture.ReplaceAuditTrailAsync(Services, records);
        var result = await Compliance.VerifyAuditTrailAsync(cancellationToken: Ct);
        result.IsValid.Should().BeFalse();
        result.Problem.Should().NotBeNullOrWhiteSpace();
        return result;
    }

    private static void Reseal(List<AuditRecord> list, int from)
    {
        for (var i = from; i < list.Count; i++)
        {
            var r = list[i];
            var previous = i == 0 ? null : list[i - 1];
            list[i] = AuditChain.Seal(new AuditDraft(r.Timestamp, r.Actor, r.Action, r.Subject, r.Data), previous?.Sequence ?? 0, previous?.Hash ?? AuditChain.GenesisHash);
        }
    }

    [Fact]
    public virtual async Task An_edited_record_is_detected_at_that_record()
    {
        var result = await TamperAndVerifyAsync(list => list[2] = list[2] with { Data = list[2].Data.Replace("k1", "kX", StringComparison.Ordinal) });
        result.FirstInvalidSequence.Should().Be(3);
        result.ProblemKind.Should().Be(AuditProblemKind.RecordEdited);
    }

    [Fact]
    public virtual async Task A_deleted_record_is_detected_as_missing()
    {
        var result = await TamperAndVerifyAsync(list => list.RemoveAt(3));
        result.FirstInvalidSequence.Should().Be(4);
        result.ProblemKind.Should().Be(AuditProblemKind.RecordMissing);
    }

    [Fact]
    public virtual async Task Records_swapped_into_each_others_places_are_detected()
    {
        // Renumbered so that every store keeps its sequence order: record 3's content now sits at 2 and vice versa.
        var result = await TamperAndVerifyAsync(list => (list[1], list[2]) = (list[2] with { Sequence = 2 }, list[1] with { Sequence = 3 }));
        result.FirstInvalidSequence.Should().Be(2);
        result.ProblemKind.Should().BeOneOf(AuditProblemKind.BrokenLink, AuditProblemKind.RecordsReordered, AuditProblemKind.RecordEdited);
    }

    [Fact]
    public virtual async Task A_truncated_tail_is_detected_by_the_checkpoint()
    {
        var result = await TamperAndVerifyAsync(list => list.RemoveRange(4, list.Count - 4));
        result.ProblemKind.Should().Be(AuditProblemKind.Truncated);
        result.FirstInvalidSequence.Should().Be(5);
        result.HeadSequence.Should().Be(4);
    }

    [Fact]
    public virtual async Task A_fully_rewritten_chain_is_detected_by_the_checkpoint()
    {
        var result = await TamperAndVerifyAsync(list =>
        {
            list[1] = list[1] with { Actor = "mallory" };
            Reseal(list, 1);
        });
        result.ProblemKind.Should().Be(AuditProblemKind.Rewritten);
        result.FirstInvalidSequence.Should().Be(1);
    }

    [Fact]
    public virtual async Task An_edited_and_rehashed_record_breaks_the_next_link()
    {
        var result = await TamperAndVerifyAsync(list =>
        {
            var edited = list[1] with { Actor = "mallory" };
            list[1] = edited with { Hash = AuditChain.ComputeHash(edited) };
        });
        result.FirstInvalidSequence.Should().Be(3);
        result.ProblemKind.Should().Be(AuditProblemKind.BrokenLink);
    }
}
