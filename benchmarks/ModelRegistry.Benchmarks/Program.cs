using BenchmarkDotNet.Running;
using ModelRegistry.Benchmarks;
using ModelRegistry.Benchmarks.Data;

// Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/ModelRegistry.Benchmarks -- --quick --filter '*'
//   dotnet run -c Release --project benchmarks/ModelRegistry.Benchmarks -- --filter '*Sqlite*'
//   dotnet run -c Release --project benchmarks/ModelRegistry.Benchmarks -- --paired [filter] [--rounds N]
// --quick selects the in-process short job (see BenchmarkConfigs); every other argument goes to BenchmarkDotNet.
// --paired runs the alternating cross-check instead (see PairedRunner); --lineage-memory prints memory per lineage edge;
// --lineage-probe times the parts of the downstream lineage query (see LineageProbe); --lineage-load-probe [--rounds N]
// times the phases of the tracker's first-use load against the raw SELECT (see LineageLoadProbe).
var quick = args.Contains("--quick", StringComparer.OrdinalIgnoreCase);
BenchmarkConfigs.IsQuick = quick;
var rest = args.Where(a => !string.Equals(a, "--quick", StringComparison.OrdinalIgnoreCase)).ToArray();

var ownsDirectory = string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchData.EnvironmentVariable));
if (ownsDirectory)
{
    Environment.SetEnvironmentVariable(BenchData.EnvironmentVariable, BenchData.CreateRunDirectory());
}

try
{
    if (rest.Contains("--lineage-memory", StringComparer.OrdinalIgnoreCase))
    {
        // Memory per edge of the lineage graph (see LineageMemoryReport); not a BenchmarkDotNet run.
        return ModelRegistry.Benchmarks.Lineage.LineageMemoryReport.Run();
    }

    if (rest.Contains("--lineage-probe", StringComparer.OrdinalIgnoreCase))
    {
        // Where the downstream query's time goes (see LineageProbe); not a BenchmarkDotNet run.
        return ModelRegistry.Benchmarks.Lineage.LineageProbe.Run();
    }

    var roundsAt = Array.FindIndex(rest, a => string.Equals(a, "--rounds", StringComparison.OrdinalIgnoreCase));
    int? rounds = roundsAt >= 0 && roundsAt + 1 < rest.Length ? int.Parse(rest[roundsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : null;
    if (rest.Contains("--lineage-load-probe", StringComparer.OrdinalIgnoreCase))
    {
        // Where the lineage graph's first-use load spends its time (see LineageLoadProbe); not a BenchmarkDotNet run.
        return ModelRegistry.Benchmarks.Lineage.LineageLoadProbe.Run(rounds ?? 5);
    }

    var paired = Array.FindIndex(rest, a => string.Equals(a, "--paired", StringComparison.OrdinalIgnoreCase));
    if (paired >= 0)
    {
        // --paired [filter] [--rounds N]: the alternating cross-check (see PairedRunner); BenchmarkDotNet is not used.
        var filter = paired + 1 < rest.Length && !rest[paired + 1].StartsWith("--", StringComparison.Ordinal) ? rest[paired + 1] : null;
        return PairedRunner.Run(filter, rounds ?? 20);
    }

    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfigs).Assembly).Run(rest, quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Full());
    return 0;
}
finally
{
    var directory = Environment.GetEnvironmentVariable(BenchData.EnvironmentVariable);
    if (ownsDirectory && directory is not null && Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}
