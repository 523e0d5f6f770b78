using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.HostileInput;

/// <summary>A public entry point, called with generated arguments.</summary>
public sealed record EntryPoint(string Name, Func<ModelRegistryServices, HostileInput, Task> Call);

/// <summary>
/// Every public method of <see cref="IModelRegistry"/>, <see cref="ILineageTracker"/>, <see cref="IPerformanceTracker"/>,
/// <see cref="IComplianceManager"/> and <see cref="IAuditTrail"/>. Bits of <see cref="HostileInput.L"/> choose whether a
/// name/version argument is the seeded model (<c>base</c>, <c>1.0.0</c>) or hostile text, so calls reach past the
/// first lookup and the hostile part lands in a later argument too.
/// </summary>
public static class EntryPoints
{
    private static string M(HostileInput i) => (i.L & 1) == 0 ? "base" : i.A;

    private static string V(HostileInput i) => (i.L & 2) == 0 ? ((i.L & 4) == 0 ? "1.0.0" : "1.1.0") : i.B;

    private static T E<T>(HostileInput i)
        where T : struct, Enum
        => (T)Enum.ToObject(typeof(T), (i.L & 8) == 0 ? Math.Abs(i.N % 8) : i.N);

    private static IReadOnlyDictionary<string, string> Map(HostileInput i) => new Dictionary<string, string> { [i.B] = i.C };

    private static MetricWindow Window(HostileInput i)
        => (i.L & 16) == 0 ? StateProbe.MetricWindow : new MetricWindow(Workload.MetricEpoch.AddTicks(i.L % 1_000_000_000_000), Workload.MetricEpoch.AddSeconds(i.N));

    private static MetricSubject Subject(HostileInput i) => new(M(i), V(i), (i.L & 32) == 0 ? null : i.C);

    private static MetricKey Key(HostileInput i) => (i.L & 64) == 0 ? MetricKey.Latency : new MetricKey(E<MetricKind>(i), i.C);

    private static LineageQuery Query(HostileInput i) => new() { MaxDepth = (i.L & 128) == 0 ? null : i.N, AsOf = (i.L & 256) == 0 ? null : Workload.MetricEpoch.AddDays(i.N % 100_000) };

    private static string Node(HostileInput i) => (i.L & 1) == 0 ? LineageNodeIds.Version("base", "1.0.0") : i.A;

    public static IReadOnlyList<EntryPoint> All(string approvalId)
    {
        string Approval(HostileInput i) => (i.L & 512) == 0 ? approvalId : i.C;

        return
        [
            // ------------------------------------------------------------------ registry
            new("RegisterModel", (s, i) => s.Registry.RegisterModelAsync(new RegisterModelRequest
            {
                Name = i.A, Description = i.Json, Owners = [i.B], RiskTier = E<RiskTier>(i), Task = i.C, Framework = i.C, Provider = i.C, Tags = Map(i),
            })),
            new("GetModel", (s, i) => s.Registry.GetModelAsync(M(i))),
            new("UpdateModel", (s, i) => s.Registry.UpdateModelAsync(M(i), new ModelUpdate { Description = i.Json, Owners = [i.B], RiskTier = E<RiskTier>(i), ExpectedRevision = i.L })),
            new("DeprecateModel", (s, i) => s.Registry.DeprecateModelAsync(M(i), i.B, i.C)),
            new("UndeprecateModel", (s, i) => s.Registry.UndeprecateModelAsync(M(i))),
            new("DeleteModel", (s, i) => s.Registry.DeleteModelAsync(M(i), i.L)),
            new("SetModelTag", (s, i) => s.Registry.SetModelTagAsync(M(i), i.B, i.Json)),
            new("DeleteModelTag", (s, i) => s.Registry.DeleteModelTagAsync(M(i), i.B)),
            new("CreateVersion", (s, i) => s.Registry.CreateVersionAsync(M(i), new CreateVersionRequest
            {
                Version = (i.L & 2) == 0 ? null : i.B,
                Increment = E<VersionIncrement>(i),
                Description = i.Json,
                SourceCommit = i.C,
                RunId = i.C,
                Parameters = Map(i),
                Metrics = new Dictionary<string, double> { [i.C] = i.X },
                Artifacts = [new ModelArtifact(E<ArtifactType>(i), i.C, i.B, i.L, i.A)],
                DerivedFrom = (i.L & 1024) == 0 ? null : i.C,
                Tags = Map(i),
                ProviderBindings = (i.L & 2048) == 0 ? null : [new ProviderBindingRequest { Provider = i.C, ProviderModelId = i.B, Endpoint = i.A, CostPer1KInputTokens = i.N }],
                IdempotencyKey = (i.L & 4096) == 0 ? null : i.C,
            })),
            new("GetVersion", (s, i) => s.Registry.GetVersionAsync(M(i), V(i))),
            new("ListVersions", (s, i) => s.Registry.ListVersionsAsync(M(i))),
            new("Resolve", (s, i) => s.Registry.ResolveAsync(i.A)),
            new("UpdateVersionDescription", (s, i) => s.Registry.UpdateVersionDescriptionAsync(M(i), V(i), i.Json)),
            new("SetVersionTag", (s, i) => s.Registry.SetVersionTagAsync(M(i), V(i), i.C, i.Json)),
            new("DeleteVersionTag", (s, i) => s.Registry.DeleteVersionTagAsync(M(i), V(i), i.C)),
            new("TransitionStage", (s, i) => s.Registry.TransitionStageAsync(M(i), V(i), E<ModelStage>(i), new StageTransitionOptions { CanaryTrafficPercent = i.N, Reason = i.C, ExpectedRevision = (i.L & 1024) == 0 ? null : i.L })),
            new("SetCanaryTraffic", (s, i) => s.Registry.SetCanaryTrafficAsync(M(i), V(i), i.N)),
            new("Rollback", (s, i) => s.Registry.RollbackAsync(M(i), i.C)),
            new("SetAlias", (s, i) => s.Registry.SetAliasAsync(M(i), i.C, V(i))),
            new("DeleteAlias", (s, i) => s.Registry.DeleteAliasAsync(M(i), (i.L & 1024) == 0 ? "champion" : i.C)),
            new("AddProviderBinding", (s, i) => s.Registry.AddProviderBindingAsync(M(i), V(i), new ProviderBindingRequest
            {
                Id = i.C, Provider = i.A, ProviderModelId = i.B, Endpoint = i.C, Region = i.Json, CostPer1KInputTokens = i.N, CostPer1KOutputTokens = -i.N, LatencySloMs = i.X, Status = E<BindingStatus>(i),
            })),
            new("UpdateProviderBinding", (s, i) => s.Registry.UpdateProviderBindingAsync(M(i), V(i), (i.L & 1024) == 0 ? "b1" : i.C, new ProviderBindingUpdate
            {
                Endpoint = i.C, CostPer1KInputTokens = i.N, LatencySloMs = i.X, ObservedLatencyMs = i.X, ObservedSuccessRate = i.X, Status = E<BindingStatus>(i),
            })),
            new("RemoveProviderBinding", (s, i) => s.Registry.RemoveProviderBindingAsync(M(i), V(i), (i.L & 1024) == 0 ? "b9" : i.C)),
            new("ListProviderBindings", (s, i) => s.Registry.ListProviderBindingsAsync(new ProviderBindingQuery { ModelName = M(i), Version = i.B, Provider = i.C, MinimumSuccessRate = i.X, Region = i.Json })),
            new("SearchModels", (s, i) => s.Registry.SearchModelsAsync(new SearchRequest { Filter = i.A, OrderBy = i.B, PageSize = i.N, ContinuationToken = (i.L & 1024) == 0 ? null : i.C })),
            new("SearchVersions", (s, i) => s.Registry.SearchVersionsAsync(new SearchRequest { Filter = i.A, OrderBy = i.B, PageSize = i.N, ContinuationToken = (i.L & 1024) == 0 ? null : i.C })),
            new("ApplyRetention", (s, i) => s.Registry.ApplyRetentionAsync(new RetentionRequest { ModelName = M(i), KeepLast = i.N, DryRun = (i.L & 1024) == 0 })),
            new("GetStatistics", (s, _) => s.Registry.GetStatisticsAsync()),

            // ------------------------------------------------------------------ lineage
            new("RecordNode", (s, i) => s.Lineage.RecordNodeAsync(new RecordNodeRequest(i.A, E<LineageNodeKind>(i), i.B)
            {
                CustomKind = (i.L & 1024) == 0 ? null : i.C, Metadata = i.Json, ExpectedRevision = (i.L & 2048) == 0 ? null : i.L,
                Details = (i.L & 4096) == 0 ? null : new DatasetDetails { Uri = i.C, RowCount = i.L, License = i.B, PersonalDataCategories = [i.C] },
            })),
            new("GetNode", (s, i) => s.Lineage.GetNodeAsync(Node(i))),
            new("Link", (s, i) => s.Lineage.LinkAsync(new LinkRequest(Node(i), E<LineageEdgeKind>(i), (i.L & 2) == 0 ? LineageNodeIds.Dataset("data") : i.B) { CustomKind = (i.L & 1024) == 0 ? null : i.C, Metadata = i.Json })),
            new("Unlink", (s, i) => s.Lineage.UnlinkAsync(new LinkRequest(Node(i), E<LineageEdgeKind>(i), (i.L & 2) == 0 ? LineageNodeIds.Dataset("data") : i.B))),
            new("GetUpstream", (s, i) => s.Lineage.GetUpstreamAsync(Node(i), Query(i))),
            new("GetDownstream", (s, i) => s.Lineage.GetDownstreamAsync(Node(i), Query(i))),
            new("GetLineage", (s, i) => s.Lineage.GetLineageAsync(Node(i), Query(i))),
            new("AnalyzeImpact", (s, i) => s.Lineage.AnalyzeImpactAsync(Node(i), Query(i))),
            new("GetProvenance", (s, i) => s.Lineage.GetProvenanceAsync(Node(i), Query(i))),
            new("FindPath", (s, i) => s.Lineage.FindPathAsync(Node(i), (i.L & 2) == 0 ? LineageNodeIds.Dataset("data") : i.B, E<LineageDirection>(i), Query(i))),
            new("Export", (s, i) => s.Lineage.ExportAsync(new StringWriter(), E<LineageExportFormat>(i))),

            // ------------------------------------------------------------------ performance
            new("Record", (s, i) => s.Performance.RecordAsync(new MetricPoint
            {
                ModelName = M(i), Version = V(i), BindingId = (i.L & 32) == 0 ? null : i.C, Kind = E<MetricKind>(i), CustomName = i.C, Value = i.X, Unit = i.Json,
                Timestamp = (i.L & 1024) == 0 ? null : Workload.MetricEpoch.AddSeconds(i.N), Dimensions = Map(i), RequestId = i.C,
            })),
            new("RecordBatch", (s, i) => s.Performance.RecordBatchAsync([
                new MetricPoint { ModelName = "base", Version = "1.0.0", Kind = MetricKind.Latency, Value = 1, Timestamp = Workload.MetricEpoch },
                new MetricPoint { ModelName = M(i), Version = V(i), Kind = E<MetricKind>(i), CustomName = i.C, Value = i.X, Dimensions = Map(i), Timestamp = Workload.MetricEpoch },
            ])),
            new("TrackInference", (s, i) => s.Performance.TrackInferenceAsync(new InferenceRecord
            {
                ModelName = M(i), Version = V(i), LatencyMs = i.X, InputTokens = i.L, OutputTokens = i.N, Succeeded = (i.L & 1024) == 0, ErrorKind = i.C,
                QualityScore = i.X, DriftScore = i.X, Cost = i.N, Dimensions = Map(i), RequestId = i.C, Timestamp = Workload.MetricEpoch.AddSeconds(i.N % 10_000),
            })),
            new("GetStatistics(metric)", (s, i) => s.Performance.GetStatisticsAsync(new MetricQuery { Subject = Subject(i), Metric = Key(i), Window = Window(i), Dimensions = (i.L & 1024) == 0 ? null : Map(i) })),
            new("GetTimeBuckets", (s, i) => s.Performance.GetTimeBucketsAsync(new MetricQuery { Subject = Subject(i), Metric = Key(i), Window = Window(i) }, E<TimeBucketSize>(i))),
            new("Compare", (s, i) => s.Performance.CompareAsync(new ModelComparisonRequest { Subjects = [Subject(i), new MetricSubject(i.B, i.C)], Metrics = [Key(i)], Window = Window(i) })),
            new("RunAbTest", (s, i) => s.Performance.RunAbTestAsync(new AbTestRequest { A = Subject(i), B = new MetricSubject("base", "1.1.0"), Window = Window(i) })),
            new("GetCostSummary", (s, i) => s.Performance.GetCostSummaryAsync(new CostQuery { ModelName = M(i), Version = i.B, Provider = i.C, Window = Window(i) }, E<CostGrouping>(i))),
            new("GetCostTrend", (s, i) => s.Performance.GetCostTrendAsync(new CostQuery { ModelName = M(i), Window = Window(i) }, E<TimeBucketSize>(i))),
            new("GetRoi", (s, i) => s.Performance.GetRoiAsync(Subject(i), Window(i))),
            new("GetDrift", (s, i) => s.Performance.GetDriftAsync(new DriftQuery { Metric = Key(i), Subject = Subject(i), CurrentWindow = Window(i), ReferenceWindow = StateProbe.MetricWindow, Bins = i.N })),
            new("CheckRollback", (s, i) => s.Performance.CheckRollbackAsync(M(i), V(i))),
            new("ApplyRetention(metrics)", (s, _) => s.Performance.ApplyRetentionAsync()),

            // ------------------------------------------------------------------ compliance and audit
            new("Evaluate", (s, i) => s.Compliance.EvaluateAsync(M(i), V(i), E<ModelStage>(i))),
            new("RequestApproval", (s, i) => s.Compliance.RequestApprovalAsync(M(i), V(i), E<ModelStage>(i), i.Json)),
            new("Review", (s, i) => s.Compliance.ReviewAsync(Approval(i), E<ReviewDecision>(i), i.Json, (i.L & 1024) == 0 ? null : [new CheckWaiverRequest(i.B, i.C)])),
            new("WithdrawApproval", (s, i) => s.Compliance.WithdrawApprovalAsync(Approval(i), i.Json)),
            new("GetApproval", (s, i) => s.Compliance.GetApprovalAsync(Approval(i))),
            new("ListPendingApprovals", (s, i) => s.Compliance.ListPendingApprovalsAsync(new ApprovalQueueQuery { ModelName = i.A, PageSize = i.N, ContinuationToken = (i.L & 1024) == 0 ? null : i.C, ReviewableByMe = (i.L & 2048) == 0 })),
            new("GetApprovalHistory", (s, i) => s.Compliance.GetApprovalHistoryAsync(M(i), V(i))),
            new("QueryAudit", (s, i) => s.Compliance.QueryAuditAsync(new AuditQuery { Subject = i.A, Action = i.B, Actor = i.C, PageSize = i.N, ContinuationToken = (i.L & 1024) == 0 ? null : i.Json })),
            new("ExportAudit", (s, i) => s.Compliance.ExportAuditAsync(new MemoryStream(), new AuditQuery { Subject = i.A, PageSize = i.N })),
            new("VerifyAuditTrail", (s, _) => s.Compliance.VerifyAuditTrailAsync()),
            new("ListAuditCheckpoints", (s, _) => s.Compliance.ListAuditCheckpointsAsync()),
            new("DeliverEvents", (s, _) => s.Compliance.DeliverEventsAsync()),
            new("GetModelCard", (s, i) => s.Compliance.GetModelCardAsync(M(i), V(i))),
            new("WriteEvidenceBundle", (s, i) => s.Compliance.WriteEvidenceBundleAsync(M(i), V(i), new MemoryStream())),
            new("AuditTrail.Query", (s, i) => s.AuditTrail.QueryAsync(new AuditQuery { Subject = i.A, Action = i.B, From = Workload.MetricEpoch.AddDays(i.N % 100_000), To = Workload.MetricEpoch, PageSize = i.N })),
        ];
    }
}
