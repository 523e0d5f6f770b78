using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Lineage;
using QuikGraph;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// Memory per edge (<c>--lineage-memory</c>): retained bytes measured with <see cref="GC.GetTotalMemory(bool)"/> after a
/// full collection before and after building each structure, divided by the 500,000 edges. Not a BenchmarkDotNet run:
/// retained (not allocated) memory is the question.
/// </summary>
internal static class LineageMemoryReport
{
    public static int Run()
    {
        var data = LineageGraphData.Instance;
        var pairs = data.Edges.Select(e => (e.From, e.To)).ToList();
        var count = data.Edges.Count;

        // QuikGraph's edge object alone (the ends are strings the caller already holds).
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var edgeObjects = new Edge<string>[count];
        for (var i = 0; i < count; i++)
        {
            edgeObjects[i] = new Edge<string>(pairs[i].From, pairs[i].To);
        }

        var edgeAlone = (GC.GetTotalMemory(forceFullCollection: true) - before - ((long)count * IntPtr.Size)) / (double)count;
        GC.KeepAlive(edgeObjects);
        edgeObjects = null;

        // A plain QuikGraph graph of the same edges (vertex table and both adjacency lists included).
        before = GC.GetTotalMemory(forceFullCollection: true);
        var graph = RawLineage.BuildGraph(pairs);
        var rawGraph = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(graph);
        graph = null;

        // The tracker's index: with every node and no edge, then with the edges; the difference is what edges cost.
        var nodes = LineageGraphData.StoredNodes()
            .Concat(Enumerable.Range(0, LineageGraphData.Versions).Select(v => RegistryNodes.Deleted(LineageGraphData.VersionId(v), Dataset.SeedTime)))
            .ToList();
        var edges = data.Edges.Select(e => e.ToEdge()).ToList();
        before = GC.GetTotalMemory(forceFullCollection: true);
        using var nodesOnly = new LineageGraphIndex();
        nodesOnly.Load(nodes, []);
        var middle = GC.GetTotalMemory(forceFullCollection: true);
        using var full = new LineageGraphIndex();
        full.Load(nodes, edges);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var indexPerEdge = ((after - middle) - (middle - before)) / (double)count;
        GC.KeepAlive(nodesOnly);
        GC.KeepAlive(full);

        // The whole tracker after its first load from SQLite (nodes, registry descriptions, edges, everything it keeps).
        nodes = null;
        edges = null;
        full.Dispose();
        nodesOnly.Dispose();
        before = GC.GetTotalMemory(forceFullCollection: true);
        using var services = LineageFiles.OpenRegistry();
        services.Lineage.GetNodeAsync(LineageGraphData.StartDataset).GetAwaiter().GetResult();
        var tracker = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(services);

        Console.WriteLine($"| QuikGraph Edge<string> object alone | {edgeAlone:F1} B |");
        Console.WriteLine($"| plain BidirectionalGraph<string, Edge<string>> (whole graph / edges) | {rawGraph:F1} B |");
        Console.WriteLine($"| tracker's index: edges only (EdgeEntry + both adjacency lists) | {indexPerEdge:F1} B |");
        Console.WriteLine($"| whole tracker after its first load (nodes included) / edges | {tracker:F1} B |");
        return 0;
    }
}
