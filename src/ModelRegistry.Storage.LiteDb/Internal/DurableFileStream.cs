namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// A file stream the store owns and hands to LiteDB, instrumented so a commit can be made durable with one fsync.
/// </summary>
/// <remarks>
/// LiteDB 5 acknowledges a commit once its pages are queued; a background thread writes them to the log file and, in
/// its own file mode, fsyncs after every page it drains — about nine fsyncs per small commit, 40–70 ms on a virtual
/// disk. Here the log's <see cref="Flush"/> only hands buffered bytes to the OS; the store instead waits until the log
/// has been written up to the length LiteDB reports after the commit (<see cref="WaitUntilWritten"/>) and then fsyncs
/// once (<see cref="FlushToDisk"/>). The data file keeps fsync-on-flush, which LiteDB calls once per checkpoint.
/// Disposing the wrapper does not close the file: <see cref="LiteDbFile"/> closes it after LiteDB has finished.
/// </remarks>
internal sealed class DurableFileStream(FileStream inner, bool fsyncOnFlush) : Stream
{
    // Not 'this': LiteDB's ConcurrentStream locks on the stream object itself around every Position+Read/Write pair.
    private readonly object _written = new();
    private long _writtenEnd;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() => inner.Flush(flushToDisk: fsyncOnFlush);

    /// <summary>Forces everything written so far onto the disk.</summary>
    public void FlushToDisk() => inner.Flush(flushToDisk: true);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value)
    {
        inner.SetLength(value);
        lock (_written)
        {
            _writtenEnd = Math.Min(_writtenEnd, value);
        }
    }

    /// <summary>The error that stopped LiteDB's writer (a full disk, say), once one has.</summary>
    public Exception? WriteFailure { get; private set; }

    public override void Write(byte[] buffer, int offset, int count)
    {
        try
        {
            inner.Write(buffer, offset, count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // LiteDB's writer thread stops on this; wake a commit waiting for the log instead of letting it time out.
            lock (_written)
            {
                WriteFailure ??= ex;
                Monitor.PulseAll(_written);
            }

            throw;
        }

        var end = inner.Position;
        lock (_written)
        {
            if (end > _writtenEnd)
            {
                _writtenEnd = end;
                Monitor.PulseAll(_written);
            }
        }
    }

    /// <summary>Waits until bytes up to <paramref name="end"/> have been written; <see langword="false"/> on timeout or once a write has failed.</summary>
    public bool WaitUntilWritten(long end, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_written)
        {
            while (_writtenEnd < end && WriteFailure is null)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0 || !Monitor.Wait(_written, TimeSpan.FromMilliseconds(remaining)))
                {
                    return _writtenEnd >= end;
                }
            }

            return _writtenEnd >= end;
        }
    }

    protected override void Dispose(bool disposing)
    {
        // The FileStream is owned and closed by LiteDbFile.
    }
}
