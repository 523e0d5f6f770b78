using System.Text.Json;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// How approval requests are stored as documents. Two collections, written together in one commit:
/// <list type="bullet">
/// <item><c>compliance.approval</c>: key = request id, index = the version key (<c>MODEL/sortkey</c>), body = the request
/// (per-version history and the promotion gate list by the index).</item>
/// <item><c>compliance.approval.slot</c>: key = <c>version key|stage</c>, index = <c>Pending</c> or <c>Closed</c>, body =
/// the id of the latest request for that version and stage. Its revision serialises concurrent requests (at most one
/// pending request per version and stage), and the pending queue lists it by index.</item>
/// </list>
/// </summary>
internal sealed class ApprovalDocuments(IRegistryStore store)
{
    public const string Collection = "compliance.approval";
    public const string SlotCollection = "compliance.approval.slot";
    public const string PendingIndex = "Pending";
    public const string ClosedIndex = "Closed";

    public static string VersionKey(string modelName, SemanticVersion version) => $"{modelName.ToUpperInvariant()}/{version.SortKey}";

    public static string SlotKey(string modelName, SemanticVersion version, ModelStage stage) => $"{VersionKey(modelName, version)}|{stage}";

    /// <summary>The state as of <paramref name="now"/>: a pending or approved request past its validity is expired.</summary>
    public static ApprovalRequest Effective(ApprovalRequest request, DateTimeOffset now)
        => request.State is ApprovalState.Pending or ApprovalState.Approved && now >= request.ExpiresAt
            ? request with { State = ApprovalState.Expired }
            : request;

    public static PutDocument Put(ApprovalRequest request, long expectedRevision)
        => new(Collection, request.Id, StoreSerializer.Serialize(request with { Revision = expectedRevision + 1 }), VersionKey(request.ModelName, request.Version), expectedRevision);

    public static PutDocument PutSlot(ApprovalRequest request, bool pending, long expectedRevision)
        => new(SlotCollection, SlotKey(request.ModelName, request.Version, request.TargetStage), JsonSerializer.Serialize(new SlotBody(request.Id), StoreSerializer.Options), pending ? PendingIndex : ClosedIndex, expectedRevision);

    public async ValueTask<ApprovalRequest?> FindAsync(string id, CancellationToken cancellationToken)
        => await store.FindDocumentAsync(Collection, id, cancellationToken) is { } doc ? Read(doc) : null;

    public async ValueTask<(StoredDocument Document, string RequestId)?> FindSlotAsync(string modelName, SemanticVersion version, ModelStage stage, CancellationToken cancellationToken)
    {
        var doc = await store.FindDocumentAsync(SlotCollection, SlotKey(modelName, version, stage), cancellationToken);
        return doc is null ? null : (doc, StoreSerializer.Deserialize<SlotBody>(doc.Json).RequestId);
    }

    public async ValueTask<IReadOnlyList<ApprovalRequest>> ListForVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken)
    {
        var docs = await store.ListDocumentsAsync(new DocumentQuery(Collection, VersionKey(modelName, version)), cancellationToken);
        return [.. docs.Select(Read).OrderBy(r => r.RequestedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<ApprovalRequest>> ListOpenAsync(CancellationToken cancellationToken)
    {
        var slots = await store.ListDocumentsAsync(new DocumentQuery(SlotCollection, PendingIndex), cancellationToken);
        var requests = new List<ApprovalRequest>(slots.Count);
        foreach (var slot in slots)
        {
            if (await FindAsync(StoreSerializer.Deserialize<SlotBody>(slot.Json).RequestId, cancellationToken) is { } request)
            {
                requests.Add(request);
            }
        }

        return requests;
    }

    private static ApprovalRequest Read(StoredDocument doc) => StoreSerializer.Deserialize<ApprovalRequest>(doc.Json) with { Revision = doc.Revision };

    private sealed record SlotBody(string RequestId);
}
