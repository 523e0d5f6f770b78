using LiteDB;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>
/// Schema version 1 → 2 (the index over a document's index value): a sound version-1 file is migrated when opened,
/// lists exactly what it listed before; a damaged one is refused with its bytes unchanged.
/// </summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private static readonly DocumentQuery[] Listings =
    [
        new("lineage.edge"),
        new("lineage.edge", "node-1"),
        new("lineage.edge", "node-1", AfterChangeSequence: 2),
        new("lineage.edge", "node-1", Limit: 2),
        new("lineage.edge", "node-2", AfterChangeSequence: 1, Limit: 1),
        new("compliance.approval", "node-1"),
        new("compliance.approval", "v-1"),
        new("lineage.edge", "absent"),
    ];

    /// <summary>Writes documents through the store, then turns the file into what the schema-1 build left behind.</summary>
    private async Task<List<IReadOnlyList<StoredDocument>>> CreateSchema1FileAsync(int documents = 12)
    {
        var listed = new List<IReadOnlyList<StoredDocument>>();
        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            for (var i = 0; i < documents; i += 3)
            {
                // Three documents per commit share a change sequence; keys out of order, one index value in two collections.
                await store.CommitAsync(Tx(
                [
                    new PutDocument("lineage.edge", $"e{i + 2:D2}", "{}", "node-" + (i % 2 + 1), 0),
                    new PutDocument("lineage.edge", $"e{i:D2}", "{}", "node-1", 0),
                    new PutDocument("compliance.approval", $"a{i:D2}", "{\"s\":1}", i % 2 == 0 ? "node-1" : "v-1", 0),
                ], "put"), Ct);
            }

            foreach (var query in Listings)
            {
                listed.Add(await store.ListDocumentsAsync(query, Ct));
            }
        }

        using (var raw = new LiteDatabase($"Filename={_database.Path}"))
        {
            raw.GetCollection(Schema.Documents).DropIndex(Schema.DocumentIndexValue).Should().BeTrue();
            raw.GetCollection(Schema.Meta).Update(new BsonDocument { ["_id"] = Schema.SchemaDocumentId, ["format"] = Schema.Format, ["version"] = 1 });
        }

        ReadSchema().Should().Be((1, false));
        return listed;
    }

    private (int Version, bool Indexed) ReadSchema()
    {
        using var raw = new LiteDatabase($"Filename={_database.Path}");
        var version = raw.GetCollection(Schema.Meta).FindById(Schema.SchemaDocumentId)["version"].AsInt32;
        var indexed = raw.GetCollection("$indexes").Find(BsonExpression.Create("$.collection = @0 AND $.name = @1", Schema.Documents, Schema.DocumentIndexValue)).Any();
        return (version, indexed);
    }

    [Fact]
    public async Task A_new_file_is_created_at_the_current_schema_with_the_index_value_index()
    {
        LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();

        Schema.CurrentVersion.Should().Be(2);
        ReadSchema().Should().Be((2, true));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_sound_schema_1_file_is_migrated_on_open_and_lists_its_documents_exactly_as_before()
    {
        var before = await CreateSchema1FileAsync();
        before[1].Should().NotBeEmpty("the fixture lists something by index value");

        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            for (var i = 0; i < Listings.Length; i++)
            {
                (await store.ListDocumentsAsync(Listings[i], Ct)).Should().Equal(before[i], Listings[i].ToString());
            }

            store.DocumentListing(Listings[1]).GetPlan()["index"]["name"].AsString.Should().Be(Schema.DocumentIndexValue);
            (await VerifyChainAsync(store)).Should().Be(4);
        }

        ReadSchema().Should().Be((2, true));
    }

    [Fact]
    public async Task A_migrated_file_opens_again_without_writing()
    {
        await CreateSchema1FileAsync();
        LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();
        var migrated = File.ReadAllBytes(_database.Path);

        LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();

        File.ReadAllBytes(_database.Path).Should().Equal(migrated);
    }

    [Theory]
    [InlineData("half", 1)]
    [InlineData("last-page", 1)]
    [InlineData("half", 2)]
    [InlineData("last-page", 2)]
    public async Task A_truncated_file_is_refused_as_corrupted_before_a_page_is_read_and_not_migrated_or_changed(string cut, int schemaVersion)
    {
        // Enough documents for a multi-page file, so that cutting it at a page boundary keeps a readable header.
        await CreateSchema1FileAsync(documents: 600);
        if (schemaVersion == 2)
        {
            LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();
        }

        ReadSchema().Version.Should().Be(schemaVersion);
        var bytes = File.ReadAllBytes(_database.Path);
        var pages = bytes.Length / 8192;
        pages.Should().BeGreaterThan(4);
        var keep = cut == "half" ? pages / 2 : pages - 1;
        var damaged = bytes[..(keep * 8192)];
        File.WriteAllBytes(_database.Path, damaged);

        var act = () => LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();

        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageCorrupted, error.Message);
        error.Message.Should().Contain(_database.Path).And.Contain("truncated");
        File.ReadAllBytes(_database.Path).Should().Equal(damaged, "a damaged file is never migrated");
    }
}
