using System.Diagnostics;

namespace ModelRegistry.Benchmarks.Data;

/// <summary>
/// Where the benchmarks keep their database files. The host process creates one directory per run and passes it to
/// the benchmark processes it starts through <see cref="EnvironmentVariable"/>, so the large search dataset is seeded
/// once per run and engine, not once per benchmark case; the host deletes the directory at the end.
/// </summary>
internal static class BenchData
{
    public const string EnvironmentVariable = "MODELREGISTRY_BENCH_DATA";

    private static readonly Lock Gate = new();

    /// <summary>The run's directory (created on first use when the variable is not set, e.g. under a debugger).</summary>
    public static string Directory
    {
        get
        {
            var path = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrEmpty(path))
            {
                path = CreateRunDirectory();
                Environment.SetEnvironmentVariable(EnvironmentVariable, path);
            }

            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    public static string CreateRunDirectory()
        => Path.Combine(Path.GetTempPath(), $"modelregistry-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);

    /// <summary>A fresh, unused file path in the run directory.</summary>
    public static string NewFile(string prefix, string extension)
        => Path.Combine(Directory, $"{prefix}-{Guid.NewGuid():N}.{extension}");

    /// <summary>
    /// The path of a dataset file that <paramref name="seed"/> fills once per run: later callers (other benchmark
    /// processes of the same run) reuse it. A marker file written after seeding tells a complete file from a torn one.
    /// </summary>
    public static string Seeded(string name, Action<string> seed)
    {
        lock (Gate)
        {
            var path = Path.Combine(Directory, name);
            var marker = path + ".complete";
            if (File.Exists(marker))
            {
                return path;
            }

            foreach (var stale in System.IO.Directory.GetFiles(Directory, name + "*"))
            {
                File.Delete(stale);
            }

            var watch = Stopwatch.StartNew();
            seed(path);
            File.WriteAllText(marker, watch.Elapsed.ToString());
            Console.WriteLine($"// Seeded {name} in {watch.Elapsed.TotalSeconds:F1} s ({new FileInfo(path).Length / 1_048_576.0:F1} MiB).");
            return path;
        }
    }

    /// <summary>Deletes a database file and its journal side files.</summary>
    public static void DeleteFiles(string path)
    {
        // SQLite's side files are name-wal/-shm/-journal; LiteDB's log is name-log.ext.
        var liteDbLog = Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));
        foreach (var file in (ReadOnlySpan<string>)[path, path + "-wal", path + "-shm", path + "-journal", liteDbLog])
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A file still open elsewhere; the run directory is removed at the end anyway.
            }
        }
    }
}
