using ModelRegistry.Internal;
using QuikGraph;

namespace ModelRegistry.Lineage;

/// <summary>
/// The in-memory lineage graph on a QuikGraph <see cref="BidirectionalGraph{TVertex, TEdge}"/>: nodes are vertices
/// numbered in recording order, edges are <see cref="EdgeEntry"/> objects. Answers traversals, impact analysis,
/// provenance and shortest paths, current or as of an instant, and enforces the rules that need the graph (endpoints
/// recorded, no duplicate edge in force, no cycle among DerivedFrom/TrainedOn/FineTunedFrom).
/// </summary>
/// <remarks>
/// <para>
/// Thread safety: one <see cref="ReaderWriterLockSlim"/>. Queries run concurrently under the read lock; a write holds
/// the write lock, so a reader sees the graph either before or after it, never half of it. Immutable snapshots were
/// rejected: with 500,000 edges every link or unlink would copy the adjacency structure (or need a persistent
/// structure that makes every traversal step slower), while writes here are single small changes and reads are bounded
/// traversals that hold the lock briefly. <see cref="Load"/> builds the new graph outside the lock and swaps it in.
/// No callback runs under the write lock; the impact classifier runs under the read lock and must not call back in.
/// </para>
/// <para>
/// Edges are never deleted. An edge is visible at instant <c>t</c> when <c>CreatedAt &lt;= t &lt; RemovedAt</c>, a node
/// when <c>CreatedAt &lt;= t</c>; an edge is only walked when the node at its far end is visible too. "Now" is
/// <see cref="Now"/>: every created edge, no removed one, every node.
/// </para>
/// </remarks>
internal sealed class LineageGraphIndex : IDisposable
{
    /// <summary>The tick value standing for "the current graph": after every creation, before no removal.</summary>
    private const long Now = long.MaxValue - 1;

    private const int AllEdgeKinds = (1 << 9) - 1;
    private const int AllNodeKinds = (1 << 8) - 1;
    private const int ImpactEdgeKinds = AllEdgeKinds & ~(1 << (int)LineageEdgeKind.ReplacedBy);
    private const int ProvenanceEdgeKinds = LineageValidator.AcyclicKindMask | (1 << (int)LineageEdgeKind.ProducedBy);

    private static readonly List<EdgeEntry> NoEdges = [];

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly int _maxMetadataBytes;
    private GraphState _state = new(0);

    /// <summary>Reused by traversals (one at a time; a concurrent one makes its own), so a query allocates no per-node tables.</summary>
    private WalkScratch? _spareScratch;

    public LineageGraphIndex(int maxMetadataBytes = LineageValidator.DefaultMaxMetadataBytes)
    {
        _maxMetadataBytes = maxMetadataBytes;
    }

    public int NodeCount => Read(g => g.Nodes.Count);

    public int EdgeCount => Read(g => g.Graph.EdgeCount);

    public void Dispose() => _lock.Dispose();

    // ----------------------------------------------------------------------------------------------------------------
    // Nodes

    /// <summary>The node with this id (case-insensitive), or <see langword="null"/>.</summary>
    public LineageNode? FindNode(string id) => Read(g => g.Ids.TryGetValue(id, out var v) ? g.Nodes[v] : null);

    /// <summary>Throws what <see cref="AddOrReplaceNode"/> would throw, without changing anything.</summary>
    public void CheckNode(LineageNode node) => Read(g => PrepareNode(g, node));

    /// <summary>
    /// Records a node, or replaces an existing one with the same id (its kind cannot change; the id keeps its first
    /// spelling). Revisions and timestamps are the caller's: the index stores what it is given.
    /// </summary>
    /// <returns>The stored node.</returns>
    public LineageNode AddOrReplaceNode(LineageNode node) => Write(g =>
    {
        var (vertex, stored) = PrepareNode(g, node);
        PlaceNode(g, vertex, stored);
        return stored;
    });

    private (int Vertex, LineageNode Stored) PrepareNode(GraphState g, LineageNode node)
    {
        LineageValidator.Node(node, _maxMetadataBytes);
        if (!g.Ids.TryGetValue(node.Id, out var vertex))
        {
            return (-1, node);
        }

        var existing = g.Nodes[vertex];
        if (existing.Kind != node.Kind || !string.Equals(existing.CustomKind, node.CustomKind, StringComparison.Ordinal))
        {
            throw Guard.Invalid("Kind", $"Node '{existing.Id}' is a {Describe(existing)} node; a node's kind cannot change.", existing.Id);
        }

        return (vertex, string.Equals(existing.Id, node.Id, StringComparison.Ordinal) ? node : node with { Id = existing.Id });
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Edges

    /// <summary>Throws what <see cref="AddEdge"/> would throw, without changing anything.</summary>
    public void CheckEdge(LineageEdge edge) => Read(g => PrepareEdge(g, edge));

    /// <summary>Adds an edge after checking its shape, its ends, duplicates and (for acyclic kinds) cycles.</summary>
    /// <returns>The stored edge, with the nodes' id spelling and UTC timestamps.</returns>
    public LineageEdge AddEdge(LineageEdge edge) => Write(g =>
    {
        var entry = PrepareEdge(g, edge);
        g.Graph.AddEdge(entry);
        return Materialize(g, entry);
    });

    /// <summary>The edge in force from <paramref name="fromId"/> to <paramref name="toId"/> of a kind, or <see langword="null"/>.</summary>
    public LineageEdge? FindActiveEdge(string fromId, LineageEdgeKind kind, string toId, string? customKind = null) => Read(g =>
    {
        if (!g.Ids.TryGetValue(fromId, out var from) || !g.Ids.TryGetValue(toId, out var to))
        {
            return null;
        }

        var entry = FindActive(g, from, to, kind, customKind);
        return entry is null ? null : Materialize(g, entry);
    });

    /// <summary>Every edge touching a node, in force or removed, outgoing first.</summary>
    public IReadOnlyList<LineageEdge> EdgesOf(string nodeId) => Read(g =>
    {
        var v = Resolve(g, nodeId, Now, "nodeId");
        return Out(g, v).Concat(In(g, v)).Select(e => Materialize(g, e)).ToList();
    });

    /// <summary>Marks the edge in force that matches the ends and kind as removed at <paramref name="removedAt"/>.</summary>
    /// <returns>The edge with its removal recorded.</returns>
    public LineageEdge RemoveEdge(string fromId, LineageEdgeKind kind, string toId, string? customKind, DateTimeOffset removedAt, string removedBy) => Write(g =>
    {
        var from = Resolve(g, fromId, Now, "From");
        var to = Resolve(g, toId, Now, "To");
        var entry = FindActive(g, from, to, kind, customKind)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"No {(kind == LineageEdgeKind.Custom ? customKind : kind.ToString())} edge from '{g.Nodes[from].Id}' to '{g.Nodes[to].Id}' is in force.", g.Nodes[from].Id);
        return MarkRemoved(g, entry, removedAt, removedBy);
    });

    /// <summary>Marks an edge, found by id among the out-edges of <paramref name="fromId"/>, as removed.</summary>
    /// <returns>The edge with its removal recorded.</returns>
    public LineageEdge RemoveEdge(string fromId, Guid edgeId, DateTimeOffset removedAt, string removedBy) => Write(g =>
    {
        var from = Resolve(g, fromId, Now, "From");
        var entry = Out(g, from).FirstOrDefault(e => e.Id == edgeId)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Node '{g.Nodes[from].Id}' has no edge {edgeId}.", g.Nodes[from].Id);
        if (entry.RemovedTicks != EdgeEntry.NotRemoved)
        {
            throw new ModelRegistryException(ErrorCode.NotFound, $"Edge {edgeId} was already removed at {new DateTimeOffset(entry.RemovedTicks, TimeSpan.Zero):O}.", g.Nodes[from].Id);
        }

        return MarkRemoved(g, entry, removedAt, removedBy);
    });

    private LineageEdge MarkRemoved(GraphState g, EdgeEntry entry, DateTimeOffset removedAt, string removedBy)
    {
        if (string.IsNullOrWhiteSpace(removedBy) || removedBy.Length > LineageValidator.MaxActorLength)
        {
            throw Guard.Invalid(nameof(removedBy), $"'{nameof(removedBy)}' is required and at most {LineageValidator.MaxActorLength} characters.");
        }

        if (removedAt.UtcTicks < entry.CreatedTicks)
        {
            throw Guard.Invalid(nameof(removedAt), $"'{nameof(removedAt)}' ({removedAt:O}) is before the edge was created ({new DateTimeOffset(entry.CreatedTicks, TimeSpan.Zero):O}).");
        }

        entry.Extras = new EdgeExtras(entry.CustomKind, entry.Extras?.Metadata, g.Intern(removedBy));
        entry.RemovedTicks = removedAt.UtcTicks;
        return Materialize(g, entry);
    }

    private EdgeEntry PrepareEdge(GraphState g, LineageEdge edge)
    {
        LineageValidator.Edge(edge, _maxMetadataBytes);
        var from = Resolve(g, edge.From, Now, "From");
        var to = Resolve(g, edge.To, Now, "To");
        var active = edge.RemovedAt is null;
        if (from == to)
        {
            if (LineageValidator.IsAcyclicKind(edge.Kind))
            {
                throw CycleError(g, edge, [from, from]);
            }

            throw Guard.Invalid("To", $"An edge cannot link '{g.Nodes[from].Id}' to itself.", g.Nodes[from].Id);
        }

        if (active && FindActive(g, from, to, edge.Kind, edge.CustomKind) is { } existing)
        {
            throw new ModelRegistryException(
                ErrorCode.AlreadyExists,
                $"'{g.Nodes[from].Id}' is already linked to '{g.Nodes[to].Id}' by {(edge.Kind == LineageEdgeKind.Custom ? edge.CustomKind : edge.Kind.ToString())} (edge {existing.Id}); unlink it first to link it again.",
                g.Nodes[from].Id);
        }

        // Adding from -> to closes a cycle exactly when `from` is already reachable from `to` through acyclic-kind
        // edges in force; the cycle is that path plus the new edge.
        if (active && LineageValidator.IsAcyclicKind(edge.Kind) && FindAcyclicPath(g, to, from) is { } path)
        {
            path.Insert(0, from);
            throw CycleError(g, edge, path);
        }

        return NewEntry(g, edge, from, to);
    }

    private static EdgeEntry NewEntry(GraphState g, LineageEdge edge, int from, int to) => new(
        edge.Id,
        from,
        to,
        edge.Kind,
        edge.CreatedAt.UtcTicks,
        g.Intern(edge.CreatedBy),
        edge.RemovedAt?.UtcTicks ?? EdgeEntry.NotRemoved,
        EdgeExtras.Create(g.Intern(edge.CustomKind), edge.Metadata, g.Intern(edge.RemovedBy)));

    private static ModelRegistryException CycleError(GraphState g, LineageEdge edge, List<int> cycle)
    {
        var from = g.Nodes[cycle[0]].Id;
        return new ModelRegistryException(ErrorCode.PolicyViolation, LineageValidator.CycleMessage(edge.Kind, [.. cycle.Select(v => g.Nodes[v].Id)]), from);
    }

    /// <summary>A shortest path of acyclic-kind edges in force from <paramref name="start"/> to <paramref name="goal"/>, or <see langword="null"/>.</summary>
    private static List<int>? FindAcyclicPath(GraphState g, int start, int goal)
    {
        var parent = new Dictionary<int, int> { [start] = -1 };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            if (u == goal)
            {
                var path = new List<int>();
                for (var v = goal; v != -1; v = parent[v])
                {
                    path.Add(v);
                }

                path.Reverse();
                return path;
            }

            foreach (var e in Out(g, u))
            {
                if (e.RemovedTicks == EdgeEntry.NotRemoved && LineageValidator.IsAcyclicKind(e.Kind) && parent.TryAdd(e.Target, u))
                {
                    queue.Enqueue(e.Target);
                }
            }
        }

        return null;
    }

    private static EdgeEntry? FindActive(GraphState g, int from, int to, LineageEdgeKind kind, string? customKind)
    {
        foreach (var e in Out(g, from))
        {
            if (e.Target == to && e.Kind == kind && e.RemovedTicks == EdgeEntry.NotRemoved && string.Equals(e.CustomKind, customKind, StringComparison.Ordinal))
            {
                return e;
            }
        }

        return null;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Bulk load

    /// <summary>Puts <paramref name="node"/> at <paramref name="vertex"/>, or appends it as a new vertex when <paramref name="vertex"/> is negative. Caller holds the write lock (or owns <paramref name="g"/>).</summary>
    private static void PlaceNode(GraphState g, int vertex, LineageNode node)
    {
        if (vertex >= 0)
        {
            g.Nodes[vertex] = node;
            return;
        }

        g.Ids.Add(node.Id, g.Nodes.Count);
        g.Graph.AddVertex(g.Nodes.Count);
        g.Nodes.Add(node);
    }

    /// <summary>The vertices of a stored edge's ends; <see cref="ErrorCode.StorageCorrupted"/> when either is not a held node.</summary>
    private static (int From, int To) StoredEnds(GraphState g, LineageEdge edge)
    {
        if (!g.Ids.TryGetValue(edge.From, out var from) || !g.Ids.TryGetValue(edge.To, out var to))
        {
            throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"Stored lineage edge {edge.Id} links '{edge.From}' to '{edge.To}', but one of them is not a stored node; the store is damaged.", edge.From);
        }

        return (from, to);
    }

    /// <summary>
    /// Replaces the whole graph with stored nodes and edges in one pass (for loading from a store). The data is trusted
    /// as already validated when it was written — no shape, duplicate or cycle checks — except that every edge's ends
    /// must be among the nodes and node ids must be unique. The new graph is built outside the lock, then swapped in.
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> for a duplicate node id or an edge to an unknown node; nothing changes.</exception>
    public void Load(IReadOnlyCollection<LineageNode> nodes, IEnumerable<LineageEdge> edges)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        var builder = StartLoad(nodes.Count);
        foreach (var node in nodes)
        {
            builder.AddNode(node);
        }

        foreach (var edge in edges)
        {
            builder.AddEdge(edge);
        }

        builder.Publish();
    }

    /// <summary>
    /// Starts building a whole new graph from stored data, straight from what the store hands over (see
    /// <see cref="GraphBuilder"/>); <see cref="GraphBuilder.Publish"/> swaps it in. Until then nothing changes.
    /// </summary>
    /// <param name="nodeCapacity">The expected number of nodes.</param>
    public GraphBuilder StartLoad(int nodeCapacity) => new(this, nodeCapacity);

    private void Replace(GraphState g) => Write(_ => _state = g);

    /// <summary>
    /// Applies a node read back from the store (written by this or another process sharing it): inserted, or replaced
    /// when held. Not validated: the store is the truth and the writer validated it.
    /// </summary>
    public void ApplyStoredNode(LineageNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Write(g => PlaceNode(g, g.Ids.TryGetValue(node.Id, out var vertex) ? vertex : -1, node));
    }

    /// <summary>
    /// Applies an edge read back from the store: added when new, or — when an edge with its id is already held — its
    /// removal brought up to date. Idempotent. No shape, duplicate or cycle checks: the writer made them (acyclic edges
    /// under the store-wide <see cref="AcyclicEdgeGuard"/>, so two processes cannot each link half of a cycle), and the
    /// store stays the truth — whatever it holds is applied (two processes linking the same edge of another kind at once
    /// may both store it; a store written before the guard existed may hold a cycle; traversals never loop anyway).
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when an end is not a held node; nothing changes.</exception>
    public void ApplyStoredEdge(LineageEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        Write(g =>
        {
            var (from, to) = StoredEnds(g, edge);
            if (Out(g, from).FirstOrDefault(e => e.Id == edge.Id) is { } held)
            {
                held.RemovedTicks = edge.RemovedAt?.UtcTicks ?? EdgeEntry.NotRemoved;
                held.Extras = EdgeExtras.Create(held.CustomKind, held.Extras?.Metadata, g.Intern(edge.RemovedBy));
                return;
            }

            g.Graph.AddEdge(NewEntry(g, edge, from, to));
        });
    }

    /// <summary>Every node and every edge (in force or removed), for exporting or persisting the whole graph.</summary>
    public (IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges) ReadAll() => Read(g =>
        ((IReadOnlyList<LineageNode>)g.Nodes.ToList(), (IReadOnlyList<LineageEdge>)g.Graph.Edges.Select(e => Materialize(g, e)).ToList()));

    /// <summary>The whole graph as of an instant (every node at depth 0).</summary>
    public LineageGraph Snapshot(DateTimeOffset? asOf) => Read(g =>
    {
        var t = Ticks(asOf);
        var nodes = new List<LineageGraphNode>();
        for (var v = 0; v < g.Nodes.Count; v++)
        {
            if (Visible(g, v, t))
            {
                nodes.Add(new LineageGraphNode(g.Nodes[v], 0));
            }
        }

        var edges = g.Graph.Edges.Where(e => e.VisibleAt(t) && Visible(g, e.Source, t) && Visible(g, e.Target, t)).Select(e => Materialize(g, e)).ToList();
        return new LineageGraph { AsOf = asOf, Nodes = nodes, Edges = edges };
    });

    // ----------------------------------------------------------------------------------------------------------------
    // Traversal

    /// <summary>Bounded breadth-first traversal upstream, downstream or both (ancestors and descendants).</summary>
    public LineageGraph Traverse(string startId, LineageDirection direction, LineageQuery? query = null)
    {
        query ??= LineageQuery.Default;
        LineageValidator.Query(query);
        Guard.Defined(direction);
        var maxDepth = query.MaxDepth ?? LineageQuery.DefaultMaxDepth;
        var edgeMask = Mask(query.EdgeKinds, AllEdgeKinds);
        var nodeMask = Mask(query.NodeKinds, AllNodeKinds);
        var t = Ticks(query.AsOf);
        return Read(g =>
        {
            var start = Resolve(g, startId, t, nameof(startId));
            var scratch = Interlocked.Exchange(ref _spareScratch, null) ?? new WalkScratch();
            try
            {
                return Traverse(g, scratch, start, direction, query, maxDepth, edgeMask, nodeMask, t);
            }
            finally
            {
                scratch.Edges.Clear();
                Volatile.Write(ref _spareScratch, scratch);
            }
        });
    }

    private static LineageGraph Traverse(GraphState g, WalkScratch scratch, int start, LineageDirection direction, LineageQuery query, int maxDepth, int edgeMask, int nodeMask, long t)
    {
        // Both directions: ancestors first, then descendants (without listing an edge twice).
        var edges = scratch.Edges;
        var first = scratch.First.Reset(g.Nodes.Count);
        var truncated = Walk(g, start, direction != LineageDirection.Downstream, maxDepth, edgeMask, t, edges, null, first, scratch.FirstOrder, scratch);
        if (direction != LineageDirection.Both)
        {
            return Result(g, start, direction, query, maxDepth, edges, scratch.FirstOrder, v => first[v], nodeMask, truncated);
        }

        var seen = new HashSet<EdgeEntry>(edges, ReferenceEqualityComparer.Instance);
        var second = scratch.Second.Reset(g.Nodes.Count);
        truncated |= Walk(g, start, upstream: false, maxDepth, edgeMask, t, edges, seen, second, scratch.SecondOrder, scratch);

        // Ancestors and descendants each come in breadth-first order; a stable sort by the smaller depth keeps it.
        int Merged(int v) => first.Contains(v) ? (second.Contains(v) ? Math.Min(first[v], second[v]) : first[v]) : second[v];
        List<int> order = [.. scratch.FirstOrder.Concat(scratch.SecondOrder.Where(v => !first.Contains(v))).OrderBy(Merged)];
        return Result(g, start, direction, query, maxDepth, edges, order, Merged, nodeMask, truncated);
    }

    private static LineageGraph Result(GraphState g, int start, LineageDirection direction, LineageQuery query, int maxDepth, List<EdgeEntry> edges, List<int> order, Func<int, int> depth, int nodeMask, bool truncated)
    {
        bool Listed(int v) => v == start || (nodeMask & (1 << (int)g.Nodes[v].Kind)) != 0;
        var nodes = new List<LineageGraphNode>(order.Count);
        foreach (var v in order)
        {
            if (Listed(v))
            {
                nodes.Add(new LineageGraphNode(g.Nodes[v], depth(v)));
            }
        }

        var result = new List<LineageEdge>(edges.Count);
        foreach (var e in edges)
        {
            if (nodeMask == AllNodeKinds || (Listed(e.Source) && Listed(e.Target)))
            {
                result.Add(Materialize(g, e));
            }
        }

        return new LineageGraph
        {
            RootId = g.Nodes[start].Id,
            Direction = direction,
            MaxDepth = maxDepth,
            AsOf = query.AsOf,
            Nodes = nodes,
            Edges = result,
            Truncated = truncated,
        };
    }

    /// <summary>
    /// Breadth-first walk from <paramref name="start"/>, one direction, up to <paramref name="maxDepth"/> edges: fills
    /// <paramref name="depth"/> and <paramref name="order"/> (cleared first) with the reached nodes, and appends every
    /// followed edge (from a node closer than the limit to a visible node) to <paramref name="edges"/>, once.
    /// Truncated when a node at the limit has a followable edge to a node not yet reached: that node's distance is
    /// then exactly <paramref name="maxDepth"/> + 1, because breadth-first order has reached every closer node.
    /// </summary>
    /// <returns>Whether the walk was truncated.</returns>
    private static bool Walk(GraphState g, int start, bool upstream, int maxDepth, int edgeMask, long t, List<EdgeEntry> edges, HashSet<EdgeEntry>? seen, DepthMap depth, List<int> order, WalkScratch scratch)
    {
        depth.TryAdd(start, 0);
        order.Clear();
        order.Add(start);
        var frontier = scratch.Frontier;
        var next = scratch.Next;
        frontier.Clear();
        next.Clear();
        frontier.Add(start);
        for (var d = 0; frontier.Count > 0; d++)
        {
            if (d == maxDepth)
            {
                return AnyBeyond(g, frontier, upstream, edgeMask, t, depth.Contains);
            }

            foreach (var u in frontier)
            {
                foreach (var e in upstream ? Out(g, u) : In(g, u))
                {
                    var w = upstream ? e.Target : e.Source;
                    if (!Follows(e, edgeMask, t) || !Visible(g, w, t))
                    {
                        continue;
                    }

                    if (seen is null || seen.Add(e))
                    {
                        edges.Add(e);
                    }

                    if (depth.TryAdd(w, d + 1))
                    {
                        order.Add(w);
                        next.Add(w);
                    }
                }
            }

            (frontier, next) = (next, frontier);
            next.Clear();
        }

        return false;
    }

    private static bool AnyBeyond(GraphState g, IEnumerable<int> frontier, bool upstream, int edgeMask, long t, Func<int, bool> reached)
    {
        foreach (var u in frontier)
        {
            foreach (var e in upstream ? Out(g, u) : In(g, u))
            {
                var w = upstream ? e.Target : e.Source;
                if (Follows(e, edgeMask, t) && Visible(g, w, t) && !reached(w))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Impact analysis

    /// <summary>
    /// Every version, deployment and consumer downstream of a node, with the most severe stage that reaches it and the
    /// shortest path with that stage.
    /// </summary>
    /// <param name="startId">The node whose impact is analysed.</param>
    /// <param name="query">Depth (default 50), edge kinds (default all but ReplacedBy), as-of; node kinds are ignored.</param>
    /// <param name="stageOf">
    /// The stage of a version or deployment node (see <see cref="ImpactStages"/>). Called at most once per node, under
    /// the read lock: it must be quick and must not call back into the index.
    /// </param>
    /// <remarks>
    /// A consumer's stage is that of the nearest version or deployment before it on the path, so one consumer can be
    /// reached with several stages; the search therefore runs over (node, carried stage) states — at most five per
    /// node — and keeps the most severe. Versions and deployments have one state each (their own stage).
    /// </remarks>
    public ImpactReport AnalyzeImpact(string startId, LineageQuery? query, Func<LineageNode, ImpactStage> stageOf)
    {
        query ??= LineageQuery.Default;
        LineageValidator.Query(query);
        ArgumentNullException.ThrowIfNull(stageOf);
        var maxDepth = query.MaxDepth ?? LineageQuery.MaxAllowedDepth;
        var edgeMask = Mask(query.EdgeKinds, ImpactEdgeKinds);
        var t = Ticks(query.AsOf);
        return Read(g =>
        {
            var start = Resolve(g, startId, t, nameof(startId));
            var stages = new Dictionary<int, byte>();
            const byte NoStage = 4;
            byte Carry(int v, byte incoming)
            {
                var kind = g.Nodes[v].Kind;
                if (kind is not (LineageNodeKind.ModelVersion or LineageNodeKind.Deployment))
                {
                    return incoming;
                }

                if (!stages.TryGetValue(v, out var stage))
                {
                    stage = (byte)Guard.Defined(stageOf(g.Nodes[v]), "stageOf");
                    stages.Add(v, stage);
                }

                return stage;
            }

            // The state list doubles as the breadth-first queue: states are appended in non-decreasing depth.
            var states = new List<ImpactState> { new(start, Carry(start, NoStage), -1, null, 0) };
            var index = new Dictionary<long, int> { [Key(start, states[0].Carry)] = 0 };
            var reached = new Dictionary<int, bool> { [start] = true };
            var truncated = false;
            for (var i = 0; i < states.Count; i++)
            {
                var s = states[i];
                if (s.Depth == maxDepth)
                {
                    truncated = truncated || AnyBeyond(g, [s.Node], upstream: false, edgeMask, t, reached.ContainsKey);
                    continue;
                }

                foreach (var e in In(g, s.Node))
                {
                    var w = e.Source;
                    if (!Follows(e, edgeMask, t) || !Visible(g, w, t))
                    {
                        continue;
                    }

                    reached.TryAdd(w, true);
                    var carry = Carry(w, s.Carry);
                    if (index.TryAdd(Key(w, carry), states.Count))
                    {
                        states.Add(new ImpactState(w, carry, i, e, s.Depth + 1));
                    }
                }
            }

            // First state per node in breadth-first order is the shortest; a consumer keeps the most severe stage.
            var best = new Dictionary<int, int>();
            for (var i = 1; i < states.Count; i++)
            {
                var v = states[i].Node;
                if (v == start || g.Nodes[v].Kind is not (LineageNodeKind.ModelVersion or LineageNodeKind.Deployment or LineageNodeKind.Consumer))
                {
                    continue;
                }

                if (!best.TryGetValue(v, out var current) || StageOf(states[i].Carry) < StageOf(states[current].Carry))
                {
                    best[v] = i;
                }
            }

            var materialized = new EdgeMemo(g);
            var items = best.Values
                .Select(i => new ImpactedItem(g.Nodes[states[i].Node], StageOf(states[i].Carry), PathTo(g, states, i, materialized)))
                .OrderBy(item => item.Stage)
                .ThenBy(item => item.Depth)
                .ThenBy(item => item.Node.Id, StringComparer.OrdinalIgnoreCase)
                .ToList();
            var counts = Enum.GetValues<ImpactStage>().ToDictionary(s => s, s => items.Count(item => item.Stage == s));
            return new ImpactReport
            {
                Source = g.Nodes[start],
                Items = items,
                CountsByStage = counts,
                Truncated = truncated,
                MaxDepth = maxDepth,
                AsOf = query.AsOf,
            };
        });

        static long Key(int node, byte carry) => ((long)node * 5) + carry;
        static ImpactStage StageOf(byte carry) => carry > (byte)ImpactStage.Other ? ImpactStage.Other : (ImpactStage)carry;
    }

    private readonly record struct ImpactState(int Node, byte Carry, int Parent, EdgeEntry? Via, int Depth);

    private static LineagePath PathTo(GraphState g, List<ImpactState> states, int index, EdgeMemo materialized)
    {
        var nodes = new List<LineageNode>(states[index].Depth + 1);
        var edges = new List<LineageEdge>(states[index].Depth);
        for (var i = index; i >= 0; i = states[i].Parent)
        {
            nodes.Add(g.Nodes[states[i].Node]);
            if (states[i].Via is { } via)
            {
                edges.Add(materialized[via]);
            }
        }

        nodes.Reverse();
        edges.Reverse();
        return new LineagePath { Nodes = nodes, Edges = edges };
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Provenance

    /// <summary>
    /// The datasets upstream of a node, each with its shortest path; a dataset is a root when no dataset is reachable
    /// upstream from it within the traversed subgraph.
    /// </summary>
    /// <param name="startId">The subject.</param>
    /// <param name="query">Depth (default 50), edge kinds (default TrainedOn, DerivedFrom, FineTunedFrom, ProducedBy), as-of.</param>
    public ProvenanceReport GetProvenance(string startId, LineageQuery? query = null)
    {
        query ??= LineageQuery.Default;
        LineageValidator.Query(query);
        var maxDepth = query.MaxDepth ?? LineageQuery.MaxAllowedDepth;
        var edgeMask = Mask(query.EdgeKinds, ProvenanceEdgeKinds);
        var t = Ticks(query.AsOf);
        return Read(g =>
        {
            var start = Resolve(g, startId, t, nameof(startId));
            var parent = new Dictionary<int, (int Parent, EdgeEntry? Via)> { [start] = (-1, null) };
            var depth = new Dictionary<int, int> { [start] = 0 };
            var frontier = new List<int> { start };
            var truncated = false;
            for (var d = 0; frontier.Count > 0; d++)
            {
                if (d == maxDepth)
                {
                    truncated = AnyBeyond(g, frontier, upstream: true, edgeMask, t, depth.ContainsKey);
                    break;
                }

                var next = new List<int>();
                foreach (var u in frontier)
                {
                    foreach (var e in Out(g, u))
                    {
                        if (Follows(e, edgeMask, t) && Visible(g, e.Target, t) && depth.TryAdd(e.Target, d + 1))
                        {
                            parent[e.Target] = (u, e);
                            next.Add(e.Target);
                        }
                    }
                }

                frontier = next;
            }

            // Nodes of the reached subgraph that can reach a dataset through at least one edge, found backwards from
            // every reached dataset; a dataset not among them is a root.
            var feedsFromDataset = new HashSet<int>();
            var queue = new Queue<int>(depth.Keys.Where(v => g.Nodes[v].Kind == LineageNodeKind.Dataset));
            while (queue.Count > 0)
            {
                var x = queue.Dequeue();
                foreach (var e in In(g, x))
                {
                    if (Follows(e, edgeMask, t) && depth.ContainsKey(e.Source) && feedsFromDataset.Add(e.Source))
                    {
                        queue.Enqueue(e.Source);
                    }
                }
            }

            var materialized = new EdgeMemo(g);
            var datasets = depth.Keys
                .Where(v => v != start && g.Nodes[v].Kind == LineageNodeKind.Dataset)
                .Select(v => new ProvenanceSource(g.Nodes[v], PathFromParents(g, parent, v, materialized), !feedsFromDataset.Contains(v)))
                .OrderByDescending(s => s.IsRoot)
                .ThenBy(s => s.Depth)
                .ThenBy(s => s.Dataset.Id, StringComparer.OrdinalIgnoreCase)
                .ToList();
            return new ProvenanceReport
            {
                Subject = g.Nodes[start],
                Datasets = datasets,
                Truncated = truncated,
                MaxDepth = maxDepth,
                AsOf = query.AsOf,
            };
        });
    }

    private static LineagePath PathFromParents(GraphState g, Dictionary<int, (int Parent, EdgeEntry? Via)> parent, int end, EdgeMemo materialized)
    {
        var nodes = new List<LineageNode>();
        var edges = new List<LineageEdge>();
        for (var v = end; v != -1; v = parent[v].Parent)
        {
            nodes.Add(g.Nodes[v]);
            if (parent[v].Via is { } via)
            {
                edges.Add(materialized[via]);
            }
        }

        nodes.Reverse();
        edges.Reverse();
        return new LineagePath { Nodes = nodes, Edges = edges };
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Shortest path

    /// <summary>A shortest (fewest edges) path from one node to another, or <see langword="null"/> when none exists within the limit.</summary>
    /// <param name="fromId">The first node.</param>
    /// <param name="toId">The last node.</param>
    /// <param name="direction">Upstream follows edges forwards, downstream backwards, both either way.</param>
    /// <param name="query">Maximum length (default 50), edge kinds (default all), as-of; node kinds are ignored.</param>
    public LineagePath? FindPath(string fromId, string toId, LineageDirection direction = LineageDirection.Both, LineageQuery? query = null)
    {
        query ??= LineageQuery.Default;
        LineageValidator.Query(query);
        Guard.Defined(direction);
        var maxDepth = query.MaxDepth ?? LineageQuery.MaxAllowedDepth;
        var edgeMask = Mask(query.EdgeKinds, AllEdgeKinds);
        var t = Ticks(query.AsOf);
        return Read(g =>
        {
            var from = Resolve(g, fromId, t, nameof(fromId));
            var to = Resolve(g, toId, t, nameof(toId));
            var parent = new Dictionary<int, (int Parent, EdgeEntry? Via)> { [from] = (-1, null) };
            var frontier = new List<int> { from };
            for (var d = 0; d < maxDepth && frontier.Count > 0 && !parent.ContainsKey(to); d++)
            {
                var next = new List<int>();
                foreach (var u in frontier)
                {
                    if (direction != LineageDirection.Downstream)
                    {
                        Step(u, Out(g, u), forward: true);
                    }

                    if (direction != LineageDirection.Upstream)
                    {
                        Step(u, In(g, u), forward: false);
                    }
                }

                frontier = next;

                void Step(int u, IReadOnlyList<EdgeEntry> adjacent, bool forward)
                {
                    foreach (var e in adjacent)
                    {
                        var w = forward ? e.Target : e.Source;
                        if (Follows(e, edgeMask, t) && Visible(g, w, t) && parent.TryAdd(w, (u, e)))
                        {
                            next.Add(w);
                        }
                    }
                }
            }

            return parent.ContainsKey(to) ? PathFromParents(g, parent, to, new EdgeMemo(g)) : null;
        });
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers

    private T Write<T>(Func<GraphState, T> write)
    {
        _lock.EnterWriteLock();
        try
        {
            return write(_state);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Write(Action<GraphState> write) => Write(g =>
    {
        write(g);
        return true;
    });

    private T Read<T>(Func<GraphState, T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read(_state);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static long Ticks(DateTimeOffset? asOf) => asOf?.UtcTicks ?? Now;

    // Every node is visible now; only an as-of query needs to look at the node (a memory access per walked edge).
    private static bool Visible(GraphState g, int v, long t) => t == Now || g.Nodes[v].CreatedAt.UtcTicks <= t;

    private static bool Follows(EdgeEntry e, int edgeMask, long t) => (edgeMask & (1 << (int)e.Kind)) != 0 && e.VisibleAt(t);

    private static int Mask<TEnum>(IReadOnlyList<TEnum>? kinds, int all)
        where TEnum : struct, Enum
    {
        if (kinds is null)
        {
            return all;
        }

        var mask = 0;
        foreach (var kind in kinds)
        {
            mask |= 1 << Convert.ToInt32(kind, System.Globalization.CultureInfo.InvariantCulture);
        }

        return mask;
    }

    private static int Resolve(GraphState g, string id, long t, string parameter)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required and cannot be empty.");
        }

        if (!g.Ids.TryGetValue(id, out var v))
        {
            throw new ModelRegistryException(ErrorCode.NotFound, $"Lineage node '{id}' is not recorded; record it first (RecordNodeAsync), or check the id's prefix (see LineageNodeIds).", id);
        }

        if (!Visible(g, v, t))
        {
            throw new ModelRegistryException(ErrorCode.NotFound, $"Lineage node '{g.Nodes[v].Id}' was recorded at {g.Nodes[v].CreatedAt:O}, after {new DateTimeOffset(t, TimeSpan.Zero):O}; ask as of a later instant.", g.Nodes[v].Id);
        }

        return v;
    }

    // QuikGraph keeps a vertex's edges in a List; returning it as such lets foreach use List's struct enumerator
    // instead of allocating an enumerator per visited node. The shared empty list is never written.
    private static List<EdgeEntry> Out(GraphState g, int v)
        => g.Graph.TryGetOutEdges(v, out var edges) ? edges as List<EdgeEntry> ?? [.. edges] : NoEdges;

    private static List<EdgeEntry> In(GraphState g, int v)
        => g.Graph.TryGetInEdges(v, out var edges) ? edges as List<EdgeEntry> ?? [.. edges] : NoEdges;

    /// <summary>
    /// The public records of the edges one query returns, built once each: paths from one source share their first
    /// edges, and an impact report over thousands of nodes would otherwise build the same record once per path.
    /// </summary>
    private sealed class EdgeMemo(GraphState g)
    {
        private readonly Dictionary<EdgeEntry, LineageEdge> _built = new(ReferenceEqualityComparer.Instance);

        public LineageEdge this[EdgeEntry entry]
        {
            get
            {
                if (!_built.TryGetValue(entry, out var edge))
                {
                    _built.Add(entry, edge = Materialize(g, entry));
                }

                return edge;
            }
        }
    }

    private static LineageEdge Materialize(GraphState g, EdgeEntry e) => new()
    {
        Id = e.Id,
        From = g.Nodes[e.Source].Id,
        To = g.Nodes[e.Target].Id,
        Kind = e.Kind,
        CustomKind = e.CustomKind,
        CreatedAt = new DateTimeOffset(e.CreatedTicks, TimeSpan.Zero),
        CreatedBy = e.CreatedBy,
        RemovedAt = e.RemovedTicks == EdgeEntry.NotRemoved ? null : new DateTimeOffset(e.RemovedTicks, TimeSpan.Zero),
        RemovedBy = e.Extras?.RemovedBy,
        Metadata = e.Extras?.Metadata,
    };

    private static string Describe(LineageNode node) => node.Kind == LineageNodeKind.Custom ? $"custom '{node.CustomKind}'" : node.Kind.ToString();

    /// <summary>The working lists and depth tables of a traversal, kept between queries.</summary>
    private sealed class WalkScratch
    {
        public DepthMap First { get; } = new();

        public DepthMap Second { get; } = new();

        public List<int> FirstOrder { get; } = [];

        public List<int> SecondOrder { get; } = [];

        public List<int> Frontier { get; } = [];

        public List<int> Next { get; } = [];

        public List<EdgeEntry> Edges { get; } = [];
    }

    /// <summary>
    /// Depth by vertex number, in arrays the size of the graph; emptied in constant time by moving to a new generation
    /// (an entry counts only when its generation is the current one), so no query pays for the size of the graph.
    /// </summary>
    private sealed class DepthMap
    {
        private int[] _generation = [];
        private int[] _depth = [];
        private int _current;

        public int this[int vertex] => _depth[vertex];

        public DepthMap Reset(int vertexCount)
        {
            if (_generation.Length < vertexCount)
            {
                var size = Math.Max(vertexCount, _generation.Length * 2);
                _generation = new int[size];
                _depth = new int[size];
                _current = 0;
            }

            if (++_current == int.MaxValue)
            {
                Array.Clear(_generation);
                _current = 1;
            }

            return this;
        }

        public bool Contains(int vertex) => _generation[vertex] == _current;

        public bool TryAdd(int vertex, int depth)
        {
            if (_generation[vertex] == _current)
            {
                return false;
            }

            _generation[vertex] = _current;
            _depth[vertex] = depth;
            return true;
        }
    }

    /// <summary>Everything the index holds; replaced as a whole by <see cref="Load"/>.</summary>
    private sealed class GraphState
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

        public GraphState(int nodeCapacity)
        {
            Graph = new BidirectionalGraph<int, EdgeEntry>(allowParallelEdges: true, Math.Max(nodeCapacity, 16));
            Nodes = new List<LineageNode>(nodeCapacity);
            Ids = new Dictionary<string, int>(nodeCapacity, StringComparer.OrdinalIgnoreCase);
        }

        public BidirectionalGraph<int, EdgeEntry> Graph { get; }

        /// <summary>Vertex number to node.</summary>
        public List<LineageNode> Nodes { get; }

        /// <summary>Node id (case-insensitive) to vertex number.</summary>
        public Dictionary<string, int> Ids { get; }

        /// <summary>Shares one copy of repeated strings (actors, custom kinds) among edges.</summary>
        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
        public string? Intern(string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (_strings.TryGetValue(value, out var shared))
            {
                return shared;
            }

            _strings.Add(value, value);
            return value;
        }

        /// <summary>The shared copy of a text given as characters (a string is made only the first time it is seen).</summary>
        public string Intern(ReadOnlySpan<char> value)
        {
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(value, out var shared))
            {
                return shared;
            }

            var text = value.ToString();
            _strings.Add(text, text);
            return text;
        }
    }

    /// <summary>
    /// Builds a whole graph from stored data for <see cref="Publish"/>, without intermediate records: nodes are added
    /// as read, edges as vertex numbers and fields (<see cref="AddEdge(Guid, int, int, LineageEdgeKind, long, string, long, string?, string?, string?)"/>), and a vertex can be
    /// reserved for a node that is described later (<see cref="Reserve"/>, <see cref="Describe"/>) — the registry's
    /// versions and models, known only from the edges that touch them. Single-threaded; owned by the loader until published.
    /// </summary>
    internal sealed class GraphBuilder
    {
        private readonly LineageGraphIndex _index;
        private readonly GraphState _g;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;
        private int _reserved;

        internal GraphBuilder(LineageGraphIndex index, int nodeCapacity)
        {
            _index = index;
            _g = new GraphState(nodeCapacity);
            _ids = _g.Ids.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        /// <summary>The number of vertices so far.</summary>
        public int Count => _g.Nodes.Count;

        /// <summary>Adds a node as a new vertex.</summary>
        /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when a node with the same id (ignoring case) is held.</exception>
        public int AddNode(LineageNode node)
        {
            if (!_g.Ids.TryAdd(node.Id, _g.Nodes.Count))
            {
                throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"The stored lineage holds node '{node.Id}' twice; the store is damaged.", node.Id);
            }

            _g.Graph.AddVertex(_g.Nodes.Count);
            _g.Nodes.Add(node);
            return _g.Nodes.Count - 1;
        }

        /// <summary>Reserves a vertex for the node with this id (not held yet), to be described before publishing.</summary>
        public int Reserve(string id)
        {
            _g.Ids.Add(id, _g.Nodes.Count);
            _g.Graph.AddVertex(_g.Nodes.Count);
            _g.Nodes.Add(null!);
            _reserved++;
            return _g.Nodes.Count - 1;
        }

        /// <summary>Puts the node at a vertex <see cref="Reserve"/> handed out (its id may differ from the reserved one in case only).</summary>
        public void Describe(int vertex, LineageNode node)
        {
            if (_g.Nodes[vertex] is null)
            {
                _reserved--;
            }

            _g.Nodes[vertex] = node;
        }

        /// <summary>The vertex of the node with this id (ignoring case), or -1.</summary>
        public int Find(ReadOnlySpan<char> id) => _ids.TryGetValue(id, out var vertex) ? vertex : -1;

        /// <summary>The vertex of the node with this id (ignoring case), or -1.</summary>
        public int Find(string id) => _g.Ids.TryGetValue(id, out var vertex) ? vertex : -1;

        /// <summary>The shared copy of an actor or custom kind.</summary>
        public string Intern(ReadOnlySpan<char> value) => _g.Intern(value);

        /// <summary>Adds a stored edge whose ends are both held (or reserved).</summary>
        /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when an end is not held; nothing is added.</exception>
        public void AddEdge(LineageEdge edge)
        {
            var (from, to) = StoredEnds(_g, edge);
            _g.Graph.AddEdge(NewEntry(_g, edge, from, to));
        }

        /// <summary>Adds a stored edge from its fields; <paramref name="createdBy"/> should come from <see cref="Intern"/>.</summary>
        public void AddEdge(Guid id, int from, int to, LineageEdgeKind kind, long createdTicks, string createdBy, long removedTicks, string? customKind, string? metadata, string? removedBy)
            => _g.Graph.AddEdge(new EdgeEntry(id, from, to, kind, createdTicks, createdBy, removedTicks, EdgeExtras.Create(_g.Intern(customKind), metadata, _g.Intern(removedBy))));

        /// <summary>Replaces the index's whole graph with this one (every reserved vertex must hold its node by now).</summary>
        public void Publish()
        {
            if (_reserved != 0)
            {
                throw new InvalidOperationException($"{_reserved} reserved vertices were never described.");
            }

            _g.Graph.TrimEdgeExcess();
            _index.Replace(_g);
        }
    }
}

/// <summary>How impact analysis ranks versions and deployments.</summary>
internal static class ImpactStages
{
    /// <summary>A deployment's stage from its environment name: production/prod/live, canary, staging/stage/pre-production; anything else is Other.</summary>
    public static ImpactStage FromEnvironment(string? environment) => environment?.Trim().ToUpperInvariant() switch
    {
        "PRODUCTION" or "PROD" or "PRD" or "LIVE" => ImpactStage.Production,
        "CANARY" => ImpactStage.Canary,
        "STAGING" or "STAGE" or "STG" or "PREPROD" or "PRE-PRODUCTION" => ImpactStage.Staging,
        _ => ImpactStage.Other,
    };

    /// <summary>A version's stage from its registry stage.</summary>
    public static ImpactStage FromModelStage(Registry.ModelStage? stage) => stage switch
    {
        Registry.ModelStage.Production => ImpactStage.Production,
        Registry.ModelStage.Canary => ImpactStage.Canary,
        Registry.ModelStage.Staging => ImpactStage.Staging,
        _ => ImpactStage.Other,
    };

    /// <summary>
    /// The standard classifier: a version by the stage the registry reports for its node id, a deployment by its
    /// environment, anything else Other.
    /// </summary>
    public static Func<LineageNode, ImpactStage> Classifier(Func<string, Registry.ModelStage?> versionStage) => node => node.Kind switch
    {
        LineageNodeKind.ModelVersion => FromModelStage(versionStage(node.Id)),
        LineageNodeKind.Deployment => FromEnvironment((node.Details as DeploymentDetails)?.Environment),
        _ => ImpactStage.Other,
    };
}
