using System.Text;
using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>
/// How lineage is persisted through the document seam, shared by the tracker and by the registry's automatic edges:
/// nodes in <see cref="NodeCollection"/> keyed by their normalised id, edges in <see cref="EdgeCollection"/> keyed by
/// their id and indexed by their <see cref="LineageEdge.From"/> node, so "the edges from X" is one listing.
/// Version and model nodes are never stored: the registry owns them (see <see cref="RegistryNodes"/>).
/// </summary>
internal static class LineageDocuments
{
    public const string NodeCollection = "lineage.node";
    public const string EdgeCollection = "lineage.edge";

    public const string NodeRecordedAction = "lineage.node_recorded";
    public const string LinkedAction = "lineage.linked";
    public const string UnlinkedAction = "lineage.unlinked";

    /// <summary>Whether an audit action is one of lineage's own (not a registry change).</summary>
    public static bool IsLineageAction(string action) => action.StartsWith("lineage.", StringComparison.Ordinal);

    /// <summary>
    /// The document key of a node: its id upper-cased (invariant), because ids compare case-insensitively while
    /// document keys are ordinal. The node keeps its first spelling inside the document.
    /// </summary>
    public static string NodeKey(string nodeId) => nodeId.ToUpperInvariant();

    public static string EdgeKey(Guid edgeId) => edgeId.ToString("D");

    public static PutDocument PutNode(LineageNode node, long expectedRevision)
        => new(NodeCollection, NodeKey(node.Id), StoreSerializer.Serialize(node), null, expectedRevision);

    public static PutDocument PutEdge(LineageEdge edge, long expectedRevision)
        => new(EdgeCollection, EdgeKey(edge.Id), StoreSerializer.Serialize(edge), NodeKey(edge.From), expectedRevision);

    public static LineageNode ReadNode(StoredDocument document) => StoreSerializer.Deserialize<LineageNode>(document.Json);

    public static LineageEdge ReadEdge(StoredDocument document) => StoreSerializer.Deserialize<LineageEdge>(document.Json);

    /// <summary>A node from its stored UTF-8 JSON (the bulk load path; same result and errors as the string form).</summary>
    public static LineageNode ReadNode(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize<LineageNode>(utf8Json, StoreSerializer.Options)
                ?? throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"A stored {nameof(LineageNode)} is empty; the store is damaged.");
        }
        catch (JsonException)
        {
            return StoreSerializer.Deserialize<LineageNode>(Encoding.UTF8.GetString(utf8Json));
        }
    }

    /// <summary>
    /// A node from its stored UTF-8 JSON, read field by field with repeated short texts taken from
    /// <paramref name="strings"/>; anything <see cref="NodeReader"/> does not expect goes through the serializer, so the
    /// result and the errors are those of <see cref="ReadNode(ReadOnlySpan{byte})"/>.
    /// </summary>
    public static LineageNode ReadNode(ReadOnlySpan<byte> utf8Json, StringPool strings)
        => NodeReader.TryRead(utf8Json, strings) ?? ReadNode(utf8Json);

    /// <summary>
    /// An edge from its stored UTF-8 JSON, read field by field with ids and actors taken from <paramref name="strings"/>
    /// (so 500,000 edges share their nodes' id strings instead of holding a copy each). Anything this reader does not
    /// expect (an unknown or escaped property name, a kind written differently) goes through the serializer instead, so
    /// the result and the errors are those of <see cref="ReadEdge(StoredDocument)"/>.
    /// </summary>
    public static LineageEdge ReadEdge(ReadOnlySpan<byte> utf8Json, StringPool strings)
        => EdgeReader.TryRead(utf8Json, strings) ?? StoreSerializer.Deserialize<LineageEdge>(Encoding.UTF8.GetString(utf8Json));

    /// <summary>An edge from its stored UTF-8 JSON (same result and errors as the string form).</summary>
    public static LineageEdge ReadEdge(ReadOnlySpan<byte> utf8Json) => ReadEdge(utf8Json, new StringPool());

    public static AuditDraft NodeRecorded(LineageNode node, DateTimeOffset at, string actor)
        => new(at, actor, NodeRecordedAction, node.Id, StoreSerializer.Serialize(node));

    public static AuditDraft Linked(LineageEdge edge, DateTimeOffset at, string actor)
        => new(at, actor, LinkedAction, edge.From, StoreSerializer.Serialize(edge));

    public static AuditDraft Unlinked(LineageEdge edge, DateTimeOffset at, string actor)
        => new(at, actor, UnlinkedAction, edge.From, StoreSerializer.Serialize(edge));

    /// <summary>The edge marked removed at <paramref name="at"/> (never before it was created, whatever the clocks say).</summary>
    public static LineageEdge Removed(LineageEdge edge, DateTimeOffset at, string actor)
        => edge with { RemovedAt = at < edge.CreatedAt ? edge.CreatedAt : at, RemovedBy = actor };

    /// <summary>The stored edges in force from a node with a kind, each with its document revision (one indexed listing).</summary>
    public static Task<IReadOnlyList<(LineageEdge Edge, long Revision)>> ActiveEdgesFromAsync(IRegistryStore store, string fromId, LineageEdgeKind kind, CancellationToken cancellationToken)
        => ActiveEdgesFromAsync(store, fromId, k => k == kind, cancellationToken);

    /// <summary>The stored edges in force from a node whose kind matches, each with its document revision (one indexed listing).</summary>
    public static async Task<IReadOnlyList<(LineageEdge Edge, long Revision)>> ActiveEdgesFromAsync(IRegistryStore store, string fromId, Func<LineageEdgeKind, bool> kind, CancellationToken cancellationToken)
    {
        var documents = await store.ListDocumentsAsync(new DocumentQuery(EdgeCollection, NodeKey(fromId)), cancellationToken);
        var result = new List<(LineageEdge, long)>();
        foreach (var document in documents)
        {
            var edge = ReadEdge(document);
            if (kind(edge.Kind) && edge.RemovedAt is null)
            {
                result.Add((edge, document.Revision));
            }
        }

        return result;
    }
}
