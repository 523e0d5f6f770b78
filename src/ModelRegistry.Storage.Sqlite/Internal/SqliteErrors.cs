using Microsoft.Data.Sqlite;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>Maps engine errors to the library's typed errors, naming the file so an operator knows which one.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static ModelRegistryException Map(SqliteException ex, string file, TimeSpan busyTimeout)
    {
        var engine = ex.Message;
        return (ex.SqliteErrorCode & 0xFF) switch
        {
            Busy or Locked => new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' stayed locked by another connection or process for longer than the busy timeout ({busyTimeout.TotalMilliseconds:0} ms). " +
                "Nothing was changed; retry the call, or raise SqliteStoreOptions.BusyTimeout if writes are long.",
                innerException: ex),
            ReadOnly => new ModelRegistryException(
                ErrorCode.StorageIncompatible,
                $"The registry store '{file}' is read-only (file or directory permissions, a read-only file system, or Mode=ReadOnly in the connection string), so it cannot be written. " +
                "Nothing was changed; open the file with write access.",
                innerException: ex),
            Corrupt or NotADatabase => Corrupted(file, $"SQLite reports: {engine}", ex),
            Full => new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The disk holding the registry store '{file}' is full. Nothing was changed; free space and retry.",
                innerException: ex),
            CantOpen => new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The registry store '{file}' cannot be opened ({engine}). Check that the directory exists and that the process may read and write it.",
                innerException: ex),
            IoError => new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"An I/O error occurred on the registry store '{file}' ({engine}). Nothing was acknowledged; check the disk and retry.",
                innerException: ex),
            _ => new ModelRegistryException(
                ErrorCode.StorageUnavailable,
                $"The SQLite engine failed on the registry store '{file}' (error {ex.SqliteErrorCode}: {engine}).",
                innerException: ex),
        };
    }

    public static ModelRegistryException Corrupted(string file, string detail, Exception? inner = null)
        => new(
            ErrorCode.StorageCorrupted,
            $"The registry store '{file}' is damaged or is not a ModelRegistry SQLite store: {detail}. " +
            "It was not modified and no empty registry was created in its place; restore it from a backup or point the connection string at another file.",
            innerException: inner);
}
