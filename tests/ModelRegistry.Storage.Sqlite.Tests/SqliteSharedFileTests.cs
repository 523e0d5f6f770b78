using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>Two stores on one file, as two processes would have: shared state, no lost update, one audit chain.</summary>
public sealed class SqliteSharedFileTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Each_store_sees_the_others_writes_immediately()
    {
        using var a = _file.Open();
        using var b = _file.Open();

        await a.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        (await b.FindModelAsync("m", _ct)).ShouldRoundTrip(Model("m"));

        await b.CommitAsync(Tx(new PutVersion(Version("m", "1.0.0"), 0)), _ct);
        (await a.ListVersionsAsync("m", _ct)).Should().ContainSingle();
        (await a.GetChangeSequenceAsync(_ct)).Should().Be(2);
        (await StoreSearch.Versions(a, F.Eq(F.Tag("team"), "risk"))).Should().ContainSingle();
    }

    [Fact]
    public async Task The_loser_of_a_race_on_one_revision_gets_a_conflict_and_the_winner_is_kept()
    {
        using var a = _file.Open();
        using var b = _file.Open();
        await a.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);

        // Both read revision 1, then both write.
        var readByA = await a.FindModelAsync("m", _ct);
        var readByB = await b.FindModelAsync("m", _ct);
        await a.CommitAsync(Tx(new PutModel(readByA! with { Description = "by a", Revision = 2 }, readByA.Revision)), _ct);
        var lost = async () => await b.CommitAsync(Tx(new PutModel(readByB! with { Description = "by b", Revision = 2 }, readByB.Revision)), _ct);

        (await lost.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        (await b.FindModelAsync("m", _ct))!.Description.Should().Be("by a");
        (await b.GetChangeSequenceAsync(_ct)).Should().Be(2);
    }

    [Fact]
    public async Task Both_stores_registering_the_same_name_at_once_yield_one_model_and_one_already_exists()
    {
        using var a = _file.Open();
        using var b = _file.Open();

        var results = await Task.WhenAll(
            Attempt(() => a.CommitAsync(Tx(new PutModel(Model("Same") with { Description = "a" }, 0)), _ct).AsTask()),
            Attempt(() => b.CommitAsync(Tx(new PutModel(Model("SAME") with { Description = "b" }, 0)), _ct).AsTask()));

        results.Should().BeEquivalentTo(new ErrorCode?[] { null, ErrorCode.AlreadyExists });
        (await StoreSearch.Models(a, null)).Should().ContainSingle();
        (await a.GetChangeSequenceAsync(_ct)).Should().Be(1);
    }

    [Fact]
    public async Task Interleaved_writers_on_two_stores_keep_every_acknowledged_write_and_one_linear_chain()
    {
        using var a = _file.Open();
        using var b = _file.Open();
        await a.CommitAsync(Tx(new PutModel(Model("shared"), 0)), _ct);

        async Task<int> Writer(IRegistryStore store, string who)
        {
            var acknowledged = 0;
            for (var i = 0; i < 25; i++)
            {
                // Read-modify-write of one shared model, retried on conflict as Core does.
                while (true)
                {
                    var current = (await store.FindModelAsync("shared", _ct))!;
                    var tags = new Dictionary<string, string>(current.Tags, StringComparer.Ordinal) { [$"{who}-{i}"] = "x" };
                    try
                    {
                        await store.CommitAsync(Tx(new PutModel(current with { Tags = tags, Revision = current.Revision + 1 }, current.Revision)), _ct);
                        acknowledged++;
                        break;
                    }
                    catch (ModelRegistryException ex) when (ex.Code == ErrorCode.ConcurrencyConflict)
                    {
                    }
                }
            }

            return acknowledged;
        }

        var counts = await Task.WhenAll(Task.Run(() => Writer(a, "a")), Task.Run(() => Writer(b, "b")));

        counts.Should().Equal(25, 25);
        var shared = (await b.FindModelAsync("shared", _ct))!;
        shared.Tags.Keys.Where(k => k != "team" && k != "tier").Should().HaveCount(50);
        shared.Revision.Should().Be(51);
        var trail = await a.QueryAuditAsync(new AuditQuery(), 0, 1000, _ct);
        trail.Should().HaveCount(51);
        var previous = AuditChain.GenesisHash;
        for (var i = 0; i < trail.Count; i++)
        {
            AuditChain.Check(trail[i], i + 1, previous).Should().BeNull();
            previous = trail[i].Hash;
        }
    }

    private static async Task<ErrorCode?> Attempt(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (ModelRegistryException ex)
        {
            return ex.Code;
        }
    }
}
