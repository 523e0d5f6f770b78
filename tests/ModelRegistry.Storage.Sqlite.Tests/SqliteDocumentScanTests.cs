using System.Text;
using ModelRegistry.Audit;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>The bulk document read the lineage graph's first load uses (<see cref="IDocumentScanner"/>).</summary>
public sealed class SqliteDocumentScanTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Scanning_a_collection_hands_over_what_the_listing_returns_in_the_same_order()
    {
        using var store = _file.Open();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            // Keys out of order within a commit, an update that moves a document to a later sequence, another collection.
            await store.CommitAsync(
                new StoreTransaction(
                    [new PutDocument("lineage.edge", $"k{9 - i}", $"{{\"n\":{i},\"t\":\"é\\\"\"}}", null, 0), new PutDocument("other", $"o{i}", "{}", null, 0)],
                    [new AuditDraft(at, "tester", "test.put", "s", "{}")]),
                _ct);
        }

        await store.CommitAsync(new StoreTransaction([new PutDocument("lineage.edge", "k9", "{\"n\":\"updated\"}", null, 1)], [new AuditDraft(at, "tester", "test.put", "s", "{}")]), _ct);

        var scanned = new List<(string Json, long Sequence)>();
        await ((IDocumentScanner)store).ScanDocumentsAsync("lineage.edge", (json, sequence) => scanned.Add((Encoding.UTF8.GetString(json), sequence)), _ct);

        var listed = await store.ListDocumentsAsync(new DocumentQuery("lineage.edge"), _ct);
        scanned.Should().Equal(listed.Select(d => (d.Json, d.ChangeSequence)));
        scanned.Should().HaveCount(5);
        scanned[^1].Json.Should().Be("{\"n\":\"updated\"}");
    }

    [Fact]
    public async Task Scanning_a_collection_with_no_documents_calls_nothing()
    {
        using var store = _file.Open();
        var calls = 0;
        await ((IDocumentScanner)store).ScanDocumentsAsync("lineage.node", (_, _) => calls++, _ct);
        calls.Should().Be(0);
    }
}
