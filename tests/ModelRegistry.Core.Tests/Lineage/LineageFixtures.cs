using ModelRegistry.Lineage;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>Small builders for lineage tests: nodes and edges at minutes after a fixed instant.</summary>
internal static class LineageFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    public static LineageNode Node(string id, LineageNodeKind kind, int createdMinute = 0, LineageNodeDetails? details = null, string? name = null, string? customKind = null) => new()
    {
        Id = id,
        Kind = kind,
        Name = name ?? id,
        CustomKind = customKind,
        Details = details,
        CreatedAt = At(createdMinute),
        CreatedBy = "tester",
        Revision = 1,
    };

    public static LineageNode Dataset(string key, int createdMinute = 0, DatasetDetails? details = null)
        => Node(LineageNodeIds.Dataset(key), LineageNodeKind.Dataset, createdMinute, details);

    public static LineageNode Version(string model, string version, int createdMinute = 0)
        => Node(LineageNodeIds.Version(model, version), LineageNodeKind.ModelVersion, createdMinute);

    public static LineageNode Run(string key, int createdMinute = 0)
        => Node(LineageNodeIds.TrainingRun(key), LineageNodeKind.TrainingRun, createdMinute);

    public static LineageNode Deployment(string key, string environment, int createdMinute = 0)
        => Node(LineageNodeIds.Deployment(key), LineageNodeKind.Deployment, createdMinute, new DeploymentDetails { Environment = environment });

    public static LineageNode Consumer(string key, int createdMinute = 0)
        => Node(LineageNodeIds.Consumer(key), LineageNodeKind.Consumer, createdMinute);

    public static LineageEdge Edge(string from, LineageEdgeKind kind, string to, int createdMinute = 0, string? customKind = null, string? metadata = null) => new()
    {
        Id = Guid.NewGuid(),
        From = from,
        To = to,
        Kind = kind,
        CustomKind = customKind,
        CreatedAt = At(createdMinute),
        CreatedBy = "tester",
        Metadata = metadata,
    };

    public static LineageEdge Link(this LineageGraphIndex index, string from, LineageEdgeKind kind, string to, int createdMinute = 0)
        => index.AddEdge(Edge(from, kind, to, createdMinute));

    public static LineageGraphIndex Index(params LineageNode[] nodes)
    {
        var index = new LineageGraphIndex();
        foreach (var node in nodes)
        {
            index.AddOrReplaceNode(node);
        }

        return index;
    }

    /// <summary>Everything the index holds, in a comparable form (ids sorted, edges with their removal state).</summary>
    public static (List<LineageNode> Nodes, List<LineageEdge> Edges) State(LineageGraphIndex index)
    {
        var (nodes, edges) = index.ReadAll();
        return (nodes.OrderBy(n => n.Id, StringComparer.Ordinal).ToList(), edges.OrderBy(e => e.Id).ToList());
    }
}
