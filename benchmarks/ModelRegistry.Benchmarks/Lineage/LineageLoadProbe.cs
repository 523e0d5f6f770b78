using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Lineage;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// <c>--lineage-load-probe [--rounds N]</c>: where the tracker's first-use load spends its time. Alternates, round after
/// round, the raw <c>SELECT</c> of the edge rows and a fresh tracker's first query (exactly what
/// <see cref="LineageLoadBenchmarks"/> measures), and prints per round the wall clock, the process CPU time, the bytes
/// allocated and the collections of each generation, plus the tracker's own phase timings (<see cref="LoadProfile"/>).
/// A diagnostic, not a BenchmarkDotNet run.
/// </summary>
internal static class LineageLoadProbe
{
    public static int Run(int rounds)
    {
        var registry = LineageFiles.Registry();
        var benchmarks = new LineageLoadBenchmarks();
        benchmarks.SetUp();

        // Warm-up: JIT and the file cache, both sides.
        Measure(() => benchmarks.LoadRaw());
        Measure(() => Load(registry));
        var ratios = new List<double>();
        var phases = new List<LoadProfile>();
        Console.WriteLine("round | side     |     wall |      CPU | allocated | gen0 | gen1 | gen2 | GC pause | phases (nodes / edges / registry / index / hold)");
        for (var round = 0; round < rounds; round++)
        {
            var rawFirst = round % 2 == 0;
            Sample? r = null, t = null;
            LoadProfile? profile = null;
            for (var side = 0; side < 2; side++)
            {
                if ((side == 0) == rawFirst)
                {
                    r = Measure(() => benchmarks.LoadRaw());
                }
                else
                {
                    t = Measure(() => profile = Load(registry));
                }
            }

            phases.Add(profile!);
            ratios.Add(t!.Wall.TotalSeconds / r!.Wall.TotalSeconds);
            Console.WriteLine(Row(round, "raw", r, null));
            Console.WriteLine(Row(round, "registry", t, profile));
        }

        ratios.Sort();
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted[sorted.Count / 2];
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// ratio median {Median(ratios):F2} (min {ratios[0]:F2}, max {ratios[^1]:F2}); phase medians: nodes {Median(phases.Select(p => p.Nodes.TotalMilliseconds)):F0} ms, edges {Median(phases.Select(p => p.Edges.TotalMilliseconds)):F0} ms, registry {Median(phases.Select(p => p.Registry.TotalMilliseconds)):F0} ms, index {Median(phases.Select(p => p.Index.TotalMilliseconds)):F0} ms, hold {Median(phases.Select(p => p.Hold.TotalMilliseconds)):F0} ms"));
        return 0;
    }

    private static LoadProfile Load(string registry)
    {
        using var services = LineageFiles.OpenRegistry(registry);
        var tracker = (LineageTracker)services.Lineage;
        tracker.GetNodeAsync(LineageGraphData.StartDataset).GetAwaiter().GetResult();
        return tracker.LastLoad!;
    }

    private static Sample Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var gcs = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var paused = GC.GetTotalPauseDuration();
        var started = Stopwatch.GetTimestamp();
        action();
        var wall = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        return new Sample(
            wall,
            process.TotalProcessorTime - cpu,
            GC.GetTotalAllocatedBytes(precise: true) - allocated,
            [GC.CollectionCount(0) - gcs[0], GC.CollectionCount(1) - gcs[1], GC.CollectionCount(2) - gcs[2]],
            GC.GetTotalPauseDuration() - paused);
    }

    private static string Row(int round, string side, Sample s, LoadProfile? p)
    {
        var phases = p is null ? string.Empty : string.Create(
            CultureInfo.InvariantCulture,
            $"{p.Nodes.TotalMilliseconds:F0} / {p.Edges.TotalMilliseconds:F0} / {p.Registry.TotalMilliseconds:F0} / {p.Index.TotalMilliseconds:F0} / {p.Hold.TotalMilliseconds:F0} ms; allocated {string.Join(" / ", p.Memory.Select(m => (m.Allocated >> 20).ToString(CultureInfo.InvariantCulture)))} MiB; GC pause {string.Join(" / ", p.Memory.Select(m => m.Paused.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{round,5} | {side,-8} | {s.Wall.TotalMilliseconds,5:F0} ms | {s.Cpu.TotalMilliseconds,5:F0} ms | {s.Allocated / (1024.0 * 1024),6:F0} MiB | {s.Collections[0],4} | {s.Collections[1],4} | {s.Collections[2],4} | {s.GcPause.TotalMilliseconds,5:F0} ms | {phases}");
    }

    private sealed record Sample(TimeSpan Wall, TimeSpan Cpu, long Allocated, int[] Collections, TimeSpan GcPause);
}
