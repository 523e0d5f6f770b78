namespace ModelRegistry.Lineage;

/// <summary>Options of a lineage traversal: depth limit, edge- and node-kind filters and an as-of instant.</summary>
public sealed record LineageQuery
{
    /// <summary>The default depth limit of traversals (3).</summary>
    public const int DefaultMaxDepth = 3;

    /// <summary>The largest accepted depth limit (50); impact analysis, provenance and path search use it when no query is given.</summary>
    public const int MaxAllowedDepth = 50;

    /// <summary>A query with every default: the operation's depth, edge kinds and node kinds, current state.</summary>
    public static LineageQuery Default { get; } = new();

    /// <summary>
    /// The largest number of edges walked away from the start (1–50), or <see langword="null"/> for the operation's
    /// default: <see cref="DefaultMaxDepth"/> (3) for traversals, <see cref="MaxAllowedDepth"/> (50) for impact
    /// analysis, provenance and path search.
    /// </summary>
    public int? MaxDepth { get; init; }

    /// <summary>
    /// The edge kinds to follow, or <see langword="null"/> for the operation's default (every kind for traversals and
    /// paths; every kind except <see cref="LineageEdgeKind.ReplacedBy"/> for impact analysis; TrainedOn, DerivedFrom,
    /// FineTunedFrom and ProducedBy for provenance). An empty list is refused.
    /// </summary>
    public IReadOnlyList<LineageEdgeKind>? EdgeKinds { get; init; }

    /// <summary>
    /// The node kinds to report, or <see langword="null"/> for all. The filter narrows what a traversal result lists
    /// (the start node is always listed, and only edges between listed nodes are kept); it never limits what is walked
    /// through. Impact analysis, provenance and path search ignore it. An empty list is refused.
    /// </summary>
    public IReadOnlyList<LineageNodeKind>? NodeKinds { get; init; }

    /// <summary>
    /// Answer as the graph was at this instant (nodes created by then; edges created by then and not yet removed),
    /// or <see langword="null"/> for the current graph.
    /// </summary>
    public DateTimeOffset? AsOf { get; init; }
}
