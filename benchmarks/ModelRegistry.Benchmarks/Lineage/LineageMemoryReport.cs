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

        // The whole tracker after its first load from SQLite (nodes, registry descriptions, edges, everything it keeps).
        before = GC.GetTotalMemory(forceFullCollection: true);
        using var services = LineageFiles.OpenRegistry();
        services.Lineage.GetNodeAsync(LineageGraphData.StartDataset).GetAwaiter().GetResult();
        var tracker = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(services);

        Console.WriteLine($"| QuikGraph Edge<string> object alone | {edgeAlone:F1} B |");
        Console.WriteLine($"| plain BidirectionalGraph<string, Edge<string>> (whole graph / edges) | {rawGraph:F1} B |");
        Console.WriteLine($"| whole tracker after its first load (nodes included) / edges | {tracker:F1} B |");
        return 0;
    }
}
