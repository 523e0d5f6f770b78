using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.Crash;

/// <summary>
/// A child process runs the mixed workload on a store file and is killed with SIGKILL at a random moment; each kill is
/// a new child on the same file. After every kill the store opens, the engine's integrity check passes, the audit
/// chain verifies, every acknowledged operation is there, and the operation in flight is either wholly applied (state
/// and audit record) or not at all. 30 kills per backend by default, 300 with <c>MODELREGISTRY_RELIABILITY_LONG=1</c>.
/// </summary>
public sealed class CrashConsistencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new("mr-crash");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.LiteDb)]
    public async Task Killing_the_writer_at_random_moments_loses_no_acknowledged_operation_and_applies_none_by_half(Backend backend)
    {
        var seed = RunSettings.Seed();
        var iterations = RunSettings.Scale(30, 300);
        output.WriteLine($"backend {backend}, seed {seed} (replay with MODELREGISTRY_RELIABILITY_SEED={seed}), {iterations} kills");
        var random = new Random(seed);
        var file = _folder.File(Stores.FileName(backend));
        var totals = new CrashTotals();
        var earlier = new Dictionary<string, string>(StringComparer.Ordinal);

        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var journalPath = _folder.File($"journal-{iteration}.log");
            var childSeed = random.Next();
            using (var child = ChildEntry.Start("crash", backend.ToString(), file, journalPath, childSeed.ToString(CultureInfo.InvariantCulture), $"i{iteration}-"))
            {
                var stderr = child.StandardError.ReadToEndAsync();
                // The kill follows a point of the child's own progress, chosen by the seed (no clock involved):
                // sometimes "O", when it starts opening (and creating) the store, which must survive a kill too; otherwise
                // the start of operation n (the kill lands in it or just after) or its return.
                var target = random.Next(8) == 0 ? "O" : $"{(random.Next(2) == 0 ? 'B' : 'A')} {random.Next(1, 40)}";
                await WaitForProgressAsync(child, target, stderr);
                child.Kill();
                _ = child.StandardOutput.ReadToEndAsync();
                await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
                var errors = await stderr;
                errors.Should().BeEmpty("the child only ever stops by being killed (iteration {0})", iteration);
            }

            var journal = CrashJournal.Read(journalPath);
            var checkEarlier = iteration % 10 == 9 || iteration == iterations - 1;
            var report = await CrashVerifier.VerifyAsync(backend, file, journal, totals.AuditRecords, checkEarlier ? earlier : null);
            totals.Add(journal, report);
            foreach (var (key, fingerprint) in report.Fingerprints)
            {
                earlier[key] = fingerprint;
            }
        }

        output.WriteLine(totals.ToString());
        totals.Kills.Should().Be(iterations);
    }

    /// <summary>Reads the child's progress lines until <paramref name="target"/>.</summary>
    private static async Task WaitForProgressAsync(Process child, string target, Task<string> stderr)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == target)
            {
                return;
            }
        }

        throw new InvalidOperationException($"The child exited before reaching '{target}': {await stderr}");
    }

    private sealed class CrashTotals
    {
        public int Kills { get; private set; }

        public long AuditRecords { get; private set; }

        private int _acknowledged;
        private int _refused;
        private int _inFlight;
        private int _inFlightApplied;
        private int _beforeReady;

        public void Add(CrashJournal.Contents journal, CrashVerifier.Report report)
        {
            Kills++;
            _acknowledged += journal.Acknowledged.Count;
            _refused += journal.Acknowledged.Count(e => e.Outcome.StartsWith("refused", StringComparison.Ordinal));
            _inFlight += journal.InFlight is null ? 0 : 1;
            _inFlightApplied += report.InFlightApplied ? 1 : 0;
            _beforeReady += journal.ReadySequence is null ? 1 : 0;
            AuditRecords = report.AuditRecords;
        }

        public override string ToString()
            => $"kills survived {Kills} (before the store was ready: {_beforeReady}); operations acknowledged {_acknowledged} " +
               $"(refused by the registry: {_refused}); killed mid-operation {_inFlight} (of which applied whole: {_inFlightApplied}); " +
               $"audit records at the end {AuditRecords}; acknowledged operations lost: 0";
    }
}
