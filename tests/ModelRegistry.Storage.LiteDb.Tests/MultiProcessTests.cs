using LiteDB;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>
/// A LiteDB registry file is used by one process at a time. A second process — this library, or LiteDB itself in
/// Direct or Shared mode — is refused instead of being allowed to lose writes (upstream #2163).
/// </summary>
public sealed class MultiProcessTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task While_another_process_holds_the_file_opening_it_is_refused_and_afterwards_its_writes_are_there()
    {
        using var child = ChildProcess.Start("hold", _database.Path);
        (await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2))).Should().Be("ready");

        var act = () => LiteDbRegistryStoreFactory.Open(_database.Path).Dispose();
        var refused = act.Should().Throw<ModelRegistryException>().Which;
        refused.Code.Should().Be(ErrorCode.StorageUnavailable);
        refused.Message.Should().Contain(_database.Path).And.Contain("another process");

        child.StandardInput.Close();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        child.ExitCode.Should().Be(0);

        using var store = LiteDbRegistryStoreFactory.Open(_database.Path);
        (await store.FindModelAsync("child", Ct)).Should().NotBeNull();
        (await VerifyChainAsync(store)).Should().Be(1);
    }

    [Fact]
    public async Task While_this_process_holds_the_file_other_processes_are_refused_and_write_nothing()
    {
        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            await store.CommitAsync(Tx(new PutModel(Model("parent"), 0)), Ct);

            var ours = await ChildProcess.RunAsync("open", _database.Path);
            ours.ExitCode.Should().Be(3, ours.Output);
            ours.Output.Should().Contain("error StorageUnavailable");

            // LiteDB itself, in either connection mode, cannot open the file behind the store's back.
            foreach (var mode in new[] { "raw-direct", "raw-shared" })
            {
                var raw = await ChildProcess.RunAsync(mode, _database.Path);
                raw.Output.Should().NotContain("wrote", mode);
                raw.ExitCode.Should().NotBe(0, raw.Output);
            }

            await store.CommitAsync(Tx(new PutModel(Model("parent2"), 0)), Ct);
        }

        using (var raw = new LiteDatabase(_database.Path))
        {
            raw.GetCollectionNames().Should().NotContain("intruder");
        }

        using var reopened = LiteDbRegistryStoreFactory.Open(_database.Path);
        (await reopened.QueryModelsAsync(All(), Ct)).Select(m => m.Name).Should().Equal("parent", "parent2");
        (await VerifyChainAsync(reopened)).Should().Be(2);
    }

    [Fact]
    public async Task With_a_lock_timeout_opening_waits_for_the_other_process_to_close_the_file()
    {
        using var child = ChildProcess.Start("hold", _database.Path);
        (await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2))).Should().Be("ready");

        var opening = Task.Run(() => LiteDbRegistryStoreFactory.Open(new LiteDbStoreOptions { Filename = _database.Path, FileLockTimeout = TimeSpan.FromMinutes(2) }));
        child.StandardInput.Close();
        using var store = await opening.WaitAsync(TimeSpan.FromMinutes(3));
        (await store.FindModelAsync("child", Ct)).Should().NotBeNull();
        await child.WaitForExitAsync();
    }
}
