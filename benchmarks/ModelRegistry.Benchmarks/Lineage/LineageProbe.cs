using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Lineage;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// <c>--lineage-probe</c>: times the parts of the downstream depth-3 query in one process, batch after batch — the raw
/// BFS, the tracker call, the impact analysis and its raw counterpart, the graph index's traversal alone (the tracker's private index, by reflection), the store's
/// change-sequence check alone and followed by the traversal, and a file-status call (one system call) followed by it — with allocation and gen-1 collections per case. A
/// diagnostic for finding where the tracker's time goes; not a BenchmarkDotNet run.
/// </summary>
internal static class LineageProbe
{
    public static int Run()
    {
        var registryFile = LineageFiles.Registry();
        using var services = LineageFiles.OpenRegistry(registryFile);
        var tracker = services.Lineage;
        var query = new LineageQuery { MaxDepth = 3 };
        tracker.GetDownstreamAsync(LineageGraphData.StartDataset, query).GetAwaiter().GetResult();
        var index = (LineageGraphIndex)tracker.GetType().GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(tracker)!;
        var store = services.GetRequiredService<Storage.IRegistryStore>();
        var applied = tracker.GetType().GetField("_applied", BindingFlags.NonPublic | BindingFlags.Instance)!;
        Console.WriteLine($"// tracker has applied change {applied.GetValue(tracker)} sequence {store.GetChangeSequenceAsync(default).GetAwaiter().GetResult()}");
        var raw = RawLineage.BuildGraph(RawLineage.LoadEdges(LineageFiles.Raw()).Select(e => (e.From, e.To)));
        var cases = new (string Name, int Batch, Func<object> Call)[]
        {
            ("raw", 200, () => RawLineage.Downstream(raw, LineageGraphData.StartDataset, 3)),
            ("tracker", 200, () => tracker.GetDownstreamAsync(LineageGraphData.StartDataset, query).GetAwaiter().GetResult()),
            ("index", 200, () => index.Traverse(LineageGraphData.StartDataset, LineageDirection.Downstream, query)),
            ("seq+index", 200, () => { store.GetChangeSequenceAsync(default).GetAwaiter().GetResult(); return index.Traverse(LineageGraphData.StartDataset, LineageDirection.Downstream, query); }),
            ("stat+index", 200, () => { GC.KeepAlive(File.GetLastWriteTimeUtc(registryFile + "-wal")); return index.Traverse(LineageGraphData.StartDataset, LineageDirection.Downstream, query); }),
            ("sequence", 200, () => store.GetChangeSequenceAsync(default).GetAwaiter().GetResult()),
            ("raw impact", 5, () => RawLineage.Impact(raw, LineageGraphData.StartDataset, LineageQuery.MaxAllowedDepth)),
            ("impact", 5, () => tracker.AnalyzeImpactAsync(LineageGraphData.StartDataset).GetAwaiter().GetResult()),
        };
        var times = cases.Select(_ => new List<double>()).ToArray();
        var alloc = new long[cases.Length];
        var gcs = new int[cases.Length];
        const int Rounds = 10;
        for (var round = 0; round < Rounds; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var a0 = GC.GetAllocatedBytesForCurrentThread();
                var g0 = GC.CollectionCount(1);
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < cases[c].Batch; i++)
                {
                    GC.KeepAlive(cases[c].Call());
                }

                times[c].Add(sw.Elapsed.TotalMicroseconds / cases[c].Batch);
                alloc[c] += GC.GetAllocatedBytesForCurrentThread() - a0;
                gcs[c] += GC.CollectionCount(1) - g0;
            }
        }

        Console.WriteLine($"// tracker has applied change {applied.GetValue(tracker)} sequence {store.GetChangeSequenceAsync(default).GetAwaiter().GetResult()}");
        for (var c = 0; c < cases.Length; c++)
        {
            var sorted = times[c].Order().ToList();
            Console.WriteLine($"{cases[c].Name,-10} median {sorted[sorted.Count / 2],8:F1} µs  min {sorted[0],8:F1} µs  alloc {alloc[c] / (Rounds * (double)cases[c].Batch) / 1024,8:F1} KB/call  gen1 {gcs[c]}");
        }

        return 0;
    }
}
