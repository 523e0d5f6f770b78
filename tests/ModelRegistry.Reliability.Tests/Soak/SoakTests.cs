using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Reliability.Tests.Support;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Reliability.Tests.Soak;

/// <summary>
/// A theory that runs only when <c>MODELREGISTRY_SOAK=&lt;seconds&gt;</c> is set; otherwise it is reported as skipped
/// (so the default suite shows it exists and costs nothing).
/// </summary>
public sealed class SoakTheoryAttribute : TheoryAttribute
{
    public SoakTheoryAttribute()
    {
        if (SoakTests.Duration is null)
        {
            Skip = "Soak mode is opt-in: set MODELREGISTRY_SOAK=<seconds> to run it.";
        }
    }
}

/// <summary>
/// The mixed workload for a set duration on one store, sampling per interval: operations, latency (p50/p95/max),
/// managed memory after a full collection, working set and store size, then latency (mean and p95) per operation kind
/// per interval, so that an operation whose cost grows with the store is named. Reports whether memory and latency stay flat (the numbers
/// are printed, not asserted: a loaded machine makes durations meaningless as pass/fail). Asserts that nothing but the
/// typed error escapes and that the audit chain verifies at the end.
/// </summary>
[Trait("Category", "Soak")]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new("mr-soak");

    public static TimeSpan? Duration
        => int.TryParse(Environment.GetEnvironmentVariable("MODELREGISTRY_SOAK"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    public void Dispose() => _folder.Dispose();

    [SoakTheory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.LiteDb)]
    [InlineData(Backend.InMemory)]
    public async Task A_long_mixed_workload_keeps_memory_and_latency_flat(Backend backend)
    {
        var duration = Duration!.Value;
        var interval = TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 10, 5, 60));
        var seed = RunSettings.Seed();
        output.WriteLine($"{backend}: soak for {duration}, sampled every {interval}, seed {seed}");
        output.WriteLine("interval  ops  refused  p50 ms  p95 ms  max ms  managed MB  working set MB  models  versions  GC pause ms  gen2");

        var actor = new SwitchableActor { Current = "alice" };
        await using var services = Stores.Open(backend, _folder.File(Stores.FileName(backend)), actor);
        var workload = new Workload(services, actor, new Random(seed), "soak-");
        var samples = new List<(double P95, double ManagedMb, double WorkingSetMb)>();
        var byKind = new SortedDictionary<string, List<LatencySummary?>>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        var refusedTotal = 0;
        while (total.Elapsed < duration)
        {
            var latencies = new List<double>();
            var kindLatencies = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var kindAllocated = new Dictionary<string, long>(StringComparer.Ordinal);
            var kindCpu = new Dictionary<string, double>(StringComparer.Ordinal);
            var refused = 0;
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var window = Stopwatch.StartNew();
            while (window.Elapsed < interval && total.Elapsed < duration)
            {
                var operation = workload.Next();
                var watch = Stopwatch.StartNew();
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var cpuBefore = ThreadCpu.Milliseconds();
                var kind = operation.Kind;
                try
                {
                    await operation.Run();
                }
                catch (ModelRegistryException)
                {
                    refused++;

                    // A refusal takes another path (validation, then a thrown error): its own row.
                    kind += " refused";
                }

                var elapsed = watch.Elapsed.TotalMilliseconds;
                kindAllocated[kind] = kindAllocated.GetValueOrDefault(kind) + (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
                kindCpu[kind] = kindCpu.GetValueOrDefault(kind) + (ThreadCpu.Milliseconds() - cpuBefore);
                latencies.Add(elapsed);
                if (!kindLatencies.TryGetValue(kind, out var ofKind))
                {
                    kindLatencies[kind] = ofKind = [];
                }

                ofKind.Add(elapsed);
            }

            // The collector's own pauses inside the interval (before the forced collections below): growth here with
            // a flat per-kind latency is the heap growing, not an operation scanning.
            var pauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
            var gen2 = GC.CollectionCount(2) - gen2Before;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var managed = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
            var workingSet = System.Environment.WorkingSet / 1048576.0;
            var all = LatencySummary.Of(latencies);
            samples.Add((all.P95, managed, workingSet));
            foreach (var kind in kindLatencies.Keys.Concat(byKind.Keys).Distinct().ToList())
            {
                if (!byKind.TryGetValue(kind, out var column))
                {
                    byKind[kind] = column = [.. Enumerable.Repeat<LatencySummary?>(null, samples.Count - 1)];
                }

                column.Add(kindLatencies.TryGetValue(kind, out var ofKind) ? LatencySummary.Of(ofKind, kindAllocated[kind], kindCpu[kind]) : null);
            }

            refusedTotal += refused;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{samples.Count,8} {latencies.Count,5} {refused,8} {all.P50,7:0.0} {all.P95,7:0.0} {all.Max,7:0.0} {managed,11:0.0} {workingSet,15:0.0} {workload.ModelCount,7} {workload.VersionCount,9} {pauseMs,12:0} {gen2,5}"));
        }

        // Per operation kind, so that one operation whose cost grows with the store stands out from the mix.
        WriteByKind("mean ms by operation kind and interval", byKind, s => s.Mean);
        WriteByKind("p95 ms by operation kind and interval", byKind, s => s.P95);

        // Allocation counts work without the machine's noise: a kind whose bytes per operation grow copies or reads
        // more as the store grows; a kind whose latency grows at flat bytes pays for the collector's growing heap.
        if (ThreadCpu.IsAvailable)
        {
            // CPU time on the calling thread, which also runs the workstation collector's blocking collections: latency
            // growing with flat CPU time is waiting (a loaded machine preempting the thread), not work.
            WriteByKind("mean CPU ms (calling thread) by operation kind and interval", byKind, s => s.CpuMs);
        }

        WriteByKind("KB allocated per operation (on the calling thread) by kind and interval", byKind, s => s.AllocatedKb);

        var verification = await services.AuditTrail.VerifyAsync();
        verification.IsValid.Should().BeTrue(verification.Problem);

        // Flatness: the last interval against the second (the first includes JIT and cache warm-up).
        var baseline = samples[Math.Min(1, samples.Count - 1)];
        var last = samples[^1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload.Count} operations ({refusedTotal} refused), {verification.RecordsChecked} audit records verified; " +
            $"managed memory {baseline.ManagedMb:0.0} -> {last.ManagedMb:0.0} MB ({Growth(baseline.ManagedMb, last.ManagedMb)}), " +
            $"working set {baseline.WorkingSetMb:0.0} -> {last.WorkingSetMb:0.0} MB ({Growth(baseline.WorkingSetMb, last.WorkingSetMb)}), " +
            $"p95 latency {baseline.P95:0.0} -> {last.P95:0.0} ms ({Growth(baseline.P95, last.P95)})"));
    }

    private void WriteByKind(string title, SortedDictionary<string, List<LatencySummary?>> byKind, Func<LatencySummary, double> pick)
    {
        output.WriteLine(title + " (last against the second interval):");
        foreach (var (kind, column) in byKind)
        {
            var cells = string.Join(" ", column.Select(c => c is null ? "      -" : string.Create(CultureInfo.InvariantCulture, $"{pick(c),7:0.00}")));
            var baseline = column.Skip(1).FirstOrDefault(c => c is not null) ?? column[0];
            var last = column[^1];
            var growth = baseline is null || last is null ? "n/a" : Growth(pick(baseline), pick(last));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-34} {cells}  ({growth})"));
        }
    }

    private static string Growth(double from, double to) => from <= 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{(to - from) / from:+0%;-0%;0%}");
}

/// <summary>Latency figures of one set of operations, in milliseconds, and the kilobytes each allocated on average.</summary>
internal sealed record LatencySummary(int Count, double Mean, double P50, double P95, double Max, double AllocatedKb = 0, double CpuMs = 0)
{
    public static LatencySummary Of(List<double> latencies, long allocatedBytes = 0, double cpuMs = 0)
    {
        latencies.Sort();
        return new LatencySummary(latencies.Count, latencies.Average(), latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.95)], latencies[^1], allocatedBytes / 1024.0 / latencies.Count, cpuMs / latencies.Count);
    }
}

/// <summary>The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>); elsewhere not available.</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && !double.IsNaN(Milliseconds());

    public static double Milliseconds()
        => OperatingSystem.IsLinux() && NativeMethods.ClockGetTime(ClockThreadCpuTime, out var time) == 0
            ? (time.Seconds * 1000.0) + (time.Nanoseconds / 1e6)
            : double.NaN;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        public static extern int ClockGetTime(int clock, out TimeSpec time);
    }
}
