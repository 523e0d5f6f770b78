using System.Text.Json;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>A small in-memory stand-in for the lineage tracker: datasets a version was trained on and evaluations of it.</summary>
internal sealed class FakeLineageTracker : ILineageTracker
{
    private readonly Dictionary<string, List<LineageNode>> _datasets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<LineageNode>> _evaluations = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _versions = new(StringComparer.OrdinalIgnoreCase);

    public static LineageNode Node(string id, LineageNodeKind kind, LineageNodeDetails? details, DateTimeOffset? at = null)
        => new() { Id = id, Kind = kind, Name = id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..], Details = details, CreatedBy = "test", CreatedAt = at ?? DateTimeOffset.UnixEpoch, Revision = 1 };

    public FakeLineageTracker TrainedOn(string model, string version, string dataset, bool? personalData, string? license = "CC-BY-4.0", params string[] categories)
    {
        var id = LineageNodeIds.Version(model, version);
        _versions.Add(id);
        if (!_datasets.TryGetValue(id, out var list))
        {
            _datasets[id] = list = [];
        }

        list.Add(Node(LineageNodeIds.Dataset(dataset), LineageNodeKind.Dataset, new DatasetDetails { License = license, ContainsPersonalData = personalData, PersonalDataCategories = categories }));
        return this;
    }

    public FakeLineageTracker Evaluated(string model, string version, string evaluation, string suite, IReadOnlyDictionary<string, double> metrics, DateTimeOffset? at = null)
    {
        var id = LineageNodeIds.Version(model, version);
        _versions.Add(id);
        if (!_evaluations.TryGetValue(id, out var list))
        {
            _evaluations[id] = list = [];
        }

        list.Add(Node(LineageNodeIds.Evaluation(evaluation), LineageNodeKind.Evaluation, new EvaluationDetails { Suite = suite, Metrics = metrics }, at));
        return this;
    }

    public FakeLineageTracker Known(string model, string version)
    {
        _versions.Add(LineageNodeIds.Version(model, version));
        return this;
    }

    private LineageNode Subject(string nodeId)
        => _versions.Contains(nodeId)
            ? Node(nodeId, LineageNodeKind.ModelVersion, null)
            : throw new ModelRegistryException(ErrorCode.NotFound, $"There is no lineage node '{nodeId}'.");

    public Task<ProvenanceReport> GetProvenanceAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        var subject = Subject(nodeId);
        var sources = _datasets.GetValueOrDefault(nodeId, [])
            .Select(d => new ProvenanceSource(d, new LineagePath { Nodes = [subject, d], Edges = [Edge(subject.Id, LineageEdgeKind.TrainedOn, d.Id)] }, IsRoot: true))
            .ToList();
        return Task.FromResult(new ProvenanceReport { Subject = subject, Datasets = sources, MaxDepth = 50 });
    }

    public Task<LineageGraph> GetDownstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        var subject = Subject(nodeId);
        var evaluations = _evaluations.GetValueOrDefault(nodeId, []);
        return Task.FromResult(new LineageGraph
        {
            RootId = nodeId,
            Direction = LineageDirection.Downstream,
            MaxDepth = query?.MaxDepth ?? 3,
            Nodes = [new LineageGraphNode(subject, 0), .. evaluations.Select(e => new LineageGraphNode(e, 1))],
            Edges = [.. evaluations.Select(e => Edge(e.Id, LineageEdgeKind.EvaluatedOn, nodeId))],
        });
    }

    public Task<LineageGraph> GetLineageAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        var subject = Subject(nodeId);
        var datasets = _datasets.GetValueOrDefault(nodeId, []);
        var evaluations = _evaluations.GetValueOrDefault(nodeId, []);
        return Task.FromResult(new LineageGraph
        {
            RootId = nodeId,
            Direction = LineageDirection.Both,
            MaxDepth = query?.MaxDepth ?? 3,
            Nodes = [new LineageGraphNode(subject, 0), .. datasets.Concat(evaluations).Select(e => new LineageGraphNode(e, 1))],
            Edges = [.. datasets.Select(d => Edge(nodeId, LineageEdgeKind.TrainedOn, d.Id)), .. evaluations.Select(e => Edge(e.Id, LineageEdgeKind.EvaluatedOn, nodeId))],
        });
    }

    public async Task ExportAsync(TextWriter destination, LineageExportFormat format, LineageGraph? graph = null, CancellationToken cancellationToken = default)
        => await destination.WriteAsync(JsonSerializer.Serialize(new
        {
            nodes = (graph?.Nodes ?? []).Select(n => new { id = n.Node.Id, kind = n.Node.Kind.ToString() }),
            edges = (graph?.Edges ?? []).Select(e => new { source = e.From, target = e.To, kind = e.Kind.ToString() }),
        }));

    private static LineageEdge Edge(string from, LineageEdgeKind kind, string to)
        => new() { Id = Guid.NewGuid(), From = from, To = to, Kind = kind, CreatedBy = "test" };

    public Task<LineageNode> RecordNodeAsync(RecordNodeRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<LineageNode> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default) => Task.FromResult(Subject(nodeId));

    public Task<LineageEdge> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<LineageEdge> UnlinkAsync(LinkRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<LineageGraph> GetUpstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ImpactReport> AnalyzeImpactAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<LineagePath?> FindPathAsync(string fromId, string toId, LineageDirection direction = LineageDirection.Both, LineageQuery? query = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

/// <summary>
/// A stand-in for the performance tracker: statistics of fixed values per kind (<see cref="Values"/>), or of recorded
/// points filtered like the real tracker (subject, metric, half-open window, dimensions).
/// </summary>
internal sealed class FakePerformanceTracker : IPerformanceTracker
{
    public Dictionary<MetricKind, double[]> Values { get; } = [];

    public List<MetricPoint> Points { get; } = [];

    public List<MetricQuery> Queries { get; } = [];

    /// <summary>Records <paramref name="count"/> 0/1 outcomes whose mean is <paramref name="rate"/> (rounded to whole points).</summary>
    public FakePerformanceTracker ObserveRate(string model, string version, MetricKey metric, string attribute, string group, double rate, int count, DateTimeOffset at)
    {
        var ones = (int)Math.Round(rate * count);
        return Observe(model, version, metric, Enumerable.Range(0, count).Select(i => i < ones ? 1.0 : 0.0), at, new Dictionary<string, string> { [attribute] = group });
    }

    public FakePerformanceTracker Observe(string model, string version, MetricKey metric, IEnumerable<double> values, DateTimeOffset at, IReadOnlyDictionary<string, string>? dimensions = null)
    {
        Points.AddRange(values.Select(v => new MetricPoint { ModelName = model, Version = version, Kind = metric.Kind, CustomName = metric.CustomName, Value = v, Timestamp = at, Dimensions = dimensions }));
        return this;
    }

    public Task<MetricStatistics> GetStatisticsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        Queries.Add(query);
        var values = Values.TryGetValue(query.Metric.Kind, out var fixedValues) && query.Dimensions is null
            ? fixedValues
            : [.. Points.Where(p => string.Equals(p.ModelName, query.Subject.ModelName, StringComparison.OrdinalIgnoreCase)
                    && p.Version == query.Subject.Version
                    && new MetricKey(p.Kind, p.CustomName) == query.Metric
                    && query.Window.Contains(p.Timestamp!.Value)
                    && (query.Dimensions ?? new Dictionary<string, string>()).All(d => p.Dimensions is not null && p.Dimensions.TryGetValue(d.Key, out var v) && v == d.Value))
                .Select(p => p.Value)];
        if (values.Length == 0)
        {
            return Task.FromResult(MetricStatistics.Empty);
        }

        var sorted = values.Order().ToArray();
        double Rank(double q) => sorted[Math.Max(1, (int)Math.Ceiling(q * sorted.Length)) - 1];
        return Task.FromResult(new MetricStatistics
        {
            Count = sorted.Length,
            Sum = sorted.Sum(),
            Mean = sorted.Average(),
            Min = sorted[0],
            Max = sorted[^1],
            P50 = Rank(0.5),
            P90 = Rank(0.9),
            P95 = Rank(0.95),
            P99 = Rank(0.99),
        });
    }

    public Task<MetricPoint> RecordAsync(MetricPoint point, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> RecordBatchAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<InferenceRecord> TrackInferenceAsync(InferenceRecord record, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<TimeBucketedStatistics> GetTimeBucketsAsync(MetricQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ModelComparison> CompareAsync(ModelComparisonRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<AbTestResult> RunAbTestAsync(AbTestRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<CostSummary> GetCostSummaryAsync(CostQuery query, CostGrouping groupBy, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<CostTrend> GetCostTrendAsync(CostQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<RoiReport> GetRoiAsync(MetricSubject subject, MetricWindow window, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<PsiResult> GetDriftAsync(DriftQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<RollbackDecision> CheckRollbackAsync(string modelName, string version, RollbackTriggerOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<MetricRetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
