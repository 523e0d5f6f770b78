using System.Text;
using LiteDB;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>Opening files: what is refused, with which error, and that a refused file is left exactly as it was.</summary>
public sealed class LiteDbFileTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private ModelRegistryException OpenShouldFail(ErrorCode code)
    {
        var act = () => LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();
        var ex = act.Should().Throw<ModelRegistryException>().Which;
        ex.Code.Should().Be(code, ex.Message);
        ex.Message.Should().Contain(_database.Path, "the message names the file");
        return ex;
    }

    private void ShouldBeUntouched(byte[] original)
    {
        File.ReadAllBytes(_database.Path).Should().Equal(original, "a refused file is never initialised or truncated");
        File.Exists(_database.LogPath).Should().BeFalse("no -log file is created next to a refused file");
    }

    [Fact]
    public void A_zero_length_file_is_corrupted_and_no_registry_is_created_over_it()
    {
        File.WriteAllBytes(_database.Path, []);
        OpenShouldFail(ErrorCode.StorageCorrupted).Message.Should().Contain("empty");
        ShouldBeUntouched([]);
    }

    [Fact]
    public void A_garbage_file_is_corrupted_and_left_unchanged()
    {
        var garbage = new byte[20000];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(_database.Path, garbage);
        OpenShouldFail(ErrorCode.StorageCorrupted);
        ShouldBeUntouched(garbage);
    }

    [Fact]
    public void A_page_sized_garbage_file_is_corrupted_and_left_unchanged()
    {
        var garbage = Enumerable.Repeat((byte)'x', 8192 * 3).ToArray();
        File.WriteAllBytes(_database.Path, garbage);
        OpenShouldFail(ErrorCode.StorageCorrupted);
        ShouldBeUntouched(garbage);
    }

    [Fact]
    public void A_SQLite_file_is_corrupted_and_the_message_says_it_is_SQLite()
    {
        var sqlite = new byte[4096];
        Encoding.ASCII.GetBytes("SQLite format 3\0").CopyTo(sqlite, 0);
        File.WriteAllBytes(_database.Path, sqlite);
        OpenShouldFail(ErrorCode.StorageCorrupted).Message.Should().Contain("SQLite");
        ShouldBeUntouched(sqlite);
    }

    [Fact]
    public void A_text_file_is_corrupted()
    {
        var text = Encoding.UTF8.GetBytes("registry notes\n");
        File.WriteAllBytes(_database.Path, text);
        OpenShouldFail(ErrorCode.StorageCorrupted);
        ShouldBeUntouched(text);
    }

    [Fact]
    public void A_LiteDB_file_of_another_application_is_incompatible_and_keeps_its_data()
    {
        using (var other = new LiteDatabase($"Filename={_database.Path};Collation=en-US/IgnoreCase"))
        {
            other.GetCollection("customers").Insert(new BsonDocument { ["_id"] = 1, ["name"] = "x" });
        }

        OpenShouldFail(ErrorCode.StorageIncompatible);
        using var again = new LiteDatabase(_database.Path);
        again.GetCollection("customers").Count().Should().Be(1);
    }

    [Fact]
    public void A_LiteDB_file_with_ordinal_collation_but_foreign_collections_is_incompatible()
    {
        using (var other = new LiteDatabase($"Filename={_database.Path};Collation=/Ordinal"))
        {
            other.GetCollection("customers").Insert(new BsonDocument { ["_id"] = 1 });
        }

        OpenShouldFail(ErrorCode.StorageIncompatible).Message.Should().Contain("not a model registry store");
    }

    [Fact]
    public async Task A_file_written_by_a_newer_schema_is_refused_and_not_downgraded()
    {
        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), Ct);
        }

        using (var raw = new LiteDatabase($"Filename={_database.Path}"))
        {
            raw.GetCollection(Schema.Meta).Update(new BsonDocument { ["_id"] = Schema.SchemaDocumentId, ["format"] = Schema.Format, ["version"] = Schema.CurrentVersion + 1 });
        }

        OpenShouldFail(ErrorCode.StorageIncompatible).Message.Should().Contain("newer");
        using var check = new LiteDatabase($"Filename={_database.Path}");
        check.GetCollection(Schema.Meta).FindById(Schema.SchemaDocumentId)["version"].AsInt32.Should().Be(Schema.CurrentVersion + 1);
        check.GetCollection(Schema.Models).Count().Should().Be(1);
    }

    [Fact]
    public void A_log_file_without_its_data_file_is_refused()
    {
        File.WriteAllBytes(_database.LogPath, new byte[8192]);
        OpenShouldFail(ErrorCode.StorageCorrupted).Message.Should().Contain("log");
        File.Exists(_database.Path).Should().BeFalse("the data file that was about to be created is removed again");
    }

    [Fact]
    public void A_missing_folder_is_storage_unavailable_and_creates_nothing()
    {
        var path = Path.Combine(_database.Folder, "missing", "r.litedb");
        var act = () => LiteDbRegistryStoreFactory.Open(path).Dispose();
        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.StorageUnavailable);
        Directory.Exists(Path.GetDirectoryName(path)).Should().BeFalse();
    }

    [Fact]
    public async Task A_new_file_is_created_with_ordinal_collation_and_the_empty_log_is_removed_on_close()
    {
        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), Ct);
            store.Database.Collation.SortOptions.Should().Be(System.Globalization.CompareOptions.Ordinal);
        }

        File.Exists(_database.LogPath).Should().BeFalse();
        using var reopened = LiteDbRegistryStoreFactory.Open(_database.Path);
        (await reopened.FindModelAsync("M", Ct)).Should().NotBeNull();
    }

    [Fact]
    public async Task Two_stores_in_one_process_share_the_file_and_see_each_others_writes()
    {
        using var first = LiteDbRegistryStoreFactory.Open(_database.Path);
        using (var second = LiteDbRegistryStoreFactory.Open(Path.Combine(_database.Folder, ".", Path.GetFileName(_database.Path))))
        {
            await first.CommitAsync(Tx(new PutModel(Model("a"), 0)), Ct);
            await second.CommitAsync(Tx(new PutModel(Model("b"), 0)), Ct);
            (await second.FindModelAsync("a", Ct)).Should().NotBeNull();
            (await first.FindModelAsync("b", Ct)).Should().NotBeNull();
            (await first.GetChangeSequenceAsync(Ct)).Should().Be(2);
        }

        // Closing one holder keeps the file open for the other.
        await first.CommitAsync(Tx(new PutModel(Model("c"), 0)), Ct);
        (await VerifyChainAsync(first)).Should().Be(3);
    }

    [Fact]
    public void A_read_only_file_is_incompatible()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            // root ignores file permissions; the mapping is still covered by the error table.
            return;
        }

        LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();
        File.SetUnixFileMode(_database.Path, UnixFileMode.UserRead);
        try
        {
            OpenShouldFail(ErrorCode.StorageIncompatible);
        }
        finally
        {
            File.SetUnixFileMode(_database.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
