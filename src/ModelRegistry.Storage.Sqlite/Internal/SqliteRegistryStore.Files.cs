using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>Opening files: refusing what is not a registry store, and creating new stores atomically.</summary>
internal sealed partial class SqliteRegistryStore
{
    private static void CheckHeader(string file)
    {
        Span<byte> header = stackalloc byte[100];
        long length;
        int read;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' cannot be read ({ex.Message}). Check that the process may read and write it.",
                innerException: ex);
        }

        // New stores are built under a temporary name and moved into place complete, so a zero-length file is never
        // one being created by another process: it is damage (or a stray empty file), and is refused.
        if (length == 0)
        {
            throw SqliteErrors.Corrupted(file, "the file is empty (0 bytes)");
        }

        if (read < 16 || !header[..16].SequenceEqual("SQLite format 3\0"u8))
        {
            throw SqliteErrors.Corrupted(file, "the file does not start with the SQLite header, so it is another format (for example a LiteDB file) or damaged");
        }

        CheckLength(file, header[..read], length);
    }

    /// <summary>
    /// Refuses a file cut short. SQLite reads missing pages as zeros and would answer from a truncated file with
    /// altered records; the header says how long the file must be. Only without a write-ahead log: while one holds
    /// frames the main file may legitimately be shorter (a checkpoint was interrupted), and SQLite recovers it.
    /// </summary>
    private static void CheckLength(string file, ReadOnlySpan<byte> header, long length)
    {
        var wal = new FileInfo(file + "-wal");
        if (header.Length < 100 || (wal.Exists && wal.Length > 0))
        {
            return;
        }

        var pageSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(header[16..]) is var raw && raw == 1 ? 65_536 : raw;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            throw SqliteErrors.Corrupted(file, $"the header names an impossible page size ({pageSize})");
        }

        if (length % pageSize != 0)
        {
            throw SqliteErrors.Corrupted(file, $"its length ({length} bytes) is not a whole number of {pageSize}-byte pages, so it was truncated or damaged");
        }

        // The page count in the header is valid only when the change counter matches version-valid-for (file format spec 1.3.7).
        var pages = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var counterMatches = header.Slice(24, 4).SequenceEqual(header.Slice(92, 4));
        if (counterMatches && pages > 0 && (long)pages * pageSize > length)
        {
            throw SqliteErrors.Corrupted(file, $"the header says it holds {pages} pages but the file has only {length / pageSize}, so it was truncated");
        }
    }

    /// <summary>
    /// Builds a new store under a temporary name in the same directory and moves it into place without overwriting, so
    /// two processes creating the same store at once end up sharing one complete file and neither ever opens a half-built one.
    /// </summary>
    private static void CreateNew(string file, SqliteConnectionStringBuilder template, IReadOnlyList<SqliteMigration> migrations, TimeSpan busy, ILogger logger)
    {
        var temp = $"{file}.{Guid.NewGuid():N}.tmp";
        var builder = new SqliteConnectionStringBuilder(template.ConnectionString)
        {
            DataSource = temp,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        try
        {
            using (var connection = new SqliteConnection(builder.ConnectionString))
            {
                connection.Open();
                SqliteSchema.Execute(connection, "PRAGMA journal_mode = WAL");
                SqliteSchema.Migrate(connection, file, migrations, readOnly: false);
            }

            try
            {
                System.IO.File.Move(temp, file, overwrite: false);
                LogCreated(logger, file);
            }
            catch (IOException) when (System.IO.File.Exists(file))
            {
                // Another process created the store first; use theirs.
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Map(ex, file, busy);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' cannot be created ({ex.Message}). Check that the directory exists and that the process may write to it.",
                innerException: ex);
        }
        finally
        {
            foreach (var leftover in (ReadOnlySpan<string>)[temp, temp + "-wal", temp + "-shm", temp + "-journal"])
            {
                try
                {
                    System.IO.File.Delete(leftover);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: a stray temporary file is harmless.
                }
            }
        }
    }
}
