using BenchmarkDotNet.Running;
using ModelRegistry.Benchmarks;
using ModelRegistry.Benchmarks.Data;

// Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/ModelRegistry.Benchmarks -- --quick --filter '*'
//   dotnet run -c Release --project benchmarks/ModelRegistry.Benchmarks -- --filter '*Sqlite*'
// --quick selects the in-process short job (see BenchmarkConfigs); every other argument goes to BenchmarkDotNet.
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
    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfigs).Assembly).Run(rest, quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Full());
}
finally
{
    var directory = Environment.GetEnvironmentVariable(BenchData.EnvironmentVariable);
    if (ownsDirectory && directory is not null && Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}
