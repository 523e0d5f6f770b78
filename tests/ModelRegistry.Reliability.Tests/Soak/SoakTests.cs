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
/// managed memory after a full collection, and working set. Reports whether memory and latency stay flat (the numbers
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
        output.WriteLine("interval  ops  refused  p50 ms  p95 ms  max ms  managed MB  working set MB");

        var actor = new SwitchableActor { Current = "alice" };
        await using var services = Stores.Open(backend, _folder.File(Stores.FileName(backend)), actor);
        var workload = new Workload(services, actor, new Random(seed), "soak-");
        var samples = new List<(double P95, double ManagedMb, double WorkingSetMb)>();
        var total = Stopwatch.StartNew();
        var refusedTotal = 0;
        while (total.Elapsed < duration)
        {
            var latencies = new List<double>();
            var refused = 0;
            var window = Stopwatch.StartNew();
            while (window.Elapsed < interval && total.Elapsed < duration)
            {
                var operation = workload.Next();
                var watch = Stopwatch.StartNew();
                try
                {
                    await operation.Run();
                }
                catch (ModelRegistryException)
                {
                    refused++;
                }

                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            latencies.Sort();
            var managed = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
            var workingSet = System.Environment.WorkingSet / 1048576.0;
            var p50 = latencies[latencies.Count / 2];
            var p95 = latencies[(int)(latencies.Count * 0.95)];
            samples.Add((p95, managed, workingSet));
            refusedTotal += refused;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{samples.Count,8} {latencies.Count,5} {refused,8} {p50,7:0.0} {p95,7:0.0} {latencies[^1],7:0.0} {managed,11:0.0} {workingSet,15:0.0}"));
        }

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

    private static string Growth(double from, double to) => from <= 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{(to - from) / from:+0%;-0%;0%}");
}
