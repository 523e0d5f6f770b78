using ModelRegistry.Registry;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.Damaged;

/// <summary>
/// Damaged files and hostile environments the adapter test projects do not already cover (zero-length, garbage,
/// foreign-format headers and busy commits are in SqliteStoreFileTests / LiteDbFileTests): truncated stores, a real
/// store of the other backend, read-only file systems, a file locked by another process, a full disk. Every case ends
/// in a typed error naming the file, and nothing is half written.
/// </summary>
public sealed class DamagedEnvironmentTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new("mr-damaged");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<Backend, string> Truncations => new()
    {
        { Backend.Sqlite, "half" }, { Backend.Sqlite, "one-page" }, { Backend.Sqlite, "last-byte" },
        { Backend.LiteDb, "half" }, { Backend.LiteDb, "one-page" }, { Backend.LiteDb, "last-byte" },
    };

    [Theory]
    [MemberData(nameof(Truncations))]
    public async Task A_truncated_store_is_reported_corrupted_naming_the_file_and_left_as_it_is(Backend backend, string cut)
    {
        var file = _folder.File(Stores.FileName(backend));
        await PopulateAsync(backend, file, models: 40);
        var bytes = await File.ReadAllBytesAsync(file);
        var length = cut switch
        {
            "half" => bytes.Length / 2,
            "one-page" => backend == Backend.LiteDb ? 8192 + 100 : 4096 + 100,
            _ => bytes.Length - 1,
        };
        await File.WriteAllBytesAsync(file, bytes[..length]);
        var damaged = await File.ReadAllBytesAsync(file);

        var error = await ReadEverythingShouldFailAsync(backend, file);
        error.Code.Should().Be(ErrorCode.StorageCorrupted, error.Message);
        error.Message.Should().Contain(file);
        (await File.ReadAllBytesAsync(file)).Should().Equal(damaged, "a damaged file is never repaired, initialised or truncated behind the user's back");
    }

    [Theory]
    [InlineData(Backend.Sqlite, Backend.LiteDb)]
    [InlineData(Backend.LiteDb, Backend.Sqlite)]
    public async Task A_real_store_of_the_other_backend_is_refused_as_corrupted_and_left_as_it_is(Backend writtenBy, Backend openedWith)
    {
        var file = _folder.File("registry.store");
        await PopulateAsync(writtenBy, file, models: 3);
        var before = await File.ReadAllBytesAsync(file);

        var error = await ReadEverythingShouldFailAsync(openedWith, file);
        error.Code.Should().Be(ErrorCode.StorageCorrupted, error.Message);
        error.Message.Should().Contain(file);
        (await File.ReadAllBytesAsync(file)).Should().Equal(before);
        await ShouldHoldModelsAsync(writtenBy, file, 3);
    }

    [MountTheory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.LiteDb)]
    public async Task On_a_read_only_file_system_writes_are_refused_with_a_typed_error_and_nothing_changes(Backend backend)
    {
        using var mount = ScratchMount.Create(sizeKb: 8192);
        mount.Available.Should().BeTrue("the scratch file system mounted for the probe");

        var file = mount.File(Stores.FileName(backend));
        await PopulateAsync(backend, file, models: 3);
        var before = await File.ReadAllBytesAsync(file);
        mount.SetReadOnly(true);

        var error = await RegisteringShouldFailAsync(() => Stores.Open(backend, file));
        error.Code.Should().BeOneOf(ErrorCode.StorageIncompatible, ErrorCode.StorageUnavailable);
        error.Message.Should().Contain(file);
        output.WriteLine($"{backend}: {error.Code}: {error.Message}");

        // A new store in the read-only directory is refused too, and nothing is created there.
        var fresh = mount.File("fresh-" + Stores.FileName(backend));
        (await RegisteringShouldFailAsync(() => Stores.Open(backend, fresh))).Message.Should().Contain(fresh);
        File.Exists(fresh).Should().BeFalse();

        mount.SetReadOnly(false);
        (await File.ReadAllBytesAsync(file)).Should().Equal(before);
        await ShouldHoldModelsAsync(backend, file, 3);
    }

    [Fact]
    public async Task A_SQLite_file_locked_by_another_process_beyond_the_busy_timeout_gives_a_typed_error_and_nothing_is_written()
    {
        // (LiteDB: LiteDb.Tests/MultiProcessTests covers a file held by another process.)
        var file = _folder.File("locked.db");
        await PopulateAsync(Backend.Sqlite, file, models: 3);

        using (var holder = ChildEntry.Start("sqlite-lock", file))
        {
            (await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2))).Should().Be("locked");
            var error = await RegisteringShouldFailAsync(() => ModelRegistryServices.Create(b => b.UseSqlite(o =>
            {
                o.ConnectionString = $"Data Source={file}";
                o.BusyTimeout = TimeSpan.FromMilliseconds(300);
            })));
            error.Code.Should().Be(ErrorCode.StorageUnavailable, error.Message);
            error.Message.Should().Contain(file);
            holder.StandardInput.Close();
            await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            holder.ExitCode.Should().Be(0);
        }

        await ShouldHoldModelsAsync(Backend.Sqlite, file, 3);
    }

    [MountTheory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.LiteDb)]
    public async Task When_the_disk_fills_up_the_failing_write_is_a_typed_error_and_every_acknowledged_write_is_intact(Backend backend)
    {
        using var mount = ScratchMount.Create(sizeKb: 1024);
        mount.Available.Should().BeTrue("the scratch file system mounted for the probe");

        var file = mount.File(Stores.FileName(backend));
        var ballast = mount.File("ballast");
        await File.WriteAllBytesAsync(ballast, new byte[256 * 1024]);
        var acknowledged = 0;
        ModelRegistryException? error = null;
        await using (var services = Stores.Open(backend, file))
        {
            for (var i = 0; i < 10_000 && error is null; i++)
            {
                try
                {
                    await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = $"m{i}", Owners = ["team"], Description = new string('d', 9_000) });
                    acknowledged++;
                }
                catch (ModelRegistryException ex)
                {
                    error = ex;
                }
            }

            error.Should().NotBeNull("a 1 MB file system fills up");
            output.WriteLine($"{backend}: full after {acknowledged} models: {error!.Code}: {error.Message}");
            error.Code.Should().Be(ErrorCode.StorageUnavailable, error.Message);
            error.Message.Should().Contain(file);

            // The same instance answers without the failed write, or (LiteDB closes its engine after a failed
            // background write) with the typed error.
            try
            {
                (await services.Registry.GetStatisticsAsync()).ModelCount.Should().Be(acknowledged);
            }
            catch (ModelRegistryException later)
            {
                later.Code.Should().Be(ErrorCode.StorageUnavailable, later.Message);
            }
        }

        // Space freed and reopened: every acknowledged write, nothing of the failed one, a valid chain, a sound file.
        File.Delete(ballast);
        await using (var reopened = Stores.Open(backend, file))
        {
            (await reopened.Registry.GetStatisticsAsync()).ModelCount.Should().Be(acknowledged);
            var verification = await reopened.AuditTrail.VerifyAsync();
            verification.IsValid.Should().BeTrue(verification.Problem);
            verification.RecordsChecked.Should().Be(acknowledged);
            await reopened.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "after", Owners = ["team"] });
        }

        Stores.CheckEngineIntegrity(backend, file);

        // LiteDB left the transaction that was committing when its writer failed active; if its engine were collected,
        // that transaction's finalizer would throw on the finalizer thread and end the whole process (regression).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }


    /// <summary>Opens a registry and registers a model; both together must fail with the typed error.</summary>
    private static async Task<ModelRegistryException> RegisteringShouldFailAsync(Func<ModelRegistryServices> open)
    {
        var write = async () =>
        {
            await using var services = open();
            await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "late", Owners = ["team"] });
        };
        return (await write.Should().ThrowAsync<ModelRegistryException>()).Which;
    }

    private static async Task PopulateAsync(Backend backend, string file, int models)
    {
        await using var services = Stores.Open(backend, file);
        for (var i = 0; i < models; i++)
        {
            await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = $"model-{i:D3}", Owners = ["team"], Description = new string('x', 1500) });
            await services.Registry.CreateVersionAsync($"model-{i:D3}", new CreateVersionRequest { SourceCommit = $"c{i}" });
        }
    }

    private static async Task ShouldHoldModelsAsync(Backend backend, string file, int count)
    {
        await using var services = Stores.Open(backend, file);
        (await services.Registry.GetStatisticsAsync()).ModelCount.Should().Be(count);
        var verification = await services.AuditTrail.VerifyAsync();
        verification.IsValid.Should().BeTrue(verification.Problem);
    }

    /// <summary>Opens the store and reads all of it (models, versions, the whole audit trail, metrics path).</summary>
    private static async Task<ModelRegistryException> ReadEverythingShouldFailAsync(Backend backend, string file)
    {
        var read = async () =>
        {
            await using var services = Stores.Open(backend, file);
            string? token = null;
            do
            {
                var page = await services.Registry.SearchModelsAsync(new SearchRequest { PageSize = 1000, ContinuationToken = token });
                foreach (var model in page.Items)
                {
                    await services.Registry.ListVersionsAsync(model.Name);
                }

                token = page.ContinuationToken;
            }
            while (token is not null);

            await services.Registry.SearchVersionsAsync(new SearchRequest { PageSize = 1000 });
            var verification = await services.AuditTrail.VerifyAsync();
            verification.IsValid.Should().BeTrue("if a damaged file is read at all, what is read must verify: {0}", verification.Problem);
        };

        var thrown = await read.Should().ThrowAsync<Exception>();
        thrown.Which.Should().BeAssignableTo<ModelRegistryException>("a damaged file gives the typed error, not {0}: {1}", thrown.Which.GetType().Name, thrown.Which.Message);
        return (ModelRegistryException)thrown.Which;
    }
}
