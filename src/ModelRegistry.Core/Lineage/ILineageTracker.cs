namespace ModelRegistry.Lineage;

/// <summary>
/// Datasets, training runs, evaluations, deployments, consumers and custom nodes, linked to the registry's models and
/// versions by typed edges; upstream/downstream traversal, impact analysis, provenance, paths and export.
/// </summary>
/// <remarks>
/// <para>
/// <b>Direction:</b> every edge points from the dependent node to the node it depends on
/// (<c>version -TrainedOn-&gt; dataset</c>, <c>deployment -DeployedTo-&gt; version</c>,
/// <c>consumer -Consumes-&gt; deployment</c>). Upstream follows edges forwards, downstream backwards.
/// </para>
/// <para>
/// <b>History:</b> nothing is deleted. Unlinking records when the edge was removed, so every query can be answered
/// as of a past instant (<see cref="LineageQuery.AsOf"/>).
/// </para>
/// <para>
/// Every mutation is validated before anything is written (bad input gets <see cref="ErrorCode.InvalidArgument"/> and
/// changes nothing) and is audited like the registry's.
/// </para>
/// </remarks>
public interface ILineageTracker
{
    /// <summary>Records a node, or replaces the name, details and metadata of an existing one (its kind cannot change).</summary>
    /// <remarks>
    /// Version and model nodes belong to the registry and are never stored here: for them the call only checks that the
    /// registry holds the version or model and returns it as the registry describes it (its stage or status in
    /// <see cref="LineageNode.Metadata"/>); they take no details, metadata or custom kind. Linking to such a node does not
    /// need this call.
    /// </remarks>
    /// <param name="request">The node.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored node (revision 1 when new).</returns>
    /// <exception cref="ModelRegistryException">
    /// <see cref="ErrorCode.InvalidArgument"/> for a malformed id, details that do not match the kind or oversized metadata;
    /// <see cref="ErrorCode.ConcurrencyConflict"/> when <see cref="RecordNodeRequest.ExpectedRevision"/> is stale;
    /// <see cref="ErrorCode.NotFound"/> for a version or model node the registry does not know.
    /// </exception>
    Task<LineageNode> RecordNodeAsync(RecordNodeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a node by id (case-insensitive).</summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The node.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when there is no such node.</exception>
    Task<LineageNode> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Links two recorded nodes with a typed edge.</summary>
    /// <param name="request">The edge.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored edge.</returns>
    /// <exception cref="ModelRegistryException">
    /// <see cref="ErrorCode.NotFound"/> when a node is not recorded; <see cref="ErrorCode.AlreadyExists"/> when the same
    /// edge is already in force; <see cref="ErrorCode.PolicyViolation"/> when a DerivedFrom, TrainedOn or FineTunedFrom
    /// edge would close a cycle (the message names the cycle) — also when the other edges of the cycle were linked at the
    /// same moment by another process or registry instance sharing the store; <see cref="ErrorCode.InvalidArgument"/> for
    /// a self-link; <see cref="ErrorCode.ConcurrencyConflict"/>, rarely, when other writers kept linking such edges
    /// while this one was checked (nothing was written; retry).
    /// </exception>
    Task<LineageEdge> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>Unlinks the edge in force that matches <paramref name="request"/>; the edge is kept with its removal time.</summary>
    /// <param name="request">The edge's ends, kind and custom kind.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The edge with <see cref="LineageEdge.RemovedAt"/> set.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when no such edge is in force.</exception>
    Task<LineageEdge> UnlinkAsync(LinkRequest request, CancellationToken cancellationToken = default);

    /// <summary>What a node depends on: the nodes reached by following edges forwards.</summary>
    /// <param name="nodeId">The start node.</param>
    /// <param name="query">Depth, filters and as-of; <see langword="null"/> for <see cref="LineageQuery.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes with their depth, the edges walked, and whether the depth limit cut anything off.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the node does not exist (at the as-of instant).</exception>
    Task<LineageGraph> GetUpstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>What depends on a node: the nodes reached by following edges backwards.</summary>
    /// <param name="nodeId">The start node.</param>
    /// <param name="query">Depth, filters and as-of; <see langword="null"/> for <see cref="LineageQuery.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes with their depth, the edges walked, and whether the depth limit cut anything off.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the node does not exist (at the as-of instant).</exception>
    Task<LineageGraph> GetDownstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>A node's full lineage: its upstream and downstream together (each node at its smaller depth).</summary>
    /// <param name="nodeId">The start node.</param>
    /// <param name="query">Depth, filters and as-of; <see langword="null"/> for <see cref="LineageQuery.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes with their depth, the edges walked, and whether the depth limit cut anything off.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the node does not exist (at the as-of instant).</exception>
    Task<LineageGraph> GetLineageAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every model version, deployment and consumer downstream of a node (a dataset, run or version), each with the
    /// path that explains why, ordered by severity: production first (a production deployment and its consumers),
    /// then canary, staging, other; with counts per stage.
    /// </summary>
    /// <remarks>
    /// A version ranks by the stage the registry reports now, a deployment by its environment. With
    /// <see cref="LineageQuery.AsOf"/> the edges of that instant are walked (so the production deployment leads to the
    /// version it served then), but versions still rank by their current stage.
    /// </remarks>
    /// <param name="nodeId">The node whose impact is analysed.</param>
    /// <param name="query">Depth, edge kinds and as-of; <see langword="null"/> for depth 50 over every kind except ReplacedBy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the node does not exist (at the as-of instant).</exception>
    Task<ImpactReport> AnalyzeImpactAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The datasets upstream of a node (usually a model version), marking the roots (nothing further upstream), each
    /// with its path, licence and personal-data declaration.
    /// </summary>
    /// <param name="nodeId">The subject.</param>
    /// <param name="query">Depth, edge kinds and as-of; <see langword="null"/> for depth 50 over TrainedOn, DerivedFrom, FineTunedFrom and ProducedBy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when the node does not exist (at the as-of instant).</exception>
    Task<ProvenanceReport> GetProvenanceAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>The shortest path between two nodes (fewest edges), explaining how they relate.</summary>
    /// <param name="fromId">The first node.</param>
    /// <param name="toId">The second node.</param>
    /// <param name="direction">Which way edges may be walked; <see cref="LineageDirection.Both"/> ignores direction.</param>
    /// <param name="query">Maximum length, edge kinds and as-of; <see langword="null"/> for length 50 over every kind.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The path, or <see langword="null"/> when the nodes are not connected within the limit.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.NotFound"/> when either node does not exist (at the as-of instant).</exception>
    Task<LineagePath?> FindPathAsync(string fromId, string toId, LineageDirection direction = LineageDirection.Both, LineageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a traversal result, or the whole graph, as JSON, Graphviz DOT or Mermaid. Labels are escaped for the
    /// format, so any node name is safe to export.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="format">The format.</param>
    /// <param name="graph">A traversal result, or <see langword="null"/> for the whole current graph.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when everything is written.</returns>
    Task ExportAsync(TextWriter destination, LineageExportFormat format, LineageGraph? graph = null, CancellationToken cancellationToken = default);
}

/// <summary>A node to record.</summary>
/// <param name="Id">The node id, <c>prefix:key</c> (see <see cref="LineageNodeIds"/>).</param>
/// <param name="Kind">The kind; it must match the id's prefix.</param>
/// <param name="Name">The display name.</param>
public sealed record RecordNodeRequest(string Id, LineageNodeKind Kind, string Name)
{
    /// <summary>For <see cref="LineageNodeKind.Custom"/>, the custom kind's name (also the id prefix).</summary>
    public string? CustomKind { get; init; }

    /// <summary>Typed details matching <see cref="Kind"/>, if any.</summary>
    public LineageNodeDetails? Details { get; init; }

    /// <summary>Free-form metadata as a JSON object.</summary>
    public string? Metadata { get; init; }

    /// <summary>The revision this write is based on (0 for "must be new"), or <see langword="null"/> to record regardless.</summary>
    public long? ExpectedRevision { get; init; }
}

/// <summary>An edge to link or unlink: <paramref name="From"/> depends on <paramref name="To"/> by <paramref name="Kind"/>.</summary>
/// <param name="From">The dependent node's id.</param>
/// <param name="Kind">The relation.</param>
/// <param name="To">The id of the node depended on.</param>
public sealed record LinkRequest(string From, LineageEdgeKind Kind, string To)
{
    /// <summary>For <see cref="LineageEdgeKind.Custom"/>, the relation's name.</summary>
    public string? CustomKind { get; init; }

    /// <summary>Free-form metadata as a JSON object (ignored when unlinking).</summary>
    public string? Metadata { get; init; }
}
