using Microsoft.Data.Sqlite;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>
/// The change sequence answers from the file's wal-index header while nothing is committed, and asks SQLite as soon as
/// anything is — from this store, another store on the file, or a connection that is not a registry at all.
/// </summary>
public sealed class SqliteChangeSequenceTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task An_unchanged_file_is_answered_without_asking_sqlite_again()
    {
        using var store = _file.Open();
        await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
        var reads = store.SequenceReads;

        for (var i = 0; i < 5; i++)
        {
            (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
        }

        store.SequenceReads.Should().Be(reads);
    }

    [Fact]
    public async Task The_stores_own_commit_is_seen_by_the_next_call()
    {
        using var store = _file.Open();
        (await store.GetChangeSequenceAsync(_ct)).Should().Be(0);

        await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);

        (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
    }

    [Fact]
    public async Task A_commit_by_another_store_on_the_file_is_seen_by_the_next_call()
    {
        using var a = _file.Open();
        using var b = _file.Open();
        (await a.GetChangeSequenceAsync(_ct)).Should().Be(0);
        var reads = a.SequenceReads;

        await b.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);

        (await a.GetChangeSequenceAsync(_ct)).Should().Be(1);
        a.SequenceReads.Should().Be(reads + 1);
    }

    [Fact]
    public async Task A_commit_by_a_foreign_connection_makes_the_store_ask_sqlite_and_the_answer_is_unchanged()
    {
        using var store = _file.Open();
        await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
        var reads = store.SequenceReads;

        using (var foreign = new SqliteConnection(_file.ConnectionString + ";Pooling=False"))
        {
            foreign.Open();
            using var command = foreign.CreateCommand();
            command.CommandText = "CREATE TABLE not_ours(x); INSERT INTO not_ours VALUES (1);";
            command.ExecuteNonQuery();
        }

        (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
        store.SequenceReads.Should().Be(reads + 1);
    }

    [Fact]
    public async Task Interleaved_commits_by_another_store_are_each_seen_by_the_next_call()
    {
        using var a = _file.Open();
        using var b = _file.Open();
        var random = new Random(20261123);
        long expected = 0;
        for (var i = 0; i < 60; i++)
        {
            if (random.Next(3) > 0)
            {
                var writer = random.Next(2) == 0 ? a : b;
                await writer.CommitAsync(Tx(new PutModel(Model($"m{i}"), 0)), _ct);
                expected++;
            }

            (await a.GetChangeSequenceAsync(_ct)).Should().Be(expected, "after step {0}", i);
            (await b.GetChangeSequenceAsync(_ct)).Should().Be(expected, "after step {0}", i);
        }
    }

    [Fact]
    public async Task A_read_only_store_asks_sqlite_every_time()
    {
        using (var writer = _file.Open())
        {
            await writer.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        }

        using var readOnly = _file.Open(o => o.ConnectionString = _file.ConnectionString + ";Mode=ReadOnly");
        (await readOnly.GetChangeSequenceAsync(_ct)).Should().Be(1);
        (await readOnly.GetChangeSequenceAsync(_ct)).Should().Be(1);

        readOnly.SequenceReads.Should().Be(2);
    }

    [Fact]
    public async Task A_disposed_store_refuses_the_call()
    {
        var store = _file.Open();
        (await store.GetChangeSequenceAsync(_ct)).Should().Be(0);
        store.Dispose();

        var call = async () => await store.GetChangeSequenceAsync(_ct);

        await call.Should().ThrowAsync<ObjectDisposedException>();
    }
}
