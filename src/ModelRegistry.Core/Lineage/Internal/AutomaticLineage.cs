using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>Lineage writes and their audit drafts, to be committed together with the registry change that implies them.</summary>
/// <param name="Writes">Document writes.</param>
/// <param name="Audit">Audit drafts (one per lineage document written).</param>
/// <param name="AcyclicGuardRevision">
/// When the writes include the <see cref="AcyclicEdgeGuard"/> write, the guard revision it expects: a commit that fails
/// because the guard moved lost a race to a concurrent acyclic link, and must be checked again.
/// </param>
internal sealed record LineageWrites(IReadOnlyList<StoreWrite> Writes, IReadOnlyList<AuditDraft> Audit, long? AcyclicGuardRevision = null)
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
/// <para>
/// Reads go straight to the store (the edges from one node are one indexed listing), so the registry does not depend
/// on the tracker's in-memory graph; a tracker picks these edges up from the change sequence like any other write.
/// ReplacedBy and DeployedTo are not acyclic kinds, so they never close a cycle.
/// </para>
/// <para>
/// DerivedFrom is acyclic, and starts at the version being created. Usually nothing can depend on that version yet, so
/// the edge cannot close a cycle and is not checked. The exception is a model that was deleted and registered again:
/// deleting a model keeps its version nodes in the graph (marked deleted, so history still answers) with the edges in
/// force that point to them, and a new version with the number of a deleted one gets the same node id — and those
/// edges. So deleting a model also records which version ids it retires (<see cref="RetiredAsync"/>, one document per
/// model, keyed case-insensitively like nodes). Creating a derived version reads that one document; only when the new
/// version's id is among the retired ones does it walk the store from the parent along DerivedFrom, TrainedOn and
/// FineTunedFrom edges in force, refuse the version when the walk reaches it, and otherwise commit under the
/// <see cref="AcyclicEdgeGuard"/> so that a concurrent <see cref="ILineageTracker.LinkAsync"/> cannot close the cycle
/// at the same moment. Versions are never deleted on their own, so no other version id can have inbound edges.
/// </para>
/// <para>
/// Limitation: a model deleted before retired versions were recorded has no marker, so a version re-created with a
/// deleted number of such a model is not checked (its links made later through the tracker still are).
/// </para>
/// </remarks>
internal static class AutomaticLineage
{
    /// <summary>The environment of the deployment node the registry keeps per model.</summary>
    public const string ProductionEnvironment = "production";

    /// <summary>The id of a model's production deployment node: <c>deployment:{model}/production</c>.</summary>
    public static string ProductionDeploymentId(string modelName) => LineageNodeIds.Deployment($"{modelName}/{ProductionEnvironment}");

    /// <summary>The collection of the retired-version markers (not read by the graph's load or catch-up).</summary>
    public const string RetiredCollection = "lineage.retired";

    /// <summary>
    /// The edge <c>version:child -DerivedFrom-&gt; version:parent</c>. When the child's id is a retired one (its model was
    /// deleted while a version with that number existed), the edge is checked for a cycle against the store and
    /// committed under the <see cref="AcyclicEdgeGuard"/>.
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.PolicyViolation"/> when the edge would close a cycle.</exception>
    public static async Task<LineageWrites> DerivedFromAsync(IRegistryStore store, ModelVersion child, ModelVersion parent, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        var edge = NewEdge(LineageNodeIds.Version(child.ModelName, child.Version), LineageEdgeKind.DerivedFrom, LineageNodeIds.Version(parent.ModelName, parent.Version), now, actor);
        var retired = await store.FindDocumentAsync(RetiredCollection, RetiredKey(child.ModelName), cancellationToken);
        if (retired is null || !ReadRetired(retired).Versions.Contains(LineageDocuments.NodeKey(edge.From), StringComparer.Ordinal))
        {
            return new LineageWrites([LineageDocuments.PutEdge(edge, 0)], [LineageDocuments.Linked(edge, now, actor)]);
        }

        // The guard is read before the walk: an acyclic edge committed since then moves it, and this commit fails.
        var guard = await AcyclicEdgeGuard.ReadAsync(store, cancellationToken);
        if (await FindAcyclicPathAsync(store, edge.To, edge.From, cancellationToken) is { } path)
        {
            path.Insert(0, edge.From);
            path[^1] = edge.From;
            throw new ModelRegistryException(
                ErrorCode.PolicyViolation,
                $"Version {child.Version} of '{child.ModelName}' cannot be derived from {parent.Uri}: a deleted model '{child.ModelName}' had a version {child.Version} whose lineage is kept. " +
                LineageValidator.CycleMessage(edge.Kind, path) + " Or create the version with another number.",
                edge.From);
        }

        return new LineageWrites([LineageDocuments.PutEdge(edge, 0), AcyclicEdgeGuard.Put(edge, guard)], [LineageDocuments.Linked(edge, now, actor)], guard);
    }

    /// <summary>
    /// The write that records, in the commit deleting a model, the ids of the versions it retires (merged with those of
    /// earlier deletions of the same name), or <see langword="null"/> when there is nothing new to record.
    /// </summary>
    public static async Task<StoreWrite?> RetiredAsync(IRegistryStore store, string modelName, IEnumerable<ModelVersion> versions, CancellationToken cancellationToken)
    {
        var key = RetiredKey(modelName);
        var existing = await store.FindDocumentAsync(RetiredCollection, key, cancellationToken);
        var known = existing is null ? [] : ReadRetired(existing).Versions;
        var all = known.Union(versions.Select(v => LineageDocuments.NodeKey(LineageNodeIds.Version(modelName, v.Version))), StringComparer.Ordinal).ToList();
        return all.Count == known.Count
            ? null
            : new PutDocument(RetiredCollection, key, StoreSerializer.Serialize(new RetiredVersions(modelName, all)), null, existing?.Revision ?? 0);
    }

    private static string RetiredKey(string modelName) => LineageDocuments.NodeKey(LineageNodeIds.Model(modelName));

    private static RetiredVersions ReadRetired(StoredDocument document) => StoreSerializer.Deserialize<RetiredVersions>(document.Json);

    /// <summary>
    /// A shortest path of acyclic-kind edges in force from <paramref name="start"/> to <paramref name="goal"/>, read from
    /// the store one indexed listing per node reached (each node once), or <see langword="null"/>.
    /// </summary>
    private static async Task<List<string>?> FindAcyclicPathAsync(IRegistryStore store, string start, string goal, CancellationToken cancellationToken)
    {
        var goalKey = LineageDocuments.NodeKey(goal);
        var cameFrom = new Dictionary<string, (string Id, string? Previous)>(StringComparer.Ordinal) { [LineageDocuments.NodeKey(start)] = (start, null) };
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var (edge, _) in await LineageDocuments.ActiveEdgesFromAsync(store, node, LineageValidator.IsAcyclicKind, cancellationToken))
            {
                var key = LineageDocuments.NodeKey(edge.To);
                if (!cameFrom.TryAdd(key, (edge.To, LineageDocuments.NodeKey(node))))
                {
                    continue;
                }

                if (key == goalKey)
                {
                    var path = new List<string>();
                    for (string? k = key; k is not null; k = cameFrom[k].Previous)
                    {
                        path.Insert(0, cameFrom[k].Id);
                    }

                    return path;
                }

                queue.Enqueue(edge.To);
            }
        }

        return null;
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

/// <summary>The version node keys a deleted model retired (see <see cref="AutomaticLineage.RetiredAsync"/>).</summary>
/// <param name="Model">The model's name, as spelled when last deleted.</param>
/// <param name="Versions">The <see cref="LineageDocuments.NodeKey"/> of each retired version's node.</param>
internal sealed record RetiredVersions(string Model, IReadOnlyList<string> Versions);
