namespace ModelRegistry.Storage;

/// <summary>Receives one stored document's JSON (UTF-8, valid only during the call) and its change sequence.</summary>
/// <param name="utf8Json">The document body as written.</param>
/// <param name="changeSequence">The audit sequence of the commit that last wrote it.</param>
internal delegate void DocumentVisitor(ReadOnlySpan<byte> utf8Json, long changeSequence);

/// <summary>Receives one stored record's JSON, as <see cref="StoreSerializer"/> wrote it (UTF-8, valid only during the call).</summary>
/// <param name="utf8Json">The record.</param>
internal delegate void RecordVisitor(ReadOnlySpan<byte> utf8Json);

/// <summary>
/// An optional fast path a store may offer next to <see cref="IRegistryStore.ListDocumentsAsync"/> and
/// <see cref="IRegistryStore.QueryVersionsAsync"/>: every document of a collection, or every model version, handed to a
/// visitor as UTF-8 bytes, without building a string and a record per row. The lineage graph's first load reads
/// hundreds of thousands of edge documents, and describes tens of thousands of versions, this way; a store without it
/// is read through the listing and the query.
/// </summary>
internal interface IDocumentScanner
{
    /// <summary>
    /// Hands every document of <paramref name="collection"/> to <paramref name="visitor"/>, in the order the documents
    /// were first written (an update keeps a document's place) — not (change sequence, key) order as a listing has it.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="visitor">Called once per document, synchronously.</param>
    /// <param name="mostOfTheStore">
    /// A hint that the collection holds most of the store's documents (lineage edges): reading everything in order and
    /// skipping the rest then beats looking each of the collection's documents up. Same documents, same order, either way.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes after the last document.</returns>
    ValueTask ScanDocumentsAsync(string collection, DocumentVisitor visitor, bool mostOfTheStore, CancellationToken cancellationToken);

    /// <summary>
    /// Hands every stored <see cref="Registry.ModelVersion"/> (the same set an unfiltered
    /// <see cref="IRegistryStore.QueryVersionsAsync"/> returns) to <paramref name="visitor"/> as its stored JSON, in no
    /// particular order.
    /// </summary>
    /// <param name="visitor">Called once per version, synchronously.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes after the last version.</returns>
    ValueTask ScanVersionsAsync(RecordVisitor visitor, CancellationToken cancellationToken);
}
