using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// Tells, without a system call, whether anything was committed to a WAL-mode SQLite file since a given moment, by
/// reading the header of its wal-index (the <c>-shm</c> file every connection to the file maps). SQLite rewrites that
/// header on every commit, from any connection in any process (<c>iChange</c> counts transactions; the frame count,
/// salts and checksum change with it), so an unchanged header means nothing was committed in between.
/// </summary>
/// <remarks>
/// <para>
/// Why: every lineage query asks the store for its change sequence first, and a SQL read starts a read transaction,
/// which takes and releases a lock on the wal-index with <c>fcntl</c>. On machines with page-table isolation each
/// system call flushes the TLB, and the traversal that follows paid for it (a 50 µs walk took 100 µs). With the watch,
/// a query on an unchanged file touches only mapped memory.
/// </para>
/// <para>
/// The header's layout is part of SQLite's documented file format (https://sqlite.org/walformat.html, "wal-index
/// header", stable since 3.7.0): two copies of a 48-byte header at offsets 0 and 48, <c>iVersion</c> = 3007000 and
/// <c>isInit</c> at byte 12. A writer updates the second copy, then (after a barrier) the first; a reader that finds
/// the two equal read a consistent header — the same check SQLite's own readers make. Anything unexpected (another
/// version, an uninitialised or torn header, no <c>-shm</c> file) answers "unknown", and the caller asks SQL.
/// </para>
/// <para>
/// The file must stay the one SQLite uses: a connection in WAL mode holds a shared lock on the database for as long
/// as it is open, and SQLite deletes the <c>-shm</c> file only from a connection that gets an exclusive lock, so the
/// store's writer connection (open for the store's lifetime) keeps it in place.
/// </para>
/// </remarks>
internal sealed class SqliteWalWatch : IDisposable
{
    private const int HeaderBytes = 48;
    private const uint WalIndexFormat = 3007000;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    private SqliteWalWatch(MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        _map = map;
        _view = view;
    }

    /// <summary>Maps the wal-index of <paramref name="databaseFile"/> read-only, or returns <see langword="null"/> when it cannot.</summary>
    public static SqliteWalWatch? TryOpen(string databaseFile)
    {
        FileStream? stream = null;
        MemoryMappedFile? map = null;
        try
        {
            stream = new FileStream(databaseFile + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < 2 * HeaderBytes)
            {
                stream.Dispose();
                return null;
            }

            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var watch = new SqliteWalWatch(map, map.CreateViewAccessor(0, 2 * HeaderBytes, MemoryMappedFileAccess.Read));
            return watch.TryRead(out _) ? watch : Discard(watch);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            if (map is not null)
            {
                map.Dispose();
            }
            else
            {
                stream?.Dispose();
            }

            return null;
        }
    }

    /// <summary>Reads the header; <see langword="false"/> when it is being written, uninitialised or of an unknown format.</summary>
    public bool TryRead(out WalStamp stamp)
    {
        _view.Read(0, out stamp);
        Interlocked.MemoryBarrier();
        _view.Read(HeaderBytes, out WalStamp second);
        return stamp == second && stamp.Format == WalIndexFormat && stamp.IsInitialised;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
    }

    private static SqliteWalWatch? Discard(SqliteWalWatch watch)
    {
        watch.Dispose();
        return null;
    }
}

/// <summary>One copy of the wal-index header, compared as a whole (48 bytes, native byte order as SQLite writes it).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct WalStamp(ulong A, ulong B, ulong C, ulong D, ulong E, ulong F)
{
    /// <summary><c>iVersion</c>, the first four bytes.</summary>
    public uint Format => BitConverter.IsLittleEndian ? (uint)A : (uint)(A >> 32);

    /// <summary><c>isInit</c>, byte 12.</summary>
    public bool IsInitialised => (BitConverter.IsLittleEndian ? (byte)(B >> 32) : (byte)(B >> 24)) != 0;
}
