using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// The metric workload shared by the performance-tracker benchmarks: 1,000,000 latency points of one model version,
/// one every 100 ms (about 27.8 hours), each with a unit, a request id and one dimension (<c>region</c>, one of four),
/// as an inference gateway records them. The registry receives them as <see cref="MetricPoint"/>s; the raw baselines
/// store the same rows (the same column values, the dimensions as the same canonical JSON text).
/// </summary>
internal static class MetricWorkload
{
    public const int Points = 1_000_000;
    public const int BatchSize = 10_000;
    public const string Model = "perf-model";
    public const string Version = "1.0.0";
    public const string Metric = "Latency";

    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Regions = ["eu-west", "eu-north", "us-east", "ap-south"];

    /// <summary>The dimension maps (one shared instance per region, as a gateway would reuse them).</summary>
    public static readonly IReadOnlyDictionary<string, string>[] RegionDimensions =
        [.. Regions.Select(r => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["region"] = r })];

    /// <summary>The same dimensions as the registry stores them (canonical JSON), for the raw baselines.</summary>
    public static readonly string[] RegionJson = [.. Regions.Select(r => $$"""{"region":"{{r}}"}""")];

    /// <summary>The whole window (every point is inside it).</summary>
    public static MetricWindow Window => new(Start, Start.AddTicks(TimeSpan.TicksPerMillisecond * 100L * Points));

    /// <summary>Point <paramref name="i"/>'s timestamp, in UTC ticks.</summary>
    public static long Ticks(int i) => Start.UtcTicks + (TimeSpan.TicksPerMillisecond * 100L * i);

    /// <summary>Point <paramref name="i"/>'s value: an exponential latency with a 5 ms floor (deterministic).</summary>
    public static double Value(int i)
    {
        // A fixed hash of i as the uniform variate, so any point can be computed on its own.
        var u = (double)((ulong)(i + 1) * 0x9E3779B97F4A7C15UL >> 11) / (1UL << 53);
        return Math.Round(5 + (40 * -Math.Log(1 - u)), 3);
    }

    public static int Region(int i) => i & 3;

    public static string RequestId(int i) => "req-" + i.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The 1,000,000 points in batches of 10,000, built once per benchmark process.</summary>
    public static MetricPoint[][] Batches() => [.. Enumerable.Range(0, Points / BatchSize).Select(b =>
    {
        var batch = new MetricPoint[BatchSize];
        for (var k = 0; k < BatchSize; k++)
        {
            batch[k] = Point(b * BatchSize + k);
        }

        return batch;
    })];

    public static MetricPoint Point(int i) => new()
    {
        ModelName = Model,
        Version = Version,
        Kind = MetricKind.Latency,
        Value = Value(i),
        Unit = "ms",
        Timestamp = new DateTimeOffset(Ticks(i), TimeSpan.Zero),
        Dimensions = RegionDimensions[Region(i)],
        RequestId = RequestId(i),
    };

    /// <summary>Registers the model and its version through the registry (the points' subject must exist).</summary>
    public static void Register(ModelRegistryServices services)
    {
        services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = Model, Owners = ["perf-team"] }).GetAwaiter().GetResult();
        services.Registry.CreateVersionAsync(Model, new CreateVersionRequest { Version = Version, SourceCommit = "0123abc" }).GetAwaiter().GetResult();
    }

    /// <summary>The registry on a SQLite file with the default durability (WAL, synchronous=FULL).</summary>
    public static ModelRegistryServices Sqlite(string file, Action<PerformanceOptions>? performance = null)
        => ModelRegistryServices.Create(b =>
        {
            b.UseSqlite(o =>
            {
                o.ConnectionString = $"Data Source={file}";
                o.Durability = SqliteDurability.Full;
            });
            if (performance is not null)
            {
                b.ConfigurePerformance(performance);
            }
        });

    /// <summary>The registry on a LiteDB file with the default durability (each commit flushed to disk).</summary>
    public static ModelRegistryServices LiteDb(string file)
        => ModelRegistryServices.Create(b => b.UseLiteDb(o =>
        {
            o.Filename = file;
            o.FlushToDisk = true;
        }));
}
