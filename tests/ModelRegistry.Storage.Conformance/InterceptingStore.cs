using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// A store that forwards every call to another, and lets a test run something right before a commit reaches it —
/// another writer getting in first, deterministically (no timing, no thread scheduling): the hook runs to completion,
/// then the intercepted commit is forwarded and checked against what the hook wrote.
/// </summary>
/// <param name="inner">The store shared with the other writer.</param>
internal sealed class InterceptingStore(IRegistryStore inner) : IRegistryStore
{
    private Func<Task>? _beforeNextCommit;

    /// <summary>How many commits were forwarded (successful or not).</summary>
    public int Commits { get; private set; }

    /// <summary>How many indexed document listings (those naming an index value, such as "the edges from X") were forwarded.</summary>
    public int IndexedListings { get; private set; }

    /// <summary>Runs <paramref name="hook"/> once, right before the next commit is forwarded.</summary>
    public void BeforeNextCommit(Func<Task> hook) => _beforeNextCommit = hook;

    public async ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _beforeNextCommit, null) is { } hook)
        {
            await hook();
        }

        Commits++;
        return await inner.CommitAsync(transaction, cancellationToken);
    }

    public ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken) => inner.FindModelAsync(name, cancellationToken);

    public ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken) => inner.FindVersionAsync(modelName, version, cancellationToken);

    public ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) => inner.ListVersionsAsync(modelName, cancellationToken);

    public ValueTask<ModelVersion?> FindLatestVersionAsync(string modelName, CancellationToken cancellationToken) => inner.FindLatestVersionAsync(modelName, cancellationToken);

    public ValueTask<ModelVersion?> FindVersionByContentHashAsync(string modelName, string contentHash, CancellationToken cancellationToken) => inner.FindVersionByContentHashAsync(modelName, contentHash, cancellationToken);

    public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken) => inner.FindVersionByIdempotencyKeyAsync(modelName, idempotencyKey, cancellationToken);

    public ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken) => inner.QueryModelsAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken) => inner.QueryVersionsAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken) => inner.QueryAuditAsync(filter, afterSequence, limit, cancellationToken);

    public ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken) => inner.FindDocumentAsync(collection, key, cancellationToken);

    public ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken)
    {
        if (query.Index is not null)
        {
            IndexedListings++;
        }

        return inner.ListDocumentsAsync(query, cancellationToken);
    }

    public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken) => inner.GetChangeSequenceAsync(cancellationToken);
}
