using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Storage.Sqlite.Tests.Conformance;

/// <summary>
/// A fresh SQLite file per test. Every registry instance a test creates gets its own store on that file, so tests
/// that use two instances exercise two stores sharing one file, as two processes would.
/// </summary>
public sealed class SqliteStoreFixture : IStoreFixture
{
    private readonly Support.TempStoreFile _file = new();

    /// <summary>Every instance opens the same file, so instances share their data.</summary>
    public bool SupportsSharedInstances => true;

    public void Configure(IModelRegistryBuilder builder)
        => builder.UseSqlite(o =>
        {
            o.ConnectionString = _file.ConnectionString;

            // Durability does not change behaviour; Normal keeps the suite fast on slow disks.
            o.Durability = SqliteDurability.Normal;
        });

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
