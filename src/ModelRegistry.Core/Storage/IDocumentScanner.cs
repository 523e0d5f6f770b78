namespace ModelRegistry.Storage;

/// <summary>Receives one stored document's JSON (UTF-8, valid only during the call) and its change sequence.</summary>
/// <param name="utf8Json">The document body as written.</param>
/// <param name="changeSequence">The audit sequence of the commit that last wrote it.</param>
internal delegate void DocumentVisitor(ReadOnlySpan<byte> utf8Json, long changeSequence);

/// <summary>
/// An optional fast path a store may offer next to <see cref="IRegistryStore.ListDocumentsAsync"/>: every document of a
/// collection handed to a visitor as UTF-8 bytes, in the same (change sequence, key) order, without building a string
/// and a <see cref="StoredDocument"/> per document. The lineage graph's first load reads hundreds of thousands of edge
/// documents this way; a store without it is read through the listing.
/// </summary>
internal interface IDocumentScanner
{
    /// <summary>Hands every document of <paramref name="collection"/> to <paramref name="visitor"/>, in (change sequence, key) order.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="visitor">Called once per document, synchronously.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes after the last document.</returns>
    ValueTask ScanDocumentsAsync(string collection, DocumentVisitor visitor, CancellationToken cancellationToken);
}
