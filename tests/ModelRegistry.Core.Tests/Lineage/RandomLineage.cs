using CsCheck;
using ModelRegistry.Lineage;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>Generated lineage graphs for property tests, and how to load them into an index and a reference.</summary>
internal static class RandomLineage
{
    public sealed record NodeSpec(LineageNodeKind Kind, int Created, int OffsetHours, ImpactStage Stage);

    public sealed record EdgeSpec(int From, int To, LineageEdgeKind Kind, int Created, int RemoveAfter);

    /// <param name="Nodes">The nodes, numbered by position.</param>
    /// <param name="Edges">Edges to try, in order.</param>
    /// <param name="DagOnly">
    /// When true, acyclic-kind edges point from a higher to a lower node number, so they can never close a cycle;
    /// other kinds point anywhere (cycles of Consumes, ReplacedBy, ... are expected).
    /// </param>
    public sealed record GraphSpec(NodeSpec[] Nodes, EdgeSpec[] Edges, bool DagOnly)
    {
        public override string ToString()
            => $"DagOnly={DagOnly}; nodes: {string.Join(", ", Nodes.Select((n, i) => $"{i}:{n.Kind}@{n.Created}{(n.Kind is LineageNodeKind.ModelVersion or LineageNodeKind.Deployment ? "/" + n.Stage : string.Empty)}"))}; " +
               $"edges: {string.Join(", ", Edges.Select(e => $"{e.From}-{e.Kind}->{e.To}@{e.Created}{(e.RemoveAfter > 0 ? $"-{e.Created + e.RemoveAfter}" : string.Empty)}"))}";
    }

    public static Gen<NodeSpec> NodeGen(Gen<LineageNodeKind> kinds) =>
        Gen.Select(kinds, Gen.Int[0, 6], Gen.Int[-3, 3], Gen.Enum<ImpactStage>(), (k, c, o, s) => new NodeSpec(k, c, o, s));

    public static Gen<EdgeSpec> EdgeGen(int n, Gen<LineageEdgeKind> kinds) =>
        Gen.Select(Gen.Int[0, n - 1], Gen.Int[0, n - 1], kinds, Gen.Int[0, 10], Gen.Int[0, 4].Select(r => r > 2 ? 0 : r), (f, t, k, c, r) => new EdgeSpec(f, t, k, c, r));

    /// <summary>Node kinds weighted towards what impact analysis reports: versions, deployments, consumers.</summary>
    public static readonly Gen<LineageNodeKind> ImpactNodeKinds = Gen.Frequency(
        (2, Gen.Const(LineageNodeKind.Dataset)),
        (3, Gen.Const(LineageNodeKind.ModelVersion)),
        (3, Gen.Const(LineageNodeKind.Deployment)),
        (4, Gen.Const(LineageNodeKind.Consumer)),
        (1, Gen.Enum<LineageNodeKind>()));

    /// <summary>Edge kinds weighted towards the serving chain: DeployedTo, Consumes, TrainedOn.</summary>
    public static readonly Gen<LineageEdgeKind> ImpactEdgeKinds = Gen.Frequency(
        (3, Gen.Const(LineageEdgeKind.Consumes)),
        (3, Gen.Const(LineageEdgeKind.DeployedTo)),
        (2, Gen.Const(LineageEdgeKind.TrainedOn)),
        (2, Gen.Enum<LineageEdgeKind>()));

    public static Gen<GraphSpec> Graph(int maxNodes = 10, bool? dagOnly = null, Gen<LineageNodeKind>? nodeKinds = null, Gen<LineageEdgeKind>? edgeKinds = null) =>
        Gen.Int[1, maxNodes].SelectMany(n => Gen.Select(
            NodeGen(nodeKinds ?? Gen.Enum<LineageNodeKind>()).Array[n],
            EdgeGen(n, edgeKinds ?? Gen.Enum<LineageEdgeKind>()).Array[0, 3 * n],
            dagOnly is { } fixedDag ? Gen.Const(fixedDag) : Gen.Bool,
            (nodes, edges, dag) => new GraphSpec(nodes, edges, dag)));

    public static Gen<IReadOnlyList<TEnum>?> KindFilter<TEnum>()
        where TEnum : struct, Enum
    {
        var all = Enum.GetValues<TEnum>();
        return Gen.Select(Gen.Int[0, 2], Gen.Int[1, (1 << all.Length) - 1], (none, mask) =>
            none == 0 ? (IReadOnlyList<TEnum>?)all.Where((_, i) => (mask & (1 << i)) != 0).ToList() : null);
    }

    /// <summary>An as-of instant (sometimes with a non-UTC offset) or null for "now".</summary>
    public static readonly Gen<DateTimeOffset?> AsOfGen =
        Gen.Select(Gen.Int[-4, 15], Gen.Int[-2, 2], (m, o) => m < 0 ? (DateTimeOffset?)null : LineageFixtures.At(m).ToOffset(TimeSpan.FromHours(o)));

    public static string Id(NodeSpec node, int i) => node.Kind == LineageNodeKind.Custom ? $"feature:n{i}" : $"{LineageNodeIds.PrefixOf(node.Kind)}:n{i}";

    public sealed class Built
    {
        public required LineageGraphIndex Index { get; init; }

        public required List<LineageNode> Nodes { get; init; }

        /// <summary>The accepted edges as the test expects them to be stored (removals applied).</summary>
        public required List<LineageEdge> Edges { get; init; }

        public required Dictionary<string, ModelStage> VersionStages { get; init; }

        public NaiveLineage Naive() => new(Nodes, Edges);

        public Func<LineageNode, ImpactStage> StageOf => ImpactStages.Classifier(id => VersionStages.TryGetValue(id, out var s) ? s : null);
    }

    /// <summary>Loads a spec into a fresh index edge by edge (refused edges are skipped), then records the removals.</summary>
    public static Built Build(GraphSpec spec)
    {
        var index = new LineageGraphIndex();
        var nodes = new List<LineageNode>();
        var stages = new Dictionary<string, ModelStage>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < spec.Nodes.Length; i++)
        {
            var s = spec.Nodes[i];
            var id = Id(s, i);
            var node = new LineageNode
            {
                Id = id,
                Kind = s.Kind,
                Name = $"Node {i}",
                CustomKind = s.Kind == LineageNodeKind.Custom ? "feature" : null,
                Details = s.Kind == LineageNodeKind.Deployment ? new DeploymentDetails { Environment = Environment(s.Stage) } : null,
                CreatedAt = LineageFixtures.At(s.Created).ToOffset(TimeSpan.FromHours(s.OffsetHours)),
                CreatedBy = "tester",
                Revision = 1,
            };
            nodes.Add(index.AddOrReplaceNode(node));
            if (s.Kind == LineageNodeKind.ModelVersion)
            {
                stages[id] = s.Stage switch
                {
                    ImpactStage.Production => ModelStage.Production,
                    ImpactStage.Canary => ModelStage.Canary,
                    ImpactStage.Staging => ModelStage.Staging,
                    _ => ModelStage.Development,
                };
            }
        }

        var accepted = new List<(LineageEdge Edge, EdgeSpec Spec)>();
        foreach (var e in spec.Edges)
        {
            var (from, to) = spec.DagOnly && LineageValidator.IsAcyclicKind(e.Kind) ? (Math.Max(e.From, e.To), Math.Min(e.From, e.To)) : (e.From, e.To);
            var edge = new LineageEdge
            {
                Id = Guid.NewGuid(),
                From = nodes[from].Id,
                To = nodes[to].Id,
                Kind = e.Kind,
                CustomKind = e.Kind == LineageEdgeKind.Custom ? "feeds" : null,
                CreatedAt = LineageFixtures.At(e.Created),
                CreatedBy = "tester",
            };
            try
            {
                index.AddEdge(edge);
                accepted.Add((edge, e));
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.AlreadyExists or ErrorCode.InvalidArgument
                || (ex.Code == ErrorCode.PolicyViolation && !spec.DagOnly) || (ex.Code == ErrorCode.PolicyViolation && from == to))
            {
                // Duplicates, self-links and (outside DAG mode) cycles are refused; the property tests check why elsewhere.
            }
        }

        var edges = new List<LineageEdge>();
        foreach (var (edge, e) in accepted)
        {
            if (e.RemoveAfter > 0)
            {
                var at = edge.CreatedAt.AddMinutes(e.RemoveAfter);
                index.RemoveEdge(edge.From, edge.Id, at, "remover");
                edges.Add(edge with { RemovedAt = at, RemovedBy = "remover" });
            }
            else
            {
                edges.Add(edge);
            }
        }

        return new Built { Index = index, Nodes = nodes, Edges = edges, VersionStages = stages };
    }

    public static string Environment(ImpactStage stage) => stage switch
    {
        ImpactStage.Production => "production",
        ImpactStage.Canary => "canary",
        ImpactStage.Staging => "staging",
        _ => "dev",
    };
}
