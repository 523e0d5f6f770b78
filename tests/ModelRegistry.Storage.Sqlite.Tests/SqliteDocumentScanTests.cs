using System.Text;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>The bulk document read the lineage graph's first load uses (<see cref="IDocumentScanner"/>).</summary>
public sealed class SqliteDocumentScanTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Scanning_a_collection_hands_over_what_the_listing_returns_in_first_write_order(bool mostOfTheStore)
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
        await ((IDocumentScanner)store).ScanDocumentsAsync("lineage.edge", (json, sequence) => scanned.Add((Encoding.UTF8.GetString(json), sequence)), mostOfTheStore, _ct);

        var listed = await store.ListDocumentsAsync(new DocumentQuery("lineage.edge"), _ct);
        scanned.Should().BeEquivalentTo(listed.Select(d => (d.Json, d.ChangeSequence)));

        // First-write order: k9 was written first and keeps its place after the update (the listing moves it last).
        scanned.Select(d => d.Json).Should().Equal("{\"n\":\"updated\"}", "{\"n\":1,\"t\":\"é\\\"\"}", "{\"n\":2,\"t\":\"é\\\"\"}", "{\"n\":3,\"t\":\"é\\\"\"}", "{\"n\":4,\"t\":\"é\\\"\"}");
        scanned[0].Sequence.Should().Be(6);
        listed[^1].Json.Should().Be("{\"n\":\"updated\"}");
    }

    [Fact]
    public async Task Scanning_a_collection_with_no_documents_calls_nothing()
    {
        using var store = _file.Open();
        var calls = 0;
        await ((IDocumentScanner)store).ScanDocumentsAsync("lineage.node", (_, _) => calls++, mostOfTheStore: false, _ct);
        calls.Should().Be(0);
    }

    [Fact]
    public async Task Scanning_versions_hands_over_every_stored_version_as_an_unfiltered_query_returns_it()
    {
        using var store = _file.Open();
        await store.CommitAsync(Tx(new PutModel(Model("b-model"), 0), new PutVersion(Version("b-model", "1.0.0"), 0), new PutVersion(Version("b-model", "2.0.0-rc.1+build.5"), 0)), _ct);
        await store.CommitAsync(Tx(new PutModel(Model("a-model"), 0), new PutVersion(Version("a-model", "0.1.0"), 0)), _ct);
        var promoted = Version("b-model", "1.0.0", revision: 2, stage: ModelStage.Staging);
        await store.CommitAsync(Tx(new PutVersion(promoted, 1)), _ct);

        var scanned = new List<ModelVersion>();
        await ((IDocumentScanner)store).ScanVersionsAsync(json => scanned.Add(StoreSerializer.Deserialize<ModelVersion>(Encoding.UTF8.GetString(json))), _ct);

        var queried = await store.QueryVersionsAsync(new StoreQuery(null, [], int.MaxValue), _ct);
        scanned.Should().HaveCount(3).And.BeEquivalentTo(queried);
        scanned.Should().ContainSingle(v => v.ModelName == "b-model" && v.Version.ToString() == "1.0.0").Which.Stage.Should().Be(ModelStage.Staging);
    }

    [Fact]
    public async Task Scanning_versions_of_an_empty_store_calls_nothing()
    {
        using var store = _file.Open();
        var calls = 0;
        await ((IDocumentScanner)store).ScanVersionsAsync(_ => calls++, _ct);
        calls.Should().Be(0);
    }
}
