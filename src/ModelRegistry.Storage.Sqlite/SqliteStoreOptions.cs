namespace ModelRegistry.Storage.Sqlite;

/// <summary>Options of the SQLite store, validated at start-up.</summary>
/// <remarks>
/// Several processes may share one file: the store uses WAL journaling, takes the write lock at the start of every
/// mutation (<c>BEGIN IMMEDIATE</c>) and checks revisions in SQL, so a stale write fails with
/// <see cref="ErrorCode.ConcurrencyConflict"/> instead of overwriting another process's change.
/// </remarks>
public sealed class SqliteStoreOptions
{
    /// <summary>The SQLite connection string, for example <c>Data Source=registry.db</c>. A new file is created and initialised when the path does not exist.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>How durable an acknowledged write is (default <see cref="SqliteDurability.Full"/>).</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>
    /// How long a call waits for another process that holds the database lock before it fails with
    /// <see cref="ErrorCode.StorageUnavailable"/> (10 ms–10 min; default 5 s). Microsoft.Data.Sqlite retries in whole
    /// seconds on top of SQLite's own wait, so values below one second wait about one second.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>How durable an acknowledged write is.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// Every commit is flushed to stable storage before it is acknowledged (<c>synchronous=FULL</c>), so an acknowledged
    /// governance write survives a power loss. The default.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Commits survive a crash of the process but the most recent ones may be lost on power loss or an operating-system
    /// crash (<c>synchronous=NORMAL</c>); faster for write-heavy hosts that can afford that.
    /// </summary>
    Normal = 1,
}
