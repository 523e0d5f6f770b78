using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>
/// <see cref="ILineageTracker"/> on any <see cref="IRegistryStore"/>: nodes and edges are documents
/// (<see cref="LineageDocuments"/>), written with their audit record in one commit; queries run on the in-memory
/// <see cref="LineageGraphIndex"/>, loaded from the store on first use and brought up to date from the store's change
/// sequence before every query or mutation — so a tracker sees edges another process wrote to a shared store.
/// </summary>
/// <remarks>
/// <para>
/// Version and model nodes are the registry's: they are never stored as lineage documents. The graph holds a
/// description built from the registry record (stage, status), refreshed whenever the audit trail shows the registry
/// changed that model; an edge may point at a version or model as long as the registry holds it.
/// </para>
/// <para>
/// Concurrency: one asynchronous gate serialises everything that changes the graph in this process — catching up,
/// and each mutation from its validation through its commit to applying it — so a cycle or duplicate check and the
/// write it guards cannot interleave with another change here. Queries hold the gate only while catching up, then
/// read the graph under its reader lock. Trackers sharing a store (other processes, other registry instances) are
/// serialised by the store: a node or an unlink by the document's revision, and an edge of an acyclic kind by the
/// store-wide <see cref="AcyclicEdgeGuard"/>, so two links that would together close a cycle cannot both commit — the
/// second is checked again on the caught-up graph and refused with the cycle.
/// </para>
/// </remarks>
internal sealed partial class LineageTracker : ILineageTracker, IDisposable
{
    private const int MaxAttempts = 4;

    private static readonly StoreQuery AllModels = new(null, [new SortKey(new FieldRef(SearchField.Name), false)], int.MaxValue);

    private static readonly StoreQuery AllVersions = new(
        null,
        [new SortKey(new FieldRef(SearchField.Name), false), new SortKey(new FieldRef(SearchField.Version), false)],
        int.MaxValue);

    private readonly IRegistryStore _store;
    private readonly RegistryClock _clock;
    private readonly IActorAccessor _actor;
    private readonly ILogger _logger;
    private readonly int _maxMetadataBytes;
    private readonly LineageGraphIndex _index;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>What this tracker knows of the store-wide guard of acyclic edges; used only under the gate.</summary>
    private readonly AcyclicEdgeGuard _guard = new();

    /// <summary>The registry stage of every version node the graph holds (null for a deleted version); read by impact analysis.</summary>
    private readonly ConcurrentDictionary<string, ModelStage?> _versionStages = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The registry node ids the graph holds, by model name; changed only under the gate.</summary>
    private readonly Dictionary<string, HashSet<string>> _registryNodes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The change sequence the graph reflects; -1 until loaded. Written only under the gate.</summary>
    private long _applied = -1;

    public LineageTracker(IRegistryStore store, TimeProvider time, IActorAccessor actor, IOptions<ModelRegistryOptions> options, ILogger<LineageTracker> logger)
    {
        _store = store;
        _clock = new RegistryClock(time);
        _actor = actor;
        _logger = logger;
        _maxMetadataBytes = options.Value.MaxMetadataBytes;
        _index = new LineageGraphIndex(_maxMetadataBytes);
    }

    private string Actor
    {
        get
        {
            var actor = _actor.CurrentActor;
            return string.IsNullOrWhiteSpace(actor)
                ? throw new ModelRegistryException(ErrorCode.Forbidden, "The actor accessor returned no actor; every change must be attributable. Configure IActorAccessor to return the current user.")
                : actor;
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _gate.Dispose();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Mutations

    public async Task<LineageNode> RecordNodeAsync(RecordNodeRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(request);
        Guard.Defined(request.Kind, "Kind");
        if (request.Kind is LineageNodeKind.ModelVersion or LineageNodeKind.Model)
        {
            return await RecordRegistryNodeAsync(request, cancellationToken);
        }

        var actor = Actor;

        // Shape first, before anything is read: bad input fails without touching the store.
        LineageValidator.Node(NewNode(request, request.Id, _clock.Now(), actor, 1), _maxMetadataBytes);
        return await RetryAsync(request.ExpectedRevision is null, () => WithGateAsync(async () =>
        {
            await CatchUpLockedAsync(cancellationToken);
            var existing = _index.FindNode(request.Id);
            var stored = existing?.Revision ?? 0;
            if (request.ExpectedRevision is { } expected && expected != stored)
            {
                throw new ModelRegistryException(
                    ErrorCode.ConcurrencyConflict,
                    existing is null
                        ? $"Lineage node '{request.Id}' is not recorded, so it is not at revision {expected}; record it with ExpectedRevision 0 or null."
                        : $"Lineage node '{existing.Id}' is at revision {stored}, not {expected}; it was changed by another writer. Read it again and retry.",
                    existing?.Id ?? request.Id);
            }

            var now = _clock.Now();
            var node = NewNode(request, existing?.Id ?? request.Id, existing?.CreatedAt ?? now, existing?.CreatedBy ?? actor, stored + 1);
            _index.CheckNode(node);
            IReadOnlyList<AuditRecord> records;
            try
            {
                records = await CommitAsync([LineageDocuments.PutNode(node, stored)], [LineageDocuments.NodeRecorded(node, now, actor)], cancellationToken);
            }
            catch (ModelRegistryException ex) when (ex.Code == ErrorCode.AlreadyExists && stored == 0)
            {
                // Another process recorded the same node since this one caught up: a concurrent change, retried as an
                // update on fresh state unless the caller pinned a revision.
                throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"Lineage node '{node.Id}' was recorded by another writer at the same time; read it again and retry.", node.Id, ex);
            }

            _index.ApplyStoredNode(node);
            Advance(records);
            return node;
        }, cancellationToken));
    }

    /// <summary>
    /// A version or model node: the registry owns it, so nothing is written; the call checks that the registry holds
    /// it and returns it as the registry describes it.
    /// </summary>
    private async Task<LineageNode> RecordRegistryNodeAsync(RecordNodeRequest request, CancellationToken cancellationToken)
    {
        LineageValidator.NodeId(request.Id, request.Kind, null, "Id");
        if (request.CustomKind is not null || request.Details is not null || request.Metadata is not null)
        {
            throw Guard.Invalid(
                request.Details is not null ? "Details" : request.Metadata is not null ? "Metadata" : "CustomKind",
                $"'{request.Id}' is a {request.Kind} node, which the registry owns: it takes no custom kind, details or metadata here. Use the registry's tags and description instead.",
                request.Id);
        }

        var id = RegistryNodes.Canonical(request.Id, "Id");
        return await WithGateAsync(async () =>
        {
            // Asked of the registry itself: a deleted model's versions stay in the graph for history, but are unknown to it.
            await CatchUpLockedAsync(cancellationToken);
            HoldRegistryNode(await DescribeRegistryNodeAsync(id, cancellationToken) ?? throw RegistryNodeNotFound(id));
            return _index.FindNode(id)!;
        }, cancellationToken);
    }

    public async Task<LineageEdge> LinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(request);
        var from = RegistryNodes.Canonical(request.From, "From");
        var to = RegistryNodes.Canonical(request.To, "To");
        var actor = Actor;
        LineageValidator.Edge(NewEdge(request, from, to, _clock.Now(), actor), _maxMetadataBytes);
        var guarded = LineageValidator.IsAcyclicKind(request.Kind);
        return await RetryAsync(guarded, () => WithGateAsync(async () =>
        {
            await CatchUpLockedAsync(cancellationToken);

            // A version or model end must exist in the registry now, not merely be remembered by the graph (a deleted
            // model's versions stay in the graph for history, but nothing new may link to them). Catching up once more
            // after reading it brings in edges committed with it (a new version's DerivedFrom edge), which the cycle
            // check must see.
            var ends = new[] { from, to }.Where(RegistryNodes.IsRegistryId).ToList();
            foreach (var end in ends)
            {
                HoldRegistryNode(await DescribeRegistryNodeAsync(end, cancellationToken) ?? throw RegistryNodeNotFound(end));
            }

            if (ends.Count > 0)
            {
                await CatchUpLockedAsync(cancellationToken);
            }

            // An acyclic edge is committed under the store-wide guard (see AcyclicEdgeGuard). Its revision is read
            // before the catch-up the cycle check relies on, so the graph holds every edge committed under it.
            var guard = guarded ? _guard.Known(_applied) : null;
            if (guarded && guard is null)
            {
                guard = await AcyclicEdgeGuard.ReadAsync(_store, cancellationToken);
                await CatchUpLockedAsync(cancellationToken);
            }

            // The stored edge names its ends as the graph spells them; an unknown end fails in CheckEdge.
            var now = _clock.Now();
            var edge = NewEdge(request, _index.FindNode(from)?.Id ?? from, _index.FindNode(to)?.Id ?? to, now, actor);
            _index.CheckEdge(edge);
            var records = guard is { } expected
                ? await CommitGuardedAsync(edge, expected, now, actor, cancellationToken)
                : await CommitAsync([LineageDocuments.PutEdge(edge, 0)], [LineageDocuments.Linked(edge, now, actor)], cancellationToken);
            _index.ApplyStoredEdge(edge);
            Advance(records);
            if (guard is { } committed)
            {
                _guard.Committed(committed, _applied);
            }

            return edge;
        }, cancellationToken));
    }

    /// <summary>
    /// Commits an acyclic edge together with the guard document at <paramref name="expectedGuard"/>. Losing the race
    /// to another tracker's acyclic edge is a <see cref="ErrorCode.ConcurrencyConflict"/>, which the caller retries on
    /// fresh state: caught up, the cycle check then sees the other edge.
    /// </summary>
    private async Task<IReadOnlyList<AuditRecord>> CommitGuardedAsync(LineageEdge edge, long expectedGuard, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        _guard.Forget();
        try
        {
            return await CommitAsync(
                [LineageDocuments.PutEdge(edge, 0), AcyclicEdgeGuard.Put(edge, expectedGuard)],
                [LineageDocuments.Linked(edge, now, actor)],
                cancellationToken);
        }
        catch (ModelRegistryException ex) when (AcyclicEdgeGuard.IsLostRace(ex, expectedGuard))
        {
            throw new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Another writer linked a DerivedFrom, TrainedOn or FineTunedFrom edge while '{edge.From}' -{edge.Kind}-> '{edge.To}' was being checked for cycles; nothing was written. Retry the link: it is checked again against the other writer's edges.",
                edge.From,
                ex);
        }
    }

    public async Task<LineageEdge> UnlinkAsync(LinkRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(request);
        var from = RegistryNodes.Canonical(request.From, "From");
        var to = RegistryNodes.Canonical(request.To, "To");
        Guard.Defined(request.Kind, "Kind");
        if (request.Kind == LineageEdgeKind.Custom)
        {
            LineageValidator.CustomKindName(request.CustomKind, nodes: false, "CustomKind");
        }
        else if (request.CustomKind is not null)
        {
            throw Guard.Invalid("CustomKind", $"'CustomKind' is set to '{request.CustomKind}' on a {request.Kind} edge; only Custom edges have a custom kind.");
        }

        var actor = Actor;
        return await RetryAsync(true, () => WithGateAsync(async () =>
        {
            await CatchUpLockedAsync(cancellationToken);
            var inForce = _index.FindActiveEdge(from, request.Kind, to, request.CustomKind);
            var document = inForce is null ? null : await _store.FindDocumentAsync(LineageDocuments.EdgeCollection, LineageDocuments.EdgeKey(inForce.Id), cancellationToken);
            var stored = document is null ? null : LineageDocuments.ReadEdge(document);
            if (stored is null || stored.RemovedAt is not null)
            {
                var kind = request.Kind == LineageEdgeKind.Custom ? request.CustomKind : request.Kind.ToString();
                throw new ModelRegistryException(ErrorCode.NotFound, $"No {kind} edge from '{from}' to '{to}' is in force, so there is nothing to unlink. List the node's edges with GetLineageAsync.", from);
            }

            var now = _clock.Now();
            var removed = LineageDocuments.Removed(stored, now, actor);
            var records = await CommitAsync([LineageDocuments.PutEdge(removed, document!.Revision)], [LineageDocuments.Unlinked(removed, now, actor)], cancellationToken);
            _index.ApplyStoredEdge(removed);
            Advance(records);
            return removed;
        }, cancellationToken));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Queries

    public async Task<LineageNode> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        var id = (await PrepareAsync([RegistryNodes.Canonical(nodeId, nameof(nodeId))], cancellationToken))[0];
        return _index.FindNode(id)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Lineage node '{nodeId}' is not recorded; record it first (RecordNodeAsync), or check the id's prefix (see LineageNodeIds).", nodeId);
    }

    public Task<LineageGraph> GetUpstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
        => TraverseAsync(nodeId, LineageDirection.Upstream, query, cancellationToken);

    public Task<LineageGraph> GetDownstreamAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
        => TraverseAsync(nodeId, LineageDirection.Downstream, query, cancellationToken);

    public Task<LineageGraph> GetLineageAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
        => TraverseAsync(nodeId, LineageDirection.Both, query, cancellationToken);

    private async Task<LineageGraph> TraverseAsync(string nodeId, LineageDirection direction, LineageQuery? query, CancellationToken cancellationToken)
    {
        ValidateQuery(query);
        var id = (await PrepareAsync([RegistryNodes.Canonical(nodeId, nameof(nodeId))], cancellationToken))[0];
        return _index.Traverse(id, direction, query);
    }

    public async Task<ImpactReport> AnalyzeImpactAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        ValidateQuery(query);
        var id = (await PrepareAsync([RegistryNodes.Canonical(nodeId, nameof(nodeId))], cancellationToken))[0];

        // Versions rank by the stage the registry reports now (refreshed by the catch-up above); deployments by their
        // environment. As-of analyses therefore walk the edges of that instant but rank versions by today's stage.
        return _index.AnalyzeImpact(id, query, ImpactStages.Classifier(VersionStage));
    }

    public async Task<ProvenanceReport> GetProvenanceAsync(string nodeId, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        ValidateQuery(query);
        var id = (await PrepareAsync([RegistryNodes.Canonical(nodeId, nameof(nodeId))], cancellationToken))[0];
        return _index.GetProvenance(id, query);
    }

    public async Task<LineagePath?> FindPathAsync(string fromId, string toId, LineageDirection direction = LineageDirection.Both, LineageQuery? query = null, CancellationToken cancellationToken = default)
    {
        ValidateQuery(query);
        Guard.Defined(direction);
        var ids = await PrepareAsync([RegistryNodes.Canonical(fromId, nameof(fromId)), RegistryNodes.Canonical(toId, nameof(toId))], cancellationToken);
        return _index.FindPath(ids[0], ids[1], direction, query);
    }

    public async Task ExportAsync(TextWriter destination, LineageExportFormat format, LineageGraph? graph = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(destination);
        Guard.Defined(format);
        if (graph is null)
        {
            await PrepareAsync([], cancellationToken);
            graph = WholeGraph();
        }

        cancellationToken.ThrowIfCancellationRequested();
        LineageExport.Write(graph, format, destination);
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The current graph. Registry versions and models appear when an edge in force touches them: the graph may hold a
    /// few more (looked up by earlier queries, or only linked in the past), and an export should not depend on that.
    /// </summary>
    private LineageGraph WholeGraph()
    {
        var snapshot = _index.Snapshot(null);
        var linked = new HashSet<string>(snapshot.Edges.SelectMany(e => new[] { e.From, e.To }), StringComparer.OrdinalIgnoreCase);
        return snapshot with
        {
            Nodes = [.. snapshot.Nodes.Where(n => n.Node.Kind is not (LineageNodeKind.ModelVersion or LineageNodeKind.Model) || linked.Contains(n.Node.Id))],
        };
    }

    private ModelStage? VersionStage(string versionNodeId) => _versionStages.TryGetValue(versionNodeId, out var stage) ? stage : null;

    private static void ValidateQuery(LineageQuery? query)
    {
        if (query is not null)
        {
            LineageValidator.Query(query);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Keeping the graph current

    /// <summary>
    /// Brings the graph up to date with the store and makes sure registry nodes among <paramref name="ids"/> are held
    /// (a version can be queried before anything links to it). Takes the gate only when there is something to do.
    /// </summary>
    /// <returns>The ids, canonical.</returns>
    private async Task<string[]> PrepareAsync(string[] ids, CancellationToken cancellationToken)
    {
        var applied = Volatile.Read(ref _applied);
        var behind = applied < 0 || await _store.GetChangeSequenceAsync(cancellationToken) > applied;
        if (!behind && !ids.Any(id => RegistryNodes.IsRegistryId(id) && _index.FindNode(id) is null))
        {
            return ids;
        }

        await WithGateAsync(async () =>
        {
            await CatchUpLockedAsync(cancellationToken);
            await EnsureRegistryNodesLockedAsync(ids, cancellationToken);
            return true;
        }, cancellationToken);
        return ids;
    }

    private async Task EnsureRegistryNodesLockedAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            if (!RegistryNodes.IsRegistryId(id) || _index.FindNode(id) is not null)
            {
                continue;
            }

            var node = await DescribeRegistryNodeAsync(id, cancellationToken) ?? throw RegistryNodeNotFound(id);
            HoldRegistryNode(node);
        }
    }

    private static ModelRegistryException RegistryNodeNotFound(string id)
    {
        if (RegistryNodes.TryParseVersion(id, out var model, out var version))
        {
            return new ModelRegistryException(ErrorCode.NotFound, $"'{id}' names version {version} of model '{model}', which the registry does not hold. Create the version first (CreateVersionAsync), or check the id.", id);
        }

        return RegistryNodes.TryParseModel(id, out model)
            ? new ModelRegistryException(ErrorCode.NotFound, $"'{id}' names model '{model}', which the registry does not hold. Register it first (RegisterModelAsync), or check the id.", id)
            : new ModelRegistryException(ErrorCode.NotFound, $"'{id}' is not a version or model id.", id);
    }

    /// <summary>The registry's description of a version or model node, or <see langword="null"/> when the registry does not hold it.</summary>
    private async Task<LineageNode?> DescribeRegistryNodeAsync(string id, CancellationToken cancellationToken)
    {
        if (RegistryNodes.TryParseVersion(id, out var modelName, out var version))
        {
            var model = await _store.FindModelAsync(modelName, cancellationToken);
            var found = model is null ? null : await _store.FindVersionAsync(model.Name, version, cancellationToken);
            return found is null ? null : RegistryNodes.Describe(found);
        }

        if (RegistryNodes.TryParseModel(id, out modelName))
        {
            var model = await _store.FindModelAsync(modelName, cancellationToken);
            return model is null ? null : RegistryNodes.Describe(model);
        }

        return null;
    }

    /// <summary>Puts a registry node into the graph (or replaces the held description) and remembers it for refreshes.</summary>
    private void HoldRegistryNode(LineageNode node)
    {
        // A node keeps the earliest creation time it was known by (a model deleted and registered again keeps its old
        // history visible as of the old instants).
        if (_index.FindNode(node.Id) is { } held && held.CreatedAt < node.CreatedAt)
        {
            node = node with { CreatedAt = held.CreatedAt };
        }

        _index.ApplyStoredNode(node);
        RememberRegistryNode(node.Id, RegistryNodes.ModelOf(node.Id)!, node.Kind == LineageNodeKind.ModelVersion, StageOf(node));
    }

    /// <summary>Remembers a registry node the graph holds, for refreshes (and a version's stage, for impact analysis).</summary>
    private void RememberRegistryNode(string id, string model, bool isVersion, ModelStage? stage)
    {
        if (!_registryNodes.TryGetValue(model, out var ids))
        {
            _registryNodes[model] = ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }

        ids.Add(id);
        if (isVersion)
        {
            _versionStages[id] = stage;
        }
    }

    private static ModelStage? StageOf(LineageNode versionNode)
    {
        if (versionNode.Metadata is null)
        {
            return null;
        }

        using var json = System.Text.Json.JsonDocument.Parse(versionNode.Metadata);
        return json.RootElement.TryGetProperty("stage", out var stage) && Enum.TryParse<ModelStage>(stage.GetString(), out var parsed) ? parsed : null;
    }

    /// <summary>Loads the graph on first use, then applies what other writers committed since. Call under the gate.</summary>
    private async Task CatchUpLockedAsync(CancellationToken cancellationToken)
    {
        var sequence = await _store.GetChangeSequenceAsync(cancellationToken);
        if (_applied < 0)
        {
            await LoadLockedAsync(sequence, cancellationToken);
            return;
        }

        if (sequence <= _applied)
        {
            return;
        }

        var nodes = await _store.ListDocumentsAsync(new DocumentQuery(LineageDocuments.NodeCollection, AfterChangeSequence: _applied), cancellationToken);
        var edges = await _store.ListDocumentsAsync(new DocumentQuery(LineageDocuments.EdgeCollection, AfterChangeSequence: _applied), cancellationToken);
        var audit = await _store.QueryAuditAsync(new AuditQuery(), _applied, (int)Math.Min(sequence - _applied, int.MaxValue), cancellationToken);

        foreach (var document in nodes)
        {
            var node = LineageDocuments.ReadNode(document);
            if (!RegistryNodes.IsRegistryId(node.Id))
            {
                _index.ApplyStoredNode(node);
            }
        }

        // Registry changes (stage moves, deprecations, deletions) show in the audit trail; refresh the nodes they touch.
        var touched = audit
            .Where(r => !LineageDocuments.IsLineageAction(r.Action))
            .Select(r => RegistryNodes.ModelOfSubject(r.Subject))
            .Where(m => m is not null && _registryNodes.ContainsKey(m))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var model in touched)
        {
            await RefreshModelLockedAsync(model!, cancellationToken);
        }

        foreach (var document in edges)
        {
            var edge = LineageDocuments.ReadEdge(document);
            if (await HoldEndsLockedAsync(edge, document, sequence, cancellationToken))
            {
                _index.ApplyStoredEdge(edge);
            }
        }

        Volatile.Write(ref _applied, sequence);
        LogCaughtUp(_logger, nodes.Count, edges.Count, touched.Count, sequence);
    }

    /// <summary>
    /// Makes sure both ends of a stored edge are in the graph. A registry end is described from the registry (or
    /// kept as deleted); another end must be a stored node — unless the edge is newer than <paramref name="sequence"/>,
    /// in which case its node may have been committed after the nodes were listed, and the next catch-up applies it.
    /// </summary>
    /// <returns>Whether the edge can be applied now.</returns>
    private async Task<bool> HoldEndsLockedAsync(LineageEdge edge, StoredDocument document, long sequence, CancellationToken cancellationToken)
    {
        foreach (var end in new[] { edge.From, edge.To })
        {
            if (_index.FindNode(end) is not null)
            {
                continue;
            }

            if (RegistryNodes.IsRegistryId(end))
            {
                HoldRegistryNode(await DescribeRegistryNodeAsync(end, cancellationToken) ?? RegistryNodes.Deleted(end, edge.CreatedAt));
                continue;
            }

            if (document.ChangeSequence > sequence)
            {
                return false;
            }

            throw EndNotStored(edge, end);
        }

        return true;
    }

    private async Task RefreshModelLockedAsync(string modelName, CancellationToken cancellationToken)
    {
        var model = await _store.FindModelAsync(modelName, cancellationToken);
        var ids = _registryNodes[modelName];
        var versions = model is null || !ids.Any(id => id.StartsWith("version:", StringComparison.OrdinalIgnoreCase))
            ? []
            : await _store.ListVersionsAsync(model.Name, cancellationToken);
        foreach (var id in ids.ToList())
        {
            LineageNode? fresh = null;
            if (RegistryNodes.TryParseVersion(id, out _, out var version))
            {
                fresh = versions.FirstOrDefault(v => v.Version == version) is { } found ? RegistryNodes.Describe(found) : null;
            }
            else if (model is not null)
            {
                fresh = RegistryNodes.Describe(model);
            }

            HoldRegistryNode(fresh ?? RegistryNodes.Deleted(_index.FindNode(id)!.Id, _index.FindNode(id)!.CreatedAt));
        }
    }

    /// <summary>
    /// After this tracker's own commit: when nothing else was committed since the graph was last brought up to date,
    /// the graph (which the caller has just updated) reflects the new sequence too, and the next query need not catch up.
    /// </summary>
    private void Advance(IReadOnlyList<AuditRecord> records)
    {
        if (records.Count > 0 && records[0].Sequence == _applied + 1)
        {
            Volatile.Write(ref _applied, records[^1].Sequence);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers

    private async Task<T> WithGateAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Retries an attempt that lost a race with another writer of the same document, on fresh state (each attempt
    /// catches up and re-checks); when the caller pinned a revision, the conflict is theirs to resolve.
    /// </summary>
    private static async Task<T> RetryAsync<T>(bool retryOnConflict, Func<Task<T>> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (ModelRegistryException ex) when (retryOnConflict && ex.Code == ErrorCode.ConcurrencyConflict && i < MaxAttempts)
            {
            }
        }
    }

    private static ModelRegistryException EndNotStored(LineageEdge edge, string end)
        => new(ErrorCode.StorageCorrupted, $"Stored lineage edge {edge.Id} links '{edge.From}' to '{edge.To}', but '{end}' is not a stored node; the store is damaged.", end);

    private Task<IReadOnlyList<AuditRecord>> CommitAsync(IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, CancellationToken cancellationToken)
        => ModelRegistry.Internal.InstrumentedCommit.CommitAsync(_store, writes, audit, cancellationToken);

    private static LineageNode NewNode(RecordNodeRequest request, string id, DateTimeOffset createdAt, string createdBy, long revision) => new()
    {
        Id = id,
        Kind = request.Kind,
        Name = request.Name,
        CustomKind = request.CustomKind,
        Details = request.Details,
        Metadata = request.Metadata,
        CreatedAt = createdAt,
        CreatedBy = createdBy,
        Revision = revision,
    };

    private static LineageEdge NewEdge(LinkRequest request, string from, string to, DateTimeOffset now, string actor) => new()
    {
        Id = Guid.NewGuid(),
        From = from,
        To = to,
        Kind = request.Kind,
        CustomKind = request.CustomKind,
        CreatedAt = now,
        CreatedBy = actor,
        Metadata = request.Metadata,
    };

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Lineage graph loaded: {Nodes} nodes, {Edges} edges at change sequence {Sequence} in {ElapsedMs:0.0} ms")]
    private static partial void LogLoaded(ILogger logger, int nodes, int edges, long sequence, double elapsedMs);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Lineage graph caught up: {Nodes} node and {Edges} edge documents, {Models} registry models refreshed, now at change sequence {Sequence}")]
    private static partial void LogCaughtUp(ILogger logger, int nodes, int edges, int models, long sequence);
}
