using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Lineage;
using ModelRegistry.Storage.Sqlite;
using QuikGraph;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// Traversals over the generated lineage graph (<see cref="LineageGraphData"/>: 100,000 nodes, 500,000 edges) held by
/// the tracker on SQLite, against hand-written breadth-first searches on a plain QuikGraph graph of the same edges:
/// downstream to depth 3 from a dataset, and impact analysis (with a path per affected item) from a root dataset.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LineageTraversalBenchmarks
{
    private static readonly LineageQuery DepthThree = new() { MaxDepth = 3 };
    private ModelRegistryServices? _services;
    private ILineageTracker? _tracker;
    private BidirectionalGraph<string, Edge<string>>? _raw;

    [GlobalSetup(Targets = [nameof(DownstreamRegistry), nameof(ImpactRegistry)])]
    public void SetUpRegistry()
    {
        _services = LineageFiles.OpenRegistry();
        _tracker = _services.Lineage;

        // The first query loads the graph; the measured ones find it loaded and current.
        var downstream = _tracker.GetDownstreamAsync(LineageGraphData.StartDataset, DepthThree).GetAwaiter().GetResult();
        var impact = _tracker.AnalyzeImpactAsync(LineageGraphData.StartDataset).GetAwaiter().GetResult();
        var raw = RawGraph();
        Check("downstream", downstream.Nodes.Select(n => n.Node.Id), downstream.Edges.Count, RawLineage.Downstream(raw, LineageGraphData.StartDataset, 3) is var d ? (d.Depth.Keys, d.Edges.Count) : default);

        // Impact paths may differ in length: the tracker keeps a consumer's most severe path, not only its shortest.
        Check("impact", impact.Items.Select(i => i.Node.Id), 0, RawLineage.Impact(raw, LineageGraphData.StartDataset, LineageQuery.MaxAllowedDepth) is var m ? (m.Select(i => i.Node), 0) : default);
        Console.WriteLine($"// lineage: downstream depth 3 reaches {downstream.Nodes.Count} nodes over {downstream.Edges.Count} edges; impact finds {impact.Items.Count} items");
    }

    [GlobalSetup(Targets = [nameof(DownstreamRaw), nameof(ImpactRaw)])]
    public void SetUpRaw() => _raw = RawGraph();

    [GlobalCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        _services = null;
        _raw = null;
    }

    [BenchmarkCategory("Lineage", "Downstream"), Benchmark(Baseline = true, Description = "downstream depth 3: raw QuikGraph BFS")]
    public (Dictionary<string, int>, List<Edge<string>>) DownstreamRaw()
        => RawLineage.Downstream(_raw!, LineageGraphData.StartDataset, 3);

    [BenchmarkCategory("Lineage", "Downstream"), Benchmark(Description = "downstream depth 3: tracker on SQLite")]
    public Task<LineageGraph> DownstreamRegistry()
        => _tracker!.GetDownstreamAsync(LineageGraphData.StartDataset, DepthThree);

    [BenchmarkCategory("Lineage", "Impact"), Benchmark(Baseline = true, Description = "impact from a root dataset: raw BFS + paths")]
    public List<(string, List<string>, List<Edge<string>>)> ImpactRaw()
        => RawLineage.Impact(_raw!, LineageGraphData.StartDataset, LineageQuery.MaxAllowedDepth);

    [BenchmarkCategory("Lineage", "Impact"), Benchmark(Description = "impact from a root dataset: tracker on SQLite")]
    public Task<ImpactReport> ImpactRegistry()
        => _tracker!.AnalyzeImpactAsync(LineageGraphData.StartDataset);

    private static BidirectionalGraph<string, Edge<string>> RawGraph()
        => RawLineage.BuildGraph(RawLineage.LoadEdges(LineageFiles.Raw()).Select(e => (e.From, e.To)));

    /// <summary>Both sides must reach the same nodes (and walk as many edges, where that is comparable), or the comparison means nothing.</summary>
    private static void Check(string what, IEnumerable<string> registry, int registryEdges, (IEnumerable<string> Nodes, int Edges) raw)
    {
        var a = registry.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var b = raw.Nodes.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!a.SetEquals(b) || registryEdges != raw.Edges)
        {
            throw new InvalidOperationException($"The {what} results differ: registry {a.Count} nodes / {registryEdges} edges, raw {b.Count} nodes / {raw.Edges} edges.");
        }
    }
}

/// <summary>
/// Loading the graph: a fresh tracker over the seeded SQLite file answering its first query (its first-use load: every
/// node and edge document, and the registry's models and versions the edges point at), against one raw <c>SELECT</c>
/// of the edge rows into a plain list.
/// </summary>
[SlowOperationJob]
[BenchmarkCategory("Lineage", "Load")]
public class LineageLoadBenchmarks
{
    private string _raw = string.Empty;
    private string _registry = string.Empty;

    [GlobalSetup]
    public void SetUp()
    {
        _registry = LineageFiles.Registry();
        _raw = LineageFiles.Raw();
    }

    [Benchmark(Baseline = true, Description = "load: raw SELECT of the edge rows")]
    public int LoadRaw() => RawLineage.LoadEdges(_raw).Count;

    [Benchmark(Description = "load: fresh tracker on SQLite, first query")]
    public async Task<int> LoadRegistry()
    {
        using var services = LineageFiles.OpenRegistry(_registry);
        var node = await services.Lineage.GetNodeAsync(LineageGraphData.StartDataset);
        return node.Name.Length;
    }
}

/// <summary>The lineage benchmarks' files, seeded once per run in the run directory.</summary>
internal static class LineageFiles
{
    public static string Registry() => BenchData.Seeded("sqlite-lineage.db", static path =>
    {
        using var services = ModelRegistryServices.Create(b => b.UseSqlite($"Data Source={path}"));
        LineageGraphData.SeedRegistry(services.GetRequiredService<Storage.IRegistryStore>());
    });

    public static string Raw() => BenchData.Seeded("sqlite-lineage-raw.db", static path => RawLineage.Seed(path, LineageGraphData.Instance.Edges));

    /// <summary>A registry on the seeded file, with the same settings as the other SQLite benchmarks.</summary>
    public static ModelRegistryServices OpenRegistry(string? file = null)
    {
        file ??= Registry();
        return ModelRegistryServices.Create(b => b.UseSqlite(o =>
        {
            o.ConnectionString = $"Data Source={file}";
            o.Durability = SqliteDurability.Full;
        }));
    }
}
