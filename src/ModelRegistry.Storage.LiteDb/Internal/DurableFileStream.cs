namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// Wraps a <see cref="FileStream"/> the store owns so that LiteDB's flushes reach the disk. LiteDB wraps a caller's
/// stream in its own concurrent stream, whose <c>Flush()</c> would only empty .NET's buffer; here every flush is an
/// fsync. Disposing the wrapper does not close the file: the store closes it after LiteDB has finished with it.
/// </summary>
internal sealed class DurableFileStream(FileStream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() => inner.Flush(flushToDisk: true);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        // The FileStream is owned and closed by LiteDbFile.
    }
}
