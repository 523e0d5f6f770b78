using System.Globalization;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.Concurrency;

/// <summary>
/// One writer of the concurrency tests: mutations on a few shared models (tags, versions, description updates), its
/// own registrations and metric batches, retrying what a competing writer can make fail transiently. Prints one line
/// per acknowledged operation; run as a child process (<c>writer</c> mode) or on a thread.
/// </summary>
public static class SharedFileWriter
{
    public const int SharedModels = 4;
    public const int MetricBatch = 10;
    public const string MetricName = "ingest";

    public static string SharedModel(int i) => $"shared-{i}";

    /// <summary>Sets up the shared models (and a version 1.0.0 of each for metrics) before the writers start.</summary>
    public static async Task SetUpAsync(ModelRegistryServices services)
    {
        for (var i = 0; i < SharedModels; i++)
        {
            await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = SharedModel(i), Owners = ["team"] });
            await services.Registry.CreateVersionAsync(SharedModel(i), new CreateVersionRequest { Version = "1.0.0", SourceCommit = "setup" });
        }
    }

    /// <summary>The child process: opens the SQLite file as <paramref name="who"/> and writes.</summary>
    public static async Task RunAsync(string file, string who, int count, int seed)
    {
        await using var services = Stores.Open(Backend.Sqlite, file, new FixedActor(who));
        var retries = await WriteAsync(services, who, count, seed, Console.WriteLine);
        Console.WriteLine($"retries {retries.Conflicts} {retries.Busy}");
    }

    /// <summary>Performs <paramref name="count"/> mutations and reports each acknowledged one.</summary>
    /// <returns>How many attempts were retried after a concurrency conflict and after a busy store.</returns>
    public static async Task<(int Conflicts, int Busy)> WriteAsync(ModelRegistryServices services, string who, int count, int seed, Action<string> acknowledge)
    {
        var random = new Random(seed);
        var conflicts = 0;
        var busy = 0;
        for (var i = 0; i < count; i++)
        {
            var model = SharedModel(random.Next(SharedModels));
            var key = $"{who}-{i}";
            switch (random.Next(10))
            {
                case < 3:
                    await Retry(() => services.Registry.SetModelTagAsync(model, key, "v"));
                    acknowledge($"tag {model} {key}");
                    break;
                case < 6:
                    var version = await Retry(() => services.Registry.CreateVersionAsync(model, new CreateVersionRequest
                    {
                        SourceCommit = key,
                        Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/{model}/{key}.bin", new string('b', 64), 1, "MIT")],
                    }));
                    acknowledge($"version {model} {version.Version} {key}");
                    break;
                case < 7:
                    await Retry(() => services.Registry.UpdateModelAsync(model, new ModelUpdate { Description = key }));
                    acknowledge($"describe {model} {key}");
                    break;
                case < 8:
                    await Retry(() => services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = $"{who}-m{i}", Owners = [who] }));
                    acknowledge($"model {who}-m{i}");
                    break;
                default:
                    await Retry(() => services.Performance.RecordBatchAsync([.. Enumerable.Range(0, MetricBatch).Select(p => new MetricPoint
                    {
                        ModelName = model,
                        Version = "1.0.0",
                        Kind = MetricKind.Custom,
                        CustomName = MetricName,
                        Value = p,
                        Timestamp = Workload.MetricEpoch.AddSeconds(i),
                    })]));
                    acknowledge($"metrics {model} {MetricBatch}");
                    break;
            }
        }

        return (conflicts, busy);

        async Task<T> Retry<T>(Func<Task<T>> call)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await call();
                }
                catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.AlreadyExists && attempt < 500)
                {
                    // A competing writer moved the revision (or took the computed version number): read again and retry.
                    Interlocked.Increment(ref conflicts);
                }
                catch (ModelRegistryException ex) when (ex.Code is ErrorCode.StorageUnavailable && attempt < 500)
                {
                    Interlocked.Increment(ref busy);
                }
            }
        }
    }

    /// <summary>Parses "retries c b".</summary>
    public static (int Conflicts, int Busy) ParseRetries(string line)
    {
        var parts = line.Split(' ');
        return (int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}

/// <summary>A fixed actor.</summary>
public sealed class FixedActor(string name) : IActorAccessor
{
    public string CurrentActor => name;
}

/// <summary>An actor per async flow, so threads of one process act as different people.</summary>
public sealed class FlowActor : IActorAccessor
{
    private readonly AsyncLocal<string?> _current = new();

    public string? Current
    {
        get => _current.Value;
        set => _current.Value = value;
    }

    public string CurrentActor => _current.Value ?? "setup";
}
