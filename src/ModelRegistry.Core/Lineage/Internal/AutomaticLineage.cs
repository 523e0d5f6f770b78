using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>Lineage writes and their audit drafts, to be committed together with the registry change that implies them.</summary>
/// <param name="Writes">Document writes.</param>
/// <param name="Audit">Audit drafts (one per write).</param>
internal sealed record LineageWrites(IReadOnlyList<StoreWrite> Writes, IReadOnlyList<AuditDraft> Audit)
{
    public static LineageWrites None { get; } = new([], []);
}

/// <summary>
/// The edges the registry records by itself, in the same commit as the change: creating a version derived from
/// another (<c>version:child -DerivedFrom-&gt; version:parent</c>), deprecating a model with a replacement
/// (<c>model:old -ReplacedBy-&gt; model:new</c>, unlinked again when the model is un-deprecated), and production
/// changes (<c>deployment:{model}/production -DeployedTo-&gt; version</c>, the previous edge unlinked at the same instant,
/// so an as-of query answers what was in production at any moment).
/// </summary>
/// <remarks>
/// Reads go straight to the store (the edges from one node are one indexed listing), so the registry does not depend
/// on the tracker's in-memory graph; a tracker picks these edges up from the change sequence like any other write.
/// None of these edges can close a cycle: DerivedFrom starts at a version that is being created, so nothing depends
/// on it yet, and ReplacedBy and DeployedTo are not acyclic kinds.
/// </remarks>
internal static class AutomaticLineage
{
    /// <summary>The environment of the deployment node the registry keeps per model.</summary>
    public const string ProductionEnvironment = "production";

    /// <summary>The id of a model's production deployment node: <c>deployment:{model}/production</c>.</summary>
    public static string ProductionDeploymentId(string modelName) => LineageNodeIds.Deployment($"{modelName}/{ProductionEnvironment}");

    public static LineageWrites DerivedFrom(ModelVersion child, ModelVersion parent, DateTimeOffset now, string actor)
    {
        var edge = NewEdge(LineageNodeIds.Version(child.ModelName, child.Version), LineageEdgeKind.DerivedFrom, LineageNodeIds.Version(parent.ModelName, parent.Version), now, actor);
        return new LineageWrites([LineageDocuments.PutEdge(edge, 0)], [LineageDocuments.Linked(edge, now, actor)]);
    }

    public static async Task<LineageWrites> ReplacedByAsync(IRegistryStore store, string modelName, string replacementName, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        var from = LineageNodeIds.Model(modelName);
        var to = LineageNodeIds.Model(replacementName);
        var existing = await LineageDocuments.ActiveEdgesFromAsync(store, from, LineageEdgeKind.ReplacedBy, cancellationToken);
        if (existing.Any(e => SameNode(e.Edge.To, to)))
        {
            return LineageWrites.None;
        }

        var edge = NewEdge(from, LineageEdgeKind.ReplacedBy, to, now, actor);
        return new LineageWrites([LineageDocuments.PutEdge(edge, 0)], [LineageDocuments.Linked(edge, now, actor)]);
    }

    public static async Task<LineageWrites> ReplacementEndedAsync(IRegistryStore store, string modelName, string? replacementName, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        if (replacementName is null)
        {
            return LineageWrites.None;
        }

        var to = LineageNodeIds.Model(replacementName);
        var existing = await LineageDocuments.ActiveEdgesFromAsync(store, LineageNodeIds.Model(modelName), LineageEdgeKind.ReplacedBy, cancellationToken);
        var writes = new List<StoreWrite>();
        var audit = new List<AuditDraft>();
        foreach (var (edge, revision) in existing.Where(e => SameNode(e.Edge.To, to)))
        {
            var removed = LineageDocuments.Removed(edge, now, actor);
            writes.Add(LineageDocuments.PutEdge(removed, revision));
            audit.Add(LineageDocuments.Unlinked(removed, now, actor));
        }

        return new LineageWrites(writes, audit);
    }

    /// <summary>
    /// Points the model's production deployment at <paramref name="production"/> (or at nothing when
    /// <see langword="null"/>): records the deployment node when absent, unlinks the DeployedTo edges in force to other
    /// versions and links the new one, all at <paramref name="now"/>.
    /// </summary>
    public static async Task<LineageWrites> ProductionDeploymentAsync(IRegistryStore store, string modelName, ModelVersion? production, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        var deploymentId = ProductionDeploymentId(modelName);
        var writes = new List<StoreWrite>();
        var audit = new List<AuditDraft>();
        var nodeDocument = await store.FindDocumentAsync(LineageDocuments.NodeCollection, LineageDocuments.NodeKey(deploymentId), cancellationToken);
        if (nodeDocument is null)
        {
            if (production is null)
            {
                return LineageWrites.None;
            }

            var node = new LineageNode
            {
                Id = deploymentId,
                Kind = LineageNodeKind.Deployment,
                Name = $"{modelName} {ProductionEnvironment}",
                Details = new DeploymentDetails { Environment = ProductionEnvironment },
                CreatedAt = now,
                CreatedBy = actor,
                Revision = 1,
            };
            writes.Add(LineageDocuments.PutNode(node, 0));
            audit.Add(LineageDocuments.NodeRecorded(node, now, actor));
        }
        else
        {
            // The node keeps its first spelling; edges name it the same way.
            deploymentId = LineageDocuments.ReadNode(nodeDocument).Id;
        }

        var target = production is null ? null : LineageNodeIds.Version(production.ModelName, production.Version);
        var linked = false;
        foreach (var (edge, revision) in await LineageDocuments.ActiveEdgesFromAsync(store, deploymentId, LineageEdgeKind.DeployedTo, cancellationToken))
        {
            if (target is not null && SameNode(edge.To, target))
            {
                linked = true;
                continue;
            }

            var removed = LineageDocuments.Removed(edge, now, actor);
            writes.Add(LineageDocuments.PutEdge(removed, revision));
            audit.Add(LineageDocuments.Unlinked(removed, now, actor));
        }

        if (target is not null && !linked)
        {
            var edge = NewEdge(deploymentId, LineageEdgeKind.DeployedTo, target, now, actor);
            writes.Add(LineageDocuments.PutEdge(edge, 0));
            audit.Add(LineageDocuments.Linked(edge, now, actor));
        }

        return new LineageWrites(writes, audit);
    }

    private static bool SameNode(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static LineageEdge NewEdge(string from, LineageEdgeKind kind, string to, DateTimeOffset now, string actor) => new()
    {
        Id = Guid.NewGuid(),
        From = from,
        To = to,
        Kind = kind,
        CreatedAt = now,
        CreatedBy = actor,
    };
}
