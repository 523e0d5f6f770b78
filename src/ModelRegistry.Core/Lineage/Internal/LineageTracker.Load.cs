using System.Diagnostics;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>The first-use load of <see cref="LineageTracker"/>.</summary>
internal sealed partial class LineageTracker
{
    /// <summary>Where the first-use load spent its time, by phase (null until loaded); read by the benchmarks' load probe.</summary>
    internal LoadProfile? LastLoad { get; private set; }

    /// <summary>
    /// The first load: every node and edge document in one listing per collection, and — only when edges point at the
    /// registry — every version (when a version is among the ends) and every model (when a model is) in one read each,
    /// to describe those nodes. The graph is built as the documents are read, straight from their bytes where the store
    /// offers them (<see cref="IDocumentScanner"/>): an edge becomes its graph entry without an intermediate record,
    /// and a version is read only for the fields its node shows.
    /// </summary>
    private async Task LoadLockedAsync(long sequence, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var marks = new List<(long Allocated, TimeSpan Paused)>(5) { Mark() };
        var scanner = _store as IDocumentScanner;
        var graph = _index.StartLoad(0);
        var texts = new StringPool();
        await ReadCollectionAsync(
            scanner,
            LineageDocuments.NodeCollection,
            (json, _) => AddStoredNode(graph, LineageDocuments.ReadNode(json, texts)),
            document => AddStoredNode(graph, LineageDocuments.ReadNode(document)),
            cancellationToken);
        var nodesRead = Stopwatch.GetTimestamp();
        marks.Add(Mark());

        var edges = new EdgeLoader(graph, sequence);
        await ReadCollectionAsync(scanner, LineageDocuments.EdgeCollection, edges.Add, edges.Add, cancellationToken);
        var edgesRead = Stopwatch.GetTimestamp();
        marks.Add(Mark());

        var registry = await DescribeRegistryEndsAsync(scanner, graph, edges, cancellationToken);
        var registryRead = Stopwatch.GetTimestamp();
        marks.Add(Mark());

        graph.Publish();
        var indexBuilt = Stopwatch.GetTimestamp();
        marks.Add(Mark());

        // The graph holds the registry nodes already; remember them for refreshes.
        _registryNodes.Clear();
        _versionStages.Clear();
        foreach (var (id, model, isVersion, stage) in registry)
        {
            RememberRegistryNode(id, model, isVersion, stage);
        }

        Volatile.Write(ref _applied, sequence);
        LastLoad = new LoadProfile(
            Stopwatch.GetElapsedTime(started, nodesRead),
            Stopwatch.GetElapsedTime(nodesRead, edgesRead),
            Stopwatch.GetElapsedTime(edgesRead, registryRead),
            Stopwatch.GetElapsedTime(registryRead, indexBuilt),
            Stopwatch.GetElapsedTime(indexBuilt),
            [.. marks.Skip(1).Append(Mark()).Zip(marks, (end, start) => (end.Allocated - start.Allocated, end.Paused - start.Paused))]);
        LogLoaded(_logger, graph.Count, edges.Count, sequence, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Bytes allocated and GC pause so far (process-wide; cheap, not precise), for <see cref="LoadProfile"/>.</summary>
    private static (long Allocated, TimeSpan Paused) Mark() => (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());

    private static void AddStoredNode(LineageGraphIndex.GraphBuilder graph, LineageNode node)
    {
        // A version or model node is the registry's: described from the registry when an edge touches it.
        if (!RegistryNodes.IsRegistryId(node.Id))
        {
            graph.AddNode(node);
        }
    }

    /// <summary>
    /// Describes every registry end the edges reserved a vertex for: from the registry's version or model, or as deleted
    /// when it holds neither; each keeps the earliest creation time of the edges touching it, if earlier.
    /// </summary>
    /// <returns>Each registry node's id, model name, whether it is a version, and its stage, for <see cref="RememberRegistryNode"/>.</returns>
    private async Task<List<(string Id, string Model, bool IsVersion, ModelStage? Stage)>> DescribeRegistryEndsAsync(
        IDocumentScanner? scanner, LineageGraphIndex.GraphBuilder graph, EdgeLoader edges, CancellationToken cancellationToken)
    {
        var ends = edges.RegistryEnds;
        var described = new (string Id, string Model, bool IsVersion, ModelStage? Stage)?[ends.Count];
        void Describe(LineageNode node, string model, bool isVersion, ModelStage? stage)
        {
            var vertex = graph.Find(node.Id);
            var end = vertex - edges.FirstRegistryVertex;
            if (end < 0 || described[end] is not null)
            {
                return;
            }

            var earliest = ends[end].Earliest;
            graph.Describe(vertex, node.CreatedAt > earliest ? node with { CreatedAt = earliest } : node);
            described[end] = (node.Id, model, isVersion, stage);
        }

        if (ends.Any(e => !RegistryNodes.IsModelId(e.Id)))
        {
            if (scanner is not null)
            {
                await scanner.ScanVersionsAsync(
                    json =>
                    {
                        var version = VersionReader.Summarize(json);
                        Describe(RegistryNodes.Describe(version), version.ModelName, true, version.Stage);
                    },
                    cancellationToken);
            }
            else
            {
                foreach (var version in await _store.QueryVersionsAsync(AllVersions, cancellationToken))
                {
                    Describe(RegistryNodes.Describe(version), version.ModelName, true, version.Stage);
                }
            }
        }

        if (ends.Any(e => RegistryNodes.IsModelId(e.Id)))
        {
            foreach (var model in await _store.QueryModelsAsync(AllModels, cancellationToken))
            {
                Describe(RegistryNodes.Describe(model), model.Name, false, null);
            }
        }

        var result = new List<(string Id, string Model, bool IsVersion, ModelStage? Stage)>(ends.Count);
        for (var end = 0; end < ends.Count; end++)
        {
            if (described[end] is { } held)
            {
                result.Add(held);
                continue;
            }

            var (id, earliest) = ends[end];
            graph.Describe(edges.FirstRegistryVertex + end, RegistryNodes.Deleted(id, earliest));
            result.Add((id, RegistryNodes.ModelOf(id)!, !RegistryNodes.IsModelId(id), null));
        }

        return result;
    }

    /// <summary>
    /// Every document of a collection handed to <paramref name="fromUtf8"/> with its change sequence, through the
    /// store's <see cref="IDocumentScanner"/> fast path when it has one (UTF-8 bytes, no string per document), otherwise
    /// to <paramref name="fromDocument"/> through the listing.
    /// </summary>
    private async Task ReadCollectionAsync(IDocumentScanner? scanner, string collection, DocumentVisitor fromUtf8, Action<StoredDocument> fromDocument, CancellationToken cancellationToken)
    {
        if (scanner is not null)
        {
            // Edges are most of the documents a registry with lineage holds; nodes a fraction of them.
            await scanner.ScanDocumentsAsync(collection, fromUtf8, mostOfTheStore: collection == LineageDocuments.EdgeCollection, cancellationToken);
            return;
        }

        foreach (var document in await _store.ListDocumentsAsync(new DocumentQuery(collection), cancellationToken))
        {
            fromDocument(document);
        }
    }

    /// <summary>
    /// Puts stored edges into the graph under construction as they are read. Ends are resolved to vertices straight from
    /// the document's bytes; a version or model end the graph does not hold yet gets a reserved vertex (described after
    /// the edges, see <see cref="RegistryEnds"/>). An edge whose other end is not a stored node is the store's damage —
    /// unless the edge is newer than the sequence the nodes were listed at, in which case its node may have been
    /// committed after that, and the next catch-up applies the edge.
    /// </summary>
    private sealed class EdgeLoader(LineageGraphIndex.GraphBuilder graph, long sequence)
    {
        private readonly List<(string Id, DateTimeOffset Earliest)> _registryEnds = [];

        /// <summary>The first reserved (registry) vertex: every vertex before it is a stored node.</summary>
        public int FirstRegistryVertex { get; } = graph.Count;

        /// <summary>The registry ends, by vertex from <see cref="FirstRegistryVertex"/>, each with the earliest creation time of the edges touching it.</summary>
        public IReadOnlyList<(string Id, DateTimeOffset Earliest)> RegistryEnds => _registryEnds;

        /// <summary>The edges added.</summary>
        public int Count { get; private set; }

        /// <summary>An edge from its stored bytes.</summary>
        public void Add(ReadOnlySpan<byte> utf8Json, long changeSequence)
        {
            if (!EdgeReader.TryReadFields(utf8Json, out var edge))
            {
                // Anything unusual (escaped text, a field written differently) is read by the serializer, with its errors.
                Add(LineageDocuments.ReadEdge(utf8Json), changeSequence);
                return;
            }

            var from = End(edge.From, edge.CreatedAt);
            var to = End(edge.To, edge.CreatedAt);
            if (from < 0 || to < 0)
            {
                Skip(LineageDocuments.ReadEdge(utf8Json), from < 0 ? 0 : 1, changeSequence);
                return;
            }

            Span<char> buffer = stackalloc char[Utf8Text.StackLimit];
            var createdBy = edge.CreatedBy.Length <= Utf8Text.StackLimit
                ? graph.Intern(Utf8Text.Decode(edge.CreatedBy, buffer))
                : graph.Intern(Utf8Text.Strict.GetString(edge.CreatedBy));
            graph.AddEdge(edge.Id, from, to, edge.Kind, edge.CreatedAt.UtcTicks, createdBy, edge.RemovedAt?.UtcTicks ?? EdgeEntry.NotRemoved, edge.CustomKind, edge.Metadata, edge.RemovedBy);
            Count++;
        }

        /// <summary>An edge from the listing.</summary>
        public void Add(StoredDocument document) => Add(LineageDocuments.ReadEdge(document), document.ChangeSequence);

        private void Add(LineageEdge edge, long changeSequence)
        {
            var from = End(edge.From, edge.CreatedAt);
            var to = End(edge.To, edge.CreatedAt);
            if (from < 0 || to < 0)
            {
                Skip(edge, from < 0 ? 0 : 1, changeSequence);
                return;
            }

            graph.AddEdge(edge.Id, from, to, edge.Kind, edge.CreatedAt.UtcTicks, graph.Intern(edge.CreatedBy), edge.RemovedAt?.UtcTicks ?? EdgeEntry.NotRemoved, edge.CustomKind, edge.Metadata, edge.RemovedBy);
            Count++;
        }

        private void Skip(LineageEdge edge, int missing, long changeSequence)
        {
            if (changeSequence <= sequence)
            {
                throw EndNotStored(edge, missing == 0 ? edge.From : edge.To);
            }
        }

        /// <summary>The vertex of an edge's end given as bytes (valid UTF-8), or -1 when it is not a held or registry node.</summary>
        private int End(ReadOnlySpan<byte> utf8, DateTimeOffset createdAt)
        {
            if (utf8.Length > Utf8Text.StackLimit)
            {
                return End(Utf8Text.Strict.GetString(utf8), createdAt);
            }

            Span<char> buffer = stackalloc char[Utf8Text.StackLimit];
            var id = Utf8Text.Decode(utf8, buffer);
            var vertex = graph.Find(id);
            return vertex >= 0 ? Touch(vertex, createdAt)
                : RegistryNodes.IsRegistryId(id) ? Reserve(id.ToString(), createdAt)
                : -1;
        }

        /// <summary>The vertex of an edge's end, or -1 when it is not a held or registry node.</summary>
        private int End(string id, DateTimeOffset createdAt)
        {
            var vertex = graph.Find(id);
            return vertex >= 0 ? Touch(vertex, createdAt)
                : RegistryNodes.IsRegistryId(id) ? Reserve(id, createdAt)
                : -1;
        }

        /// <summary>Keeps a registry end's earliest edge time (a later edge at the same instant wins, as it always has).</summary>
        private int Touch(int vertex, DateTimeOffset createdAt)
        {
            var end = vertex - FirstRegistryVertex;
            if (end >= 0 && !(_registryEnds[end].Earliest < createdAt))
            {
                _registryEnds[end] = (_registryEnds[end].Id, createdAt);
            }

            return vertex;
        }

        private int Reserve(string id, DateTimeOffset createdAt)
        {
            _registryEnds.Add((id, createdAt));
            return graph.Reserve(id);
        }
    }
}

/// <summary>The phases of a tracker's first-use load.</summary>
/// <param name="Nodes">Reading the stored node documents into the new graph.</param>
/// <param name="Edges">Reading the stored edge documents into it.</param>
/// <param name="Registry">Describing the registry's versions and models the edges touch.</param>
/// <param name="Index">Publishing the graph (trimming its edge lists, swapping it in).</param>
/// <param name="Hold">Remembering the registry nodes for later refreshes.</param>
/// <param name="Memory">Per phase, in that order: bytes allocated (process-wide) and time paused by the GC.</param>
internal sealed record LoadProfile(TimeSpan Nodes, TimeSpan Edges, TimeSpan Registry, TimeSpan Index, TimeSpan Hold, IReadOnlyList<(long Allocated, TimeSpan Paused)> Memory);
