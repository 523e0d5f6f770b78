using LiteDB;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>Maps LiteDB and I/O failures to the library's typed errors; every message names the file.</summary>
internal static class StorageErrors
{
    /// <summary>The typed error for a failure, or <see langword="null"/> when it should propagate unchanged.</summary>
    public static ModelRegistryException? Translate(Exception ex, string file) => ex switch
    {
        // LiteDB closes its engine after a failed background write (a full disk): later calls hit its disposed locks.
        // The store's own ObjectDisposedException (used after Dispose) propagates unchanged.
        ObjectDisposedException disposed when disposed.ObjectName?.StartsWith("ModelRegistry.", StringComparison.Ordinal) != true =>
            new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' was closed after an earlier failure; dispose the registry and open it again.", innerException: ex),
        ModelRegistryException or OperationCanceledException or ObjectDisposedException or ArgumentException => null,
        LiteException { ErrorCode: LiteException.INDEX_DUPLICATE_KEY } =>
            new ModelRegistryException(ErrorCode.AlreadyExists, $"The LiteDB registry file '{file}' already holds a record with this key ({ex.Message}).", innerException: ex),
        LiteException { ErrorCode: LiteException.LOCK_TIMEOUT } =>
            new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' stayed locked too long ({ex.Message}); retry the call.", innerException: ex),
        LiteException { ErrorCode: LiteException.ENGINE_DISPOSED or LiteException.DATABASE_SHUTDOWN } =>
            new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' was closed after an earlier failure; dispose the registry and open it again.", innerException: ex),
        LiteException { ErrorCode: LiteException.INVALID_DATABASE or LiteException.INVALID_FREE_SPACE_PAGE } or LiteException { IsCritical: true } =>
            Corrupted(file, ex),
        IOException =>
            new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' could not be read or written ({ex.Message}); check the disk and retry.", innerException: ex),
        UnauthorizedAccessException =>
            new ModelRegistryException(ErrorCode.StorageIncompatible, $"The LiteDB registry file '{file}' is not writable ({ex.Message}).", innerException: ex),
        LiteException =>
            new ModelRegistryException(ErrorCode.StorageUnavailable, $"LiteDB failed on the registry file '{file}': {ex.Message}", innerException: ex),

        // LiteDB reports inconsistent pages with a plain Exception ("LiteDB ENSURE: ...") or cast/index errors.
        _ when ex.GetType() == typeof(Exception) || ex is InvalidCastException or IndexOutOfRangeException or NullReferenceException or InvalidOperationException or EndOfStreamException =>
            Corrupted(file, ex),
        _ => null,
    };

    private static ModelRegistryException Corrupted(string file, Exception ex)
        => new(ErrorCode.StorageCorrupted,
            $"The LiteDB registry file '{file}' is damaged ({ex.Message}); restore it from a backup.", "file:" + file, ex);
}
