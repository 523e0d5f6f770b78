using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage;

/// <summary>
/// The storage seam for the registry and its audit trail. An adapter only persists: every business rule is decided in
/// Core before <see cref="CommitAsync"/> is called. Every adapter must pass the conformance suite
/// (<c>ModelRegistry.Storage.Conformance</c>) so that all stores behave identically.
/// </summary>
/// <remarks>
/// Model names are matched case-insensitively (ordinal upper-invariant comparison); versions are matched by SemVer
/// precedence (<see cref="SemanticVersion.SortKey"/>), so build metadata does not distinguish versions.
/// </remarks>
public interface IRegistryStore
{
    /// <summary>Finds a model by name, case-insensitively.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model, or <see langword="null"/> when absent.</returns>
    ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Finds a version by model name and precedence.</summary>
    /// <param name="modelName">The model name (case-insensitive).</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken);

    /// <summary>All versions of a model, in ascending precedence.</summary>
    /// <param name="modelName">The model name (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions (empty when the model has none or does not exist).</returns>
    ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>The version of a model with the highest precedence.</summary>
    /// <param name="modelName">The model name (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The latest version, or <see langword="null"/> when the model has none or does not exist.</returns>
    /// <remarks>
    /// The default implementation lists every version; adapters answer it with one indexed lookup, so that creating a
    /// version does not cost more as a model's history grows.
    /// </remarks>
    async ValueTask<ModelVersion?> FindLatestVersionAsync(string modelName, CancellationToken cancellationToken)
    {
        var versions = await ListVersionsAsync(modelName, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? null : versions.MaxBy(v => v.Version);
    }

    /// <summary>The version of a model, lowest precedence first, whose <see cref="ModelVersion.ContentHash"/> equals <paramref name="contentHash"/> (ordinal).</summary>
    /// <param name="modelName">The model name (case-insensitive).</param>
    /// <param name="contentHash">The content hash.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    /// <remarks>The default implementation lists every version; adapters answer it without reading every version's record.</remarks>
    async ValueTask<ModelVersion?> FindVersionByContentHashAsync(string modelName, string contentHash, CancellationToken cancellationToken)
    {
        var versions = await ListVersionsAsync(modelName, cancellationToken).ConfigureAwait(false);
        return versions.FirstOrDefault(v => string.Equals(v.ContentHash, contentHash, StringComparison.Ordinal));
    }

    /// <summary>Finds the version of a model created with an idempotency key.</summary>
    /// <param name="modelName">The model name (case-insensitive).</param>
    /// <param name="idempotencyKey">The key (ordinal).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Models matching a query, in the query's order.</summary>
    /// <param name="query">Filter, ordering and limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At most <see cref="StoreQuery.Limit"/> models.</returns>
    ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken);

    /// <summary>Versions matching a query, in the query's order. Model-level fields (owner, risk tier, status) refer to the owning model.</summary>
    /// <param name="query">Filter, ordering and limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At most <see cref="StoreQuery.Limit"/> versions.</returns>
    ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a set of writes and their audit records atomically: either every write and every audit record is
    /// stored, or nothing is. Each write's expected revision is checked inside the transaction.
    /// </summary>
    /// <param name="transaction">The writes and audit drafts.</param>
    /// <param name="cancellationToken">Cancels the call (before the commit point only).</param>
    /// <returns>The sealed audit records, in order.</returns>
    /// <exception cref="ModelRegistryException">
    /// <see cref="ErrorCode.ConcurrencyConflict"/> when a stored revision differs from the expected one;
    /// <see cref="ErrorCode.AlreadyExists"/> when an insert (expected revision 0) finds the key taken.
    /// </exception>
    ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Audit records matching a filter with a sequence greater than <paramref name="afterSequence"/>, ascending.</summary>
    /// <param name="filter">Subject, action, actor and time filters (paging fields are ignored).</param>
    /// <param name="afterSequence">Exclusive lower bound on the sequence.</param>
    /// <param name="limit">Maximum number of records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Finds a document by collection and key (both ordinal).</summary>
    /// <param name="collection">The collection, such as <c>lineage.edge</c> or <c>approval</c>.</param>
    /// <param name="key">The key within the collection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Documents of one collection, optionally with one index value, written after a change sequence, in ascending
    /// (<see cref="StoredDocument.ChangeSequence"/>, <see cref="StoredDocument.Key"/>) order. Components that keep an
    /// in-memory view (the lineage graph) catch up on other processes' writes with it.
    /// </summary>
    /// <param name="query">Collection, index value, lower bound and limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At most <see cref="DocumentQuery.Limit"/> documents.</returns>
    ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken);

    /// <summary>The sequence of the last audit record: a monotonic store-wide change sequence (0 when empty).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The change sequence.</returns>
    ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken);
}

/// <summary>What a store commits atomically: writes, each with an expected revision, and the audit records describing them.</summary>
/// <param name="Writes">The writes, applied in order.</param>
/// <param name="Audit">The audit drafts, sealed into the chain in order.</param>
public sealed record StoreTransaction(IReadOnlyList<StoreWrite> Writes, IReadOnlyList<AuditDraft> Audit);

/// <summary>One write of a <see cref="StoreTransaction"/>.</summary>
public abstract record StoreWrite;

/// <summary>Insert or replace a model. <paramref name="ExpectedRevision"/> 0 means the name must be free (case-insensitively).</summary>
/// <param name="Model">The new state; its <see cref="RegisteredModel.Revision"/> is <paramref name="ExpectedRevision"/> + 1.</param>
/// <param name="ExpectedRevision">The stored revision this write replaces.</param>
public sealed record PutModel(RegisteredModel Model, long ExpectedRevision) : StoreWrite;

/// <summary>Delete a model and all of its versions.</summary>
/// <param name="Name">The model name.</param>
/// <param name="ExpectedRevision">The stored revision.</param>
public sealed record DeleteModel(string Name, long ExpectedRevision) : StoreWrite;

/// <summary>Insert or replace a version. <paramref name="ExpectedRevision"/> 0 means the version must not exist (by precedence).</summary>
/// <param name="Version">The new state; its revision is <paramref name="ExpectedRevision"/> + 1.</param>
/// <param name="ExpectedRevision">The stored revision this write replaces.</param>
public sealed record PutVersion(ModelVersion Version, long ExpectedRevision) : StoreWrite;

/// <summary>
/// Insert or replace a document: the persistence of the registry's other aggregates (lineage nodes and edges, approval
/// requests, checkpoints). The store records the sequence of the transaction's last audit record as the document's
/// <see cref="StoredDocument.ChangeSequence"/>; Core never writes a document without an audit record.
/// </summary>
/// <param name="Collection">The collection (1–64 characters).</param>
/// <param name="Key">The key within the collection (1–512 characters, ordinal).</param>
/// <param name="Json">The document body (Core's JSON; stored and returned verbatim).</param>
/// <param name="Index">One optional value the collection is listed by (for example an approval's state), or <see langword="null"/>.</param>
/// <param name="ExpectedRevision">The stored revision this write replaces; 0 means the key must be free.</param>
public sealed record PutDocument(string Collection, string Key, string Json, string? Index, long ExpectedRevision) : StoreWrite;

/// <summary>A stored document.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Key">The key.</param>
/// <param name="Json">The body as written.</param>
/// <param name="Index">The index value as written.</param>
/// <param name="Revision">1 after insert, incremented by each replace.</param>
/// <param name="ChangeSequence">The audit sequence of the commit that last wrote it.</param>
public sealed record StoredDocument(string Collection, string Key, string Json, string? Index, long Revision, long ChangeSequence);

/// <summary>Which documents <see cref="IRegistryStore.ListDocumentsAsync"/> returns.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="Index">Only documents with this index value (ordinal), or all when <see langword="null"/>.</param>
/// <param name="AfterChangeSequence">Only documents whose change sequence is greater than this.</param>
/// <param name="Limit">Maximum number of documents.</param>
public sealed record DocumentQuery(string Collection, string? Index = null, long AfterChangeSequence = 0, int Limit = int.MaxValue);

/// <summary>A filter, an ordering and a limit, already validated by Core.</summary>
/// <param name="Filter">The filter, or <see langword="null"/> for all.</param>
/// <param name="OrderBy">
/// The ordering. Core always ends it with the identity keys (<c>name</c> for models; <c>name</c>, <c>version</c> for
/// versions), so the order is total. Keyset continuation is already folded into <paramref name="Filter"/>.
/// </param>
/// <param name="Limit">Maximum number of results.</param>
public sealed record StoreQuery(FilterNode? Filter, IReadOnlyList<SortKey> OrderBy, int Limit);
