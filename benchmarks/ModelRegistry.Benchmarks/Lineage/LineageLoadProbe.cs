using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
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
        var raw = LineageFiles.Raw();
        var benchmarks = new LineageLoadBenchmarks();
        benchmarks.SetUp();

        if (Environment.GetEnvironmentVariable("PROBE_VERSIONS") is not null)
        {
            using var services = LineageFiles.OpenRegistry(registry);
            var scanner = (Storage.IDocumentScanner)services.GetRequiredService<Storage.IRegistryStore>();
            for (var i = 0; i < 3; i++)
            {
                int ok = 0, failed = 0;
                var a0 = GC.GetTotalAllocatedBytes(true);
                var sw = Stopwatch.StartNew();
                scanner.ScanVersionsAsync(json => { if (VersionReader.TryRead(json, out _)) { ok++; } else { failed++; } }, default).AsTask().GetAwaiter().GetResult();
                var t1 = sw.Elapsed;
                var a1 = GC.GetTotalAllocatedBytes(true);
                scanner.ScanVersionsAsync(json => GC.KeepAlive(RegistryNodes.Describe(VersionReader.Summarize(json))), default).AsTask().GetAwaiter().GetResult();
                Console.WriteLine($"ok {ok} failed {failed}: read {t1.TotalMilliseconds:F0} ms {(a1 - a0) >> 20} MiB; read+describe {(sw.Elapsed - t1).TotalMilliseconds:F0} ms {(GC.GetTotalAllocatedBytes(true) - a1) >> 20} MiB");
            }
        }

        if (Environment.GetEnvironmentVariable("PROBE_EDGES") is not null)
        {
            using var services = LineageFiles.OpenRegistry(registry);
            var scanner = (Storage.IDocumentScanner)services.GetRequiredService<Storage.IRegistryStore>();
            for (var i = 0; i < 3; i++)
            {
                long n = 0;
                var sw = Stopwatch.StartNew();
                scanner.ScanDocumentsAsync(LineageDocuments.EdgeCollection, (json, _) => n += json.Length, default).AsTask().GetAwaiter().GetResult();
                var t1 = sw.Elapsed;
                scanner.ScanDocumentsAsync(LineageDocuments.EdgeCollection, (json, _) => { if (EdgeReader.TryReadFields(json, out var f)) { n += f.From.Length; } }, default).AsTask().GetAwaiter().GetResult();
                var t2 = sw.Elapsed;
                var raw0 = Stopwatch.StartNew();
                GC.KeepAlive(RawLineage.LoadEdges(LineageFiles.Raw()));
                Console.WriteLine($"scan {t1.TotalMilliseconds:F0} ms; scan+parse {(t2 - t1).TotalMilliseconds:F0} ms; raw {raw0.Elapsed.TotalMilliseconds:F0} ms");
            }
        }

        if (Environment.GetEnvironmentVariable("PROBE_DICT") is not null)
        {
            var ids = LineageGraphData.Instance.Edges.SelectMany(e => new[] { e.From, e.To }).Distinct().ToList();
            var ends = LineageGraphData.Instance.Edges.Select(e => e.To).ToList();
            {
                var h = ids.Select(i => StringComparer.OrdinalIgnoreCase.GetHashCode(i)).ToList();
                var buckets = ids.GroupBy(i => (uint)StringComparer.OrdinalIgnoreCase.GetHashCode(i) % 100_003u).Select(g => g.Count()).ToList();
                Console.WriteLine($"distinct hashes {h.Distinct().Count()} of {ids.Count}; max bucket {buckets.Max()}, buckets used {buckets.Count}");
                var rd = new Dictionary<string, int>(new Randomized());
                foreach (var id in ids)
                {
                    rd[id] = rd.Count;
                }

                for (var round = 0; round < 3; round++)
                {
                    var sw = Stopwatch.StartNew();
                    long sum = 0;
                    foreach (var e in ends)
                    {
                        rd.TryGetValue(e, out var v);
                        sum += v;
                    }

                    Console.WriteLine($"randomized: {sw.Elapsed.TotalMilliseconds:F0} ms ({sum})");
                }
            }

            foreach (var comparer in new[] { StringComparer.OrdinalIgnoreCase, StringComparer.Ordinal })
            {
                var d = new Dictionary<string, int>(comparer);
                foreach (var id in ids)
                {
                    d[id] = d.Count;
                }

                var lookup = d.GetAlternateLookup<ReadOnlySpan<char>>();
                for (var round = 0; round < 3; round++)
                {
                    var sw = Stopwatch.StartNew();
                    long sum = 0;
                    foreach (var e in ends)
                    {
                        lookup.TryGetValue(e.AsSpan(), out var v);
                        sum += v;
                    }

                    Console.WriteLine($"{(comparer == StringComparer.Ordinal ? "ordinal" : "ignorecase")} {ids.Count} ids, {ends.Count} lookups: {sw.Elapsed.TotalMilliseconds:F0} ms ({sum})");
                }
            }

            return 0;
        }

        if (Environment.GetEnvironmentVariable("PROBE_PERF") is { } perfRuns)
        {
            for (var i = 0; i < int.Parse(perfRuns, CultureInfo.InvariantCulture); i++)
            {
                Console.WriteLine(Measure(() => Load(registry)));
            }

            return 0;
        }

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

    private sealed class Randomized : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(string obj) => obj.GetHashCode(StringComparison.OrdinalIgnoreCase);
    }

    private sealed record Sample(TimeSpan Wall, TimeSpan Cpu, long Allocated, int[] Collections, TimeSpan GcPause);
}
