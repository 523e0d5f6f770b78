using ModelRegistry.Lineage;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>
/// A deliberately simple reference for the lineage engine: plain lists, distances by repeated relaxation, impact by
/// enumerating every walk. Slow, obviously correct, and independent of the engine's code.
/// </summary>
internal sealed class NaiveLineage
{
    private static readonly LineageEdgeKind[] AcyclicKinds = [LineageEdgeKind.TrainedOn, LineageEdgeKind.DerivedFrom, LineageEdgeKind.FineTunedFrom];

    private readonly Dictionary<string, LineageNode> _nodes;
    private readonly List<LineageEdge> _edges;

    public NaiveLineage(IEnumerable<LineageNode> nodes, IEnumerable<LineageEdge> edges)
    {
        _nodes = nodes.ToDictionary(n => n.Id, StringComparer.OrdinalIgnoreCase);
        _edges = edges.ToList();
    }

    public static readonly LineageEdgeKind[] ImpactDefault = Enum.GetValues<LineageEdgeKind>().Where(k => k != LineageEdgeKind.ReplacedBy).ToArray();

    public static readonly LineageEdgeKind[] ProvenanceDefault = [LineageEdgeKind.TrainedOn, LineageEdgeKind.DerivedFrom, LineageEdgeKind.FineTunedFrom, LineageEdgeKind.ProducedBy];

    public bool NodeVisible(string id, DateTimeOffset? asOf) => asOf is null || _nodes[id].CreatedAt <= asOf;

    public bool EdgeVisible(LineageEdge e, DateTimeOffset? asOf) => asOf is null ? e.RemovedAt is null : e.WasActiveAt(asOf.Value);

    /// <summary>The edges that may be walked: visible, of an allowed kind, both ends visible.</summary>
    public List<LineageEdge> Usable(IReadOnlyCollection<LineageEdgeKind>? kinds, DateTimeOffset? asOf)
        => _edges.Where(e => (kinds is null || kinds.Contains(e.Kind)) && EdgeVisible(e, asOf) && NodeVisible(e.From, asOf) && NodeVisible(e.To, asOf)).ToList();

    /// <summary>Unbounded shortest distances from <paramref name="start"/> (repeated relaxation until nothing changes).</summary>
    public Dictionary<string, int> Distances(string start, LineageDirection direction, IReadOnlyCollection<LineageEdgeKind>? kinds, DateTimeOffset? asOf)
    {
        var usable = Usable(kinds, asOf);
        var steps = new List<(string From, string To)>();
        foreach (var e in usable)
        {
            if (direction != LineageDirection.Downstream)
            {
                steps.Add((e.From, e.To));
            }

            if (direction != LineageDirection.Upstream)
            {
                steps.Add((e.To, e.From));
            }
        }

        var dist = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { [start] = 0 };
        bool changed;
        do
        {
            changed = false;
            foreach (var (a, b) in steps)
            {
                if (dist.TryGetValue(a, out var da) && (!dist.TryGetValue(b, out var db) || da + 1 < db))
                {
                    dist[b] = da + 1;
                    changed = true;
                }
            }
        }
        while (changed);
        return dist;
    }

    public sealed record TraversalResult(Dictionary<string, int> Depths, HashSet<Guid> EdgeIds, bool Truncated);

    /// <summary>The reference traversal: nodes within the depth (listed by the node filter), edges from closer nodes, truncation.</summary>
    public TraversalResult Traverse(string start, LineageDirection direction, LineageQuery query)
    {
        var maxDepth = query.MaxDepth ?? LineageQuery.DefaultMaxDepth;
        if (direction == LineageDirection.Both)
        {
            var up = Traverse(start, LineageDirection.Upstream, query);
            var down = Traverse(start, LineageDirection.Downstream, query);
            var depths = new Dictionary<string, int>(up.Depths, StringComparer.OrdinalIgnoreCase);
            foreach (var (id, d) in down.Depths)
            {
                depths[id] = depths.TryGetValue(id, out var other) ? Math.Min(other, d) : d;
            }

            return new TraversalResult(depths, [.. up.EdgeIds, .. down.EdgeIds], up.Truncated || down.Truncated);
        }

        var dist = Distances(start, direction, query.EdgeKinds, query.AsOf);
        bool Listed(string id) => string.Equals(id, start, StringComparison.OrdinalIgnoreCase) || query.NodeKinds is null || query.NodeKinds.Contains(_nodes[id].Kind);
        var result = dist.Where(p => p.Value <= maxDepth && Listed(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var edges = Usable(query.EdgeKinds, query.AsOf)
            .Where(e =>
            {
                var origin = direction == LineageDirection.Upstream ? e.From : e.To;
                return dist.TryGetValue(origin, out var d) && d < maxDepth && Listed(e.From) && Listed(e.To);
            })
            .Select(e => e.Id)
            .ToHashSet();
        return new TraversalResult(result, edges, dist.Values.Any(d => d > maxDepth));
    }

    public int? PathLength(string from, string to, LineageDirection direction, LineageQuery query)
    {
        var dist = Distances(from, direction, query.EdgeKinds, query.AsOf);
        return dist.TryGetValue(to, out var d) && d <= (query.MaxDepth ?? LineageQuery.MaxAllowedDepth) ? d : null;
    }

    /// <summary>Whether <paramref name="to"/> is reachable from <paramref name="from"/> through acyclic-kind edges in force (a path of length ≥ 0).</summary>
    public bool ReachesThroughAcyclicEdges(string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool Visit(string id)
        {
            if (string.Equals(id, to, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (!seen.Add(id))
            {
                return false;
            }

            return _edges.Where(e => e.RemovedAt is null && AcyclicKinds.Contains(e.Kind) && string.Equals(e.From, id, StringComparison.OrdinalIgnoreCase)).Any(e => Visit(e.To));
        }

        return Visit(from);
    }

    public bool HasActiveAcyclicEdge(string from, string to)
        => _edges.Any(e => e.RemovedAt is null && AcyclicKinds.Contains(e.Kind)
            && string.Equals(e.From, from, StringComparison.OrdinalIgnoreCase) && string.Equals(e.To, to, StringComparison.OrdinalIgnoreCase));

    public bool HasActiveEdge(string from, LineageEdgeKind kind, string to)
        => _edges.Any(e => e.RemovedAt is null && e.Kind == kind
            && string.Equals(e.From, from, StringComparison.OrdinalIgnoreCase) && string.Equals(e.To, to, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reference provenance: dataset id → (depth, is root), and truncation.</summary>
    public (Dictionary<string, (int Depth, bool IsRoot)> Datasets, bool Truncated) Provenance(string start, LineageQuery query)
    {
        var kinds = query.EdgeKinds ?? ProvenanceDefault;
        var maxDepth = query.MaxDepth ?? LineageQuery.MaxAllowedDepth;
        var dist = Distances(start, LineageDirection.Upstream, kinds, query.AsOf);
        var closure = dist.Where(p => p.Value <= maxDepth).Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var inside = Usable(kinds, query.AsOf).Where(e => closure.Contains(e.From) && closure.Contains(e.To)).ToList();

        // A dataset is a root when no dataset can be reached from it by one or more edges inside the closure.
        bool ReachesDataset(string id)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var stack = new Stack<string>(inside.Where(e => string.Equals(e.From, id, StringComparison.OrdinalIgnoreCase)).Select(e => e.To));
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                if (!seen.Add(x))
                {
                    continue;
                }

                if (_nodes[x].Kind == LineageNodeKind.Dataset)
                {
                    return true;
                }

                foreach (var e in inside.Where(e => string.Equals(e.From, x, StringComparison.OrdinalIgnoreCase)))
                {
                    stack.Push(e.To);
                }
            }

            return false;
        }

        var datasets = closure
            .Where(id => !string.Equals(id, start, StringComparison.OrdinalIgnoreCase) && _nodes[id].Kind == LineageNodeKind.Dataset)
            .ToDictionary(id => id, id => (dist[id], !ReachesDataset(id)), StringComparer.OrdinalIgnoreCase);
        return (datasets, dist.Values.Any(d => d > maxDepth));
    }

    /// <summary>
    /// Reference impact: every walk downstream of at most MaxDepth edges; a version or deployment is ranked by its own
    /// stage, a consumer by the stage of the last version or deployment on the walk (Other when none); per node the most
    /// severe stage and, for it, the shortest walk.
    /// </summary>
    public (Dictionary<string, (ImpactStage Stage, int Depth)> Items, bool Truncated) Impact(string start, LineageQuery query, Func<LineageNode, ImpactStage> stageOf)
    {
        var kinds = query.EdgeKinds ?? ImpactDefault;
        var maxDepth = query.MaxDepth ?? LineageQuery.MaxAllowedDepth;
        var usable = Usable(kinds, query.AsOf);
        var best = new Dictionary<string, (ImpactStage Stage, int Depth)>(StringComparer.OrdinalIgnoreCase);
        bool Staged(LineageNode n) => n.Kind is LineageNodeKind.ModelVersion or LineageNodeKind.Deployment;

        void Walk(string id, ImpactStage? carry, int length)
        {
            var node = _nodes[id];
            if (length > 0 && !string.Equals(id, start, StringComparison.OrdinalIgnoreCase)
                && node.Kind is LineageNodeKind.ModelVersion or LineageNodeKind.Deployment or LineageNodeKind.Consumer)
            {
                var stage = carry ?? ImpactStage.Other;
                if (!best.TryGetValue(id, out var current) || stage < current.Stage || (stage == current.Stage && length < current.Depth))
                {
                    best[id] = (stage, length);
                }
            }

            if (length == maxDepth)
            {
                return;
            }

            foreach (var e in usable.Where(e => string.Equals(e.To, id, StringComparison.OrdinalIgnoreCase)))
            {
                var next = _nodes[e.From];
                Walk(next.Id, Staged(next) ? stageOf(next) : carry, length + 1);
            }
        }

        var startNode = _nodes[start];
        Walk(startNode.Id, Staged(startNode) ? stageOf(startNode) : null, 0);
        var dist = Distances(start, LineageDirection.Downstream, kinds, query.AsOf);
        return (best, dist.Values.Any(d => d > maxDepth));
    }
}
