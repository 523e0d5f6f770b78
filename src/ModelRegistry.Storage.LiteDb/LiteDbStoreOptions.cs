namespace ModelRegistry.Storage.LiteDb;

/// <summary>
/// Options of the LiteDB store, validated at start-up. Set either <see cref="ConnectionString"/> or <see cref="Filename"/>.
/// </summary>
/// <remarks>
/// The store opens its file exclusively: one process at a time (any number of threads, and any number of registries in
/// that process, share it). A second process that opens the same file gets a <see cref="ErrorCode.StorageUnavailable"/>
/// error instead of silently corrupting it, because LiteDB 5 cannot share a file between processes safely on every
/// platform. Use the SQLite store when several processes must write one registry.
/// </remarks>
public sealed class LiteDbStoreOptions
{
    /// <summary>
    /// A LiteDB connection string such as <c>Filename=registry.litedb</c>. Supported keys: <c>Filename</c> (required),
    /// <c>Connection=Direct</c> and <c>Initial Size</c>. <c>Connection=Shared</c>, <c>Password</c>, <c>ReadOnly</c>,
    /// <c>Upgrade</c>, <c>Auto-Rebuild</c> and <c>Collation</c> are refused, because they would break the store's
    /// guarantees (exclusive access, ordinal string comparison, no silent data repair).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The data file, as an alternative to <see cref="ConnectionString"/>; <c>:memory:</c> for a private in-memory database.</summary>
    public string? Filename { get; set; }

    /// <summary>
    /// Whether each commit is forced onto the disk (fsync) before <c>CommitAsync</c> returns (default
    /// <see langword="true"/>): an acknowledged change then survives a power loss. With <see langword="false"/> the store
    /// still waits until LiteDB has handed the commit to the operating system, so it survives a crash of the process but
    /// not of the machine; commits are several times faster on disks with slow fsync.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>
    /// How long opening waits for another process to release the file before failing with
    /// <see cref="ErrorCode.StorageUnavailable"/> (0 to 5 minutes; default zero: fail at once).
    /// </summary>
    public TimeSpan FileLockTimeout { get; set; } = TimeSpan.Zero;
}
