using ModelRegistry.Storage.LiteDb.Internal;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>How engine failures are translated (regressions found by the reliability suite's disk-full test).</summary>
public sealed class StorageErrorsTests
{
    [Fact]
    public void LiteDB_engine_closed_after_a_failed_write_is_a_typed_unavailable_error_naming_the_file()
    {
        var closedEngine = new ObjectDisposedException("System.Threading.ReaderWriterLockSlim");

        var mapped = StorageErrors.Translate(closedEngine, "/data/registry.litedb");

        mapped.Should().NotBeNull();
        mapped!.Code.Should().Be(ErrorCode.StorageUnavailable);
        mapped.Message.Should().Contain("/data/registry.litedb").And.Contain("open it again");
    }

    [Fact]
    public void Using_a_disposed_store_still_reports_the_disposal_unchanged()
        => StorageErrors.Translate(new ObjectDisposedException(typeof(LiteDbRegistryStore).FullName), "/data/registry.litedb").Should().BeNull();

    [Fact]
    public void A_failed_log_write_wakes_a_commit_waiting_for_it_instead_of_letting_it_time_out()
    {
        var failing = new FailingStream();
        using var durable = new DurableFileStream(failing, fsyncOnFlush: false);

        var write = () => durable.Write(new byte[10], 0, 10);

        write.Should().Throw<IOException>();
        durable.WaitUntilWritten(10, TimeSpan.FromMinutes(10)).Should().BeFalse("the write failed; waiting longer cannot help");
        durable.WriteFailure.Should().BeOfType<IOException>();
    }

    private sealed class FailingStream() : FileStream(System.IO.Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose)
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    }
}
