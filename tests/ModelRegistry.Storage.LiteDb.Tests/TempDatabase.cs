namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>A temporary folder with a database path in it; deleted (with the -log file) on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase(string name = "registry.litedb")
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mr-litedb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, name);
    }

    public string Folder { get; }

    public string Path { get; }

    public string LogPath => System.IO.Path.Combine(Folder, System.IO.Path.GetFileNameWithoutExtension(Path) + "-log" + System.IO.Path.GetExtension(Path));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
