using LiteDB;
using Microsoft.Data.Sqlite;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>The storage backends the reliability suite runs on.</summary>
public enum Backend
{
    InMemory,
    Sqlite,
    LiteDb,
}

/// <summary>Opens a full registry (all four services) on a backend and checks a store file at the engine level.</summary>
public static class Stores
{
    /// <summary>A registry on <paramref name="backend"/>; <paramref name="path"/> is the store file (ignored in memory).</summary>
    public static ModelRegistryServices Open(Backend backend, string? path, IActorAccessor? actor = null, Action<IModelRegistryBuilder>? configure = null)
        => ModelRegistryServices.Create(b =>
        {
            switch (backend)
            {
                case Backend.Sqlite:
                    b.UseSqlite(o =>
                    {
                        o.ConnectionString = $"Data Source={path}";
                        o.BusyTimeout = TimeSpan.FromSeconds(30);
                    });
                    break;
                case Backend.LiteDb:
                    b.UseLiteDb(o => o.Filename = path);
                    break;
            }

            b.Services.AddSingleton(actor ?? new SwitchableActor { Current = "alice" });
            configure?.Invoke(b);
        });

    /// <summary>The file name a backend's store gets in a folder.</summary>
    public static string FileName(Backend backend) => backend == Backend.LiteDb ? "registry.litedb" : "registry.db";

    /// <summary>
    /// The engine's own consistency check on a closed store file: SQLite's <c>PRAGMA integrity_check</c>; for LiteDB
    /// (which has none) every document of every collection is read back through the primary index and counted.
    /// </summary>
    /// <returns>A short description of what was checked (for the test output).</returns>
    public static string CheckEngineIntegrity(Backend backend, string path)
    {
        switch (backend)
        {
            case Backend.Sqlite:
            {
                using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA integrity_check";
                var result = (string?)command.ExecuteScalar();
                result.Should().Be("ok", "PRAGMA integrity_check on {0}", path);
                return "integrity_check ok";
            }

            case Backend.LiteDb:
            {
                using var db = new LiteDatabase($"Filename={path};Connection=direct;ReadOnly=true");
                var documents = 0;
                foreach (var name in db.GetCollectionNames())
                {
                    var collection = db.GetCollection(name);
                    var read = collection.FindAll().Count();
                    read.Should().Be(collection.Count(), "every document of {0} is readable", name);
                    documents += read;
                }

                return $"{documents} documents read";
            }

            default:
                return "in memory";
        }
    }
}

/// <summary>A temporary folder, removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "mr-reliability")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A file path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Seeds and run lengths: short by default, longer with <c>MODELREGISTRY_RELIABILITY_LONG=1</c>.</summary>
public static class RunSettings
{
    /// <summary>Whether the long mode is on.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("MODELREGISTRY_RELIABILITY_LONG") is "1" or "true";

    /// <summary><c>MODELREGISTRY_RELIABILITY_SEED</c> when set (to replay a failure), otherwise a fresh seed; print it.</summary>
    public static int Seed()
        => int.TryParse(Environment.GetEnvironmentVariable("MODELREGISTRY_RELIABILITY_SEED"), out var seed) ? seed : Random.Shared.Next();

    /// <summary>Picks the default or the long-mode figure.</summary>
    public static int Scale(int normal, int longMode) => Long ? longMode : normal;
}
