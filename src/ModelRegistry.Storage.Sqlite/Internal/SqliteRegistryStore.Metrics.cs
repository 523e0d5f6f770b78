using Microsoft.Data.Sqlite;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// The hooks <see cref="SqliteMetricStore"/> uses: it shares this store's file, connections and in-process write queue,
/// but never its registry or audit statements.
/// </summary>
internal sealed partial class SqliteRegistryStore
{
    /// <summary>Whether the database lives in one in-memory connection (then every call takes turns on it).</summary>
    internal bool IsMemory => _memory;

    /// <summary>
    /// Runs <paramref name="body"/> in one <c>BEGIN IMMEDIATE</c> transaction on the writer connection: committed when it
    /// returns and the call was not cancelled by then (the last point at which nothing is written), rolled back otherwise.
    /// </summary>
    internal ValueTask<int> WriteMetricsTransactionAsync<TState>(TState state, Action<SqliteSession, TState> body, CancellationToken cancellationToken)
        => WriteMetricsAsync((state, body), static (s, work, ct) =>
        {
            s.Execute("BEGIN IMMEDIATE");
            try
            {
                work.body(s, work.state);
                ct.ThrowIfCancellationRequested();
                s.Execute("COMMIT");
                return 0;
            }
            catch
            {
                SqliteSchema.TryRollback(s.Connection);
                throw;
            }
        }, cancellationToken);

    /// <summary>Runs <paramref name="action"/> on the writer connection with the write queue held; engine errors are mapped.</summary>
    internal async ValueTask<T> WriteMetricsAsync<TState, T>(TState state, Func<SqliteSession, TState, CancellationToken, T> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var session = Writer();

            SqliteSchema.RollbackIfOpen(session.Connection);

            return action(session, state, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw MapAndLog(ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs a short read on a pooled connection (or the in-memory one); engine errors are mapped.</summary>
    internal ValueTask<T> ReadMetrics<TState, T>(TState state, Func<SqliteSession, TState, T> action, CancellationToken cancellationToken)
        => Read((state, action), static (_, s, a) => a.action(s, a.state), cancellationToken);

    /// <summary>Rents a read connection for a streamed read; give it back with <see cref="ReturnMetricSession"/>. File stores only.</summary>
    internal SqliteSession RentMetricSession()
    {
        ThrowIfDisposed();
        return Rent();
    }

    /// <summary>Gives back a connection rented with <see cref="RentMetricSession"/>.</summary>
    internal void ReturnMetricSession(SqliteSession session) => Return(session);

    /// <summary>Maps (and logs) an engine error met while streaming.</summary>
    internal ModelRegistryException MapMetricError(SqliteException ex) => MapAndLog(ex);
}
