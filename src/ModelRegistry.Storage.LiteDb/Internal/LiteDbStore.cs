using LiteDB;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// What the LiteDB registry and metric stores share: their hold on a <see cref="LiteDbFile"/>, disposal, the translation
/// of engine failures into typed errors, and one durable write transaction under the database's write lock.
/// </summary>
internal abstract class LiteDbStore : IDisposable
{
    private readonly string _kind;
    private int _disposed;

    /// <summary>Takes ownership of one reference to <paramref name="file"/>.</summary>
    private protected LiteDbStore(LiteDbFile file, ILogger logger, string kind)
    {
        File = file;
        Logger = logger;
        _kind = kind;
    }

    /// <summary>The shared database file.</summary>
    private protected LiteDbFile File { get; }

    /// <summary>Where failures are logged.</summary>
    private protected ILogger Logger { get; }

    /// <summary>The database; throws once this store is disposed.</summary>
    private protected LiteDatabase Db
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return File.Database;
        }
    }

    /// <summary>Releases this store's reference to the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            File.Dispose();
        }
    }

    /// <summary>Runs a storage operation, turning engine failures into the library's typed errors.</summary>
    private protected T Guarded<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (StorageErrors.Translate(ex, File.DisplayName) is { } mapped)
        {
            Logger.LogError(ex, "LiteDB {Kind} store {File} failed: {Code}", _kind, File.DisplayName, mapped.Code);
            throw mapped;
        }
    }

    /// <summary>
    /// One write transaction under the database's write lock, made durable before returning. Cancellation is honoured
    /// until the lock is held; from there the write runs to its end.
    /// </summary>
    private protected async ValueTask<T> WriteAsync<T>(Func<LiteDatabase, T> write, CancellationToken cancellationToken)
    {
        var db = Db;
        await File.WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Guarded(() =>
            {
                // Synchronous from BeginTrans to Commit: LiteDB binds the transaction to this thread.
                if (!db.BeginTrans())
                {
                    throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
                }

                var committed = false;
                T result;
                try
                {
                    result = write(db);
                    if (!db.Commit())
                    {
                        throw new InvalidOperationException("LiteDB did not commit the transaction.");
                    }

                    committed = true;
                }
                finally
                {
                    if (!committed)
                    {
                        db.Rollback();
                    }
                }

                File.WaitUntilDurable();
                return result;
            });
        }
        finally
        {
            File.WriteLock.Release();
        }
    }
}
