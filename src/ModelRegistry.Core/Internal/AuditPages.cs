using System.Runtime.CompilerServices;
using ModelRegistry.Audit;
using ModelRegistry.Storage;

namespace ModelRegistry.Internal;

/// <summary>Reads the audit trail from a store one page at a time, in sequence order: the one paging loop over <see cref="IRegistryStore.QueryAuditAsync"/>.</summary>
internal static class AuditPages
{
    /// <summary>
    /// The non-empty pages of stored audit records that match <paramref name="filter"/> with a sequence after
    /// <paramref name="after"/>, in sequence order, each of at most <paramref name="pageSize"/> records (a short page is the
    /// last). The next page is read only when the caller asks for it, so a caller that stops early reads no further.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<AuditRecord>> ReadAuditPagesAsync(this IRegistryStore store, AuditQuery filter, long after, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await store.QueryAuditAsync(filter, after, pageSize, cancellationToken);
            if (page.Count > 0)
            {
                yield return page;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            after = page[^1].Sequence;
        }
    }

    /// <summary>The records of <see cref="ReadAuditPagesAsync"/> one by one; stopping the enumeration stops the reading.</summary>
    public static async IAsyncEnumerable<AuditRecord> ReadAuditAsync(this IRegistryStore store, AuditQuery filter, long after, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in store.ReadAuditPagesAsync(filter, after, pageSize, cancellationToken))
        {
            foreach (var record in page)
            {
                yield return record;
            }
        }
    }
}
