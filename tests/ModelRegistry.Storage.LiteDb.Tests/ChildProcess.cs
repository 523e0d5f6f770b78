using System.Diagnostics;
using LiteDB;
using ModelRegistry.Storage.Conformance;
using ModelRegistry.Storage.LiteDb.Internal;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>
/// The test assembly doubles as the child process of the multi-process tests (<c>dotnet ModelRegistry.Storage.LiteDb.Tests.dll mode path</c>),
/// so they exercise a real second process and not a second thread.
/// </summary>
public static class ChildProcess
{
    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.WriteLine("usage: hold|open|raw-direct|raw-shared <file>");
            return 64;
        }

        var (mode, path) = (args[0], args[1]);
        try
        {
            switch (mode)
            {
                case "hold":
                {
                    using var store = LiteDbRegistryStoreFactory.Open(path);
                    store.CommitAsync(Records.Tx(new PutModel(Records.Model("child"), 0), "child.wrote"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    Console.WriteLine("ready");
                    Console.Out.Flush();
                    Console.In.ReadToEnd();
                    return 0;
                }

                case "open":
                {
                    using var store = LiteDbRegistryStoreFactory.Open(path);
                    store.CommitAsync(Records.Tx(new PutModel(Records.Model("second-child"), 0), "child.wrote"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    Console.WriteLine("opened");
                    return 0;
                }

                case "raw-direct":
                case "raw-shared":
                {
                    // What another application using LiteDB directly would do to the same file.
                    using var db = new LiteDatabase($"Filename={path};Connection={(mode == "raw-direct" ? "direct" : "shared")}");
                    db.GetCollection("intruder").Insert(new BsonDocument { ["_id"] = 1 });
                    Console.WriteLine("wrote");
                    return 0;
                }

                default:
                    Console.WriteLine($"unknown mode {mode}");
                    return 64;
            }
        }
        catch (ModelRegistryException ex)
        {
            Console.WriteLine($"error {ex.Code}: {ex.Message}");
            return 3;
        }
        catch (Exception ex)
        {
            Console.WriteLine($"refused {ex.GetType().Name}: {ex.Message}");
            return 4;
        }
    }

    /// <summary>Starts this assembly as a child process.</summary>
    public static Process Start(string mode, string path) => ChildProcesses.Start(typeof(ChildProcess).Assembly, mode, path);

    /// <summary>Runs a child to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string mode, string path)
    {
        using var child = Start(mode, path);
        child.StandardInput.Close();
        var output = await child.StandardOutput.ReadToEndAsync();
        var errors = await child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (child.ExitCode, output + errors);
    }
}
