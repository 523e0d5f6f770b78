using ModelRegistry.Storage.Sqlite;
using ModelRegistry.Storage.Sqlite.Internal;

namespace ModelRegistry.Storage.Sqlite.Tests.Support;

/// <summary>A store file under the temp directory, deleted (with its WAL side files) on dispose.</summary>
public sealed class TempStoreFile : IDisposable
{
    private readonly List<IDisposable> _stores = [];

    public TempStoreFile()
    {
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, $"registry-{Guid.NewGuid():N}.db");
    }

    public static string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mr-sqlite-tests");

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    internal SqliteRegistryStore Open(Action<SqliteStoreOptions>? configure = null)
    {
        var options = new SqliteStoreOptions { ConnectionString = ConnectionString, Durability = SqliteDurability.Normal };
        configure?.Invoke(options);
        var store = SqliteRegistryStore.Open(options);
        _stores.Add(store);
        return store;
    }

    internal SqliteRegistryStore Open(IReadOnlyList<SqliteMigration> migrations)
    {
        var store = SqliteRegistryStore.Open(new SqliteStoreOptions { ConnectionString = ConnectionString, Durability = SqliteDurability.Normal }, migrations, null);
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        foreach (var suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
            }
        }

        foreach (var stray in Directory.EnumerateFiles(Folder, System.IO.Path.GetFileName(Path) + ".*.tmp*"))
        {
            File.Delete(stray);
        }
    }
}
