using System.Globalization;
using ModelRegistry.Lineage;

namespace ModelRegistry.Storage.Sqlite.Tests.MultiProcess;

/// <summary>
/// A child process of <see cref="LineageTwoProcessTests"/>
/// (<c>dotnet ModelRegistry.Storage.Sqlite.Tests.dll child-linker &lt;db&gt; &lt;who&gt; &lt;pairs&gt; forward|backward</c>): it
/// loads the lineage graph, prints <c>ready</c>, waits for <c>go</c> on standard input, then links
/// <c>dataset:a{i} -DerivedFrom-&gt; dataset:b{i}</c> (forward) or the reverse (backward) for every pair, printing
/// <c>linked {i}</c> or <c>refused {i} {message}</c> for each.
/// </summary>
public static class LineageRaceChild
{
    public const string Command = "child-linker";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5 || args[0] != Command || args[4] is not ("forward" or "backward"))
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <db> <who> <pairs> forward|backward");
            return 2;
        }

        var (db, who, pairs, forward) = (args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), args[4] == "forward");
        await using var services = ChildWriter.OpenRegistry(db, who);
        var lineage = services.Lineage;
        await lineage.GetNodeAsync("dataset:a0");
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 3;
        }

        for (var i = 0; i < pairs; i++)
        {
            var (from, to) = forward ? ($"dataset:a{i}", $"dataset:b{i}") : ($"dataset:b{i}", $"dataset:a{i}");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await lineage.LinkAsync(new LinkRequest(from, LineageEdgeKind.DerivedFrom, to));
                    Console.WriteLine($"linked {i}");
                    break;
                }
                catch (ModelRegistryException ex) when (ex.Code == ErrorCode.PolicyViolation)
                {
                    Console.WriteLine($"refused {i} {ex.Message.ReplaceLineEndings(" ")}");
                    break;
                }
                catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.StorageUnavailable && attempt < 200)
                {
                    // The other process kept winning the guard (or held the file lock): the caller's retry.
                }
            }
        }

        return 0;
    }
}
