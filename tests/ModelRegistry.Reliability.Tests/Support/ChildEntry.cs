using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Audit;
using ModelRegistry.Reliability.Tests.Concurrency;
using ModelRegistry.Reliability.Tests.Crash;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>
/// The entry point of this test assembly when a test starts it as a child process:
/// <c>dotnet ModelRegistry.Reliability.Tests.dll &lt;mode&gt; ...</c>.
/// </summary>
public static class ChildEntry
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "crash" when args.Length == 6:
                await RunCrashWorkloadAsync(Enum.Parse<Backend>(args[1]), args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), args[5]);
                return 0;
            case "writer" when args.Length == 5:
                await SharedFileWriter.RunAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
                return 0;
            case "sqlite-lock" when args.Length == 2:
                SqliteLockHolder.Hold(args[1]);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: crash <backend> <file> <journal> <seed> <prefix> | writer <file> <who> <count> <seed> | sqlite-lock <file>");
                return 64;
        }
    }

    /// <summary>Starts this assembly as a child process with the given arguments.</summary>
    public static Process Start(params string[] args) => ChildProcesses.Start(typeof(ChildEntry).Assembly, args);

    /// <summary>
    /// Runs the mixed workload until killed (or for 5,000 operations), journaling each operation before it starts
    /// and after it returns, and printing <c>O</c> before it opens the store and <c>B n</c> / <c>A n</c> when it has journaled operation n's
    /// start / return.
    /// </summary>
    private static async Task RunCrashWorkloadAsync(Backend backend, string file, string journalPath, int seed, string prefix)
    {
        var actor = new SwitchableActor { Current = "alice" };
        Console.WriteLine("O");
        await using var services = Stores.Open(backend, file, actor);
        using var journal = new CrashJournal(journalPath);
        var lastSequence = await LastSequenceAsync(services.AuditTrail);
        journal.Ready(lastSequence);

        var workload = new Workload(services, actor, new Random(seed), prefix);
        while (workload.Count < 5_000)
        {
            var operation = workload.Next();
            journal.Begin(operation.Number, operation.Description, await FingerprintsAsync(services, operation.Keys));

            // Progress for the parent, which kills on it (Console.Out flushes every line).
            Console.WriteLine($"B {operation.Number}");
            string outcome;
            try
            {
                await operation.Run();
                outcome = "ok";
            }
            catch (ModelRegistryException ex)
            {
                outcome = $"refused {ex.Code}";
            }

            var audit = await AuditAfterAsync(services.AuditTrail, lastSequence);
            lastSequence = audit.Count > 0 ? audit[^1].Sequence : lastSequence;
            journal.Acknowledge(operation.Number, outcome, await FingerprintsAsync(services, operation.Keys), audit);
            Console.WriteLine($"A {operation.Number}");
        }
    }

    internal static async Task<List<(string Key, string Fingerprint)>> FingerprintsAsync(ModelRegistryServices services, IEnumerable<string> keys)
    {
        var result = new List<(string, string)>();
        foreach (var key in keys)
        {
            result.Add((key, await StateProbe.FingerprintAsync(services, key)));
        }

        return result;
    }

    /// <summary>Every audit record after <paramref name="sequence"/>, in order.</summary>
    internal static async Task<List<AuditRecord>> AuditAfterAsync(IAuditTrail audit, long sequence)
    {
        var records = new List<AuditRecord>();
        string? token = sequence > 0 ? "a" + sequence.ToString(CultureInfo.InvariantCulture) : null;
        do
        {
            var page = await audit.QueryAsync(new AuditQuery { PageSize = 1_000, ContinuationToken = token });
            records.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return records;
    }

    private static async Task<long> LastSequenceAsync(IAuditTrail audit) => (await audit.VerifyAsync()).RecordsChecked;
}
