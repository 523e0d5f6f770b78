using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using static ModelRegistry.Core.Tests.Lineage.LineageFixtures;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class LineageConcurrencyTests
{
    private const string Root = "dataset:root";

    [Fact]
    public async Task Readers_during_writes_always_see_a_consistent_graph()
    {
        using var index = Index(Dataset("root"));
        using var done = new CancellationTokenSource();
        var reads = 0;

        var writer = Task.Run(() =>
        {
            try
            {
                for (var i = 0; i < 1_500; i++)
                {
                    var version = LineageNodeIds.Version("m", $"{i}.0.0");
                    var deployment = LineageNodeIds.Deployment($"d{i}");
                    index.AddOrReplaceNode(Node(version, LineageNodeKind.ModelVersion, createdMinute: i));
                    index.Link(version, LineageEdgeKind.TrainedOn, Root, createdMinute: i);
                    index.AddOrReplaceNode(Deployment($"d{i}", i % 2 == 0 ? "production" : "staging", createdMinute: i));
                    index.Link(deployment, LineageEdgeKind.DeployedTo, version, createdMinute: i);
                    if (i > 0)
                    {
                        index.Link(version, LineageEdgeKind.DerivedFrom, LineageNodeIds.Version("m", $"{i - 1}.0.0"), createdMinute: i);
                    }

                    if (i % 3 == 2)
                    {
                        index.RemoveEdge(LineageNodeIds.Version("m", $"{i - 1}.0.0"), LineageEdgeKind.TrainedOn, Root, null, At(i), "writer");
                    }

                    if (i % 500 == 499)
                    {
                        var (nodes, edges) = index.ReadAll();
                        index.Load(nodes, edges);
                    }
                }
            }
            finally
            {
                done.Cancel();
            }
        });

        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var stageOf = ImpactStages.Classifier(_ => ModelStage.Production);
            do
            {
                var graph = index.Traverse(Root, LineageDirection.Downstream, new LineageQuery { MaxDepth = 2 });
                ShouldBeConsistent(graph);
                var asOf = index.Traverse(Root, LineageDirection.Downstream, new LineageQuery { MaxDepth = 2, AsOf = At(Random.Shared.Next(0, 1_500)) });
                ShouldBeConsistent(asOf);
                var impact = index.AnalyzeImpact(Root, new LineageQuery { MaxDepth = 3 }, stageOf);
                impact.CountsByStage.Values.Sum().Should().Be(impact.Items.Count);
                if (graph.Nodes.Count > 1)
                {
                    var leaf = graph.Nodes[^1].Node.Id;
                    index.GetProvenance(leaf).Datasets.Should().OnlyHaveUniqueItems(d => d.Dataset.Id);
                    index.FindPath(leaf, Root).Should().NotBeNull("a node reached from the root leads back to it");
                }

                Interlocked.Increment(ref reads);
            }
            while (!done.IsCancellationRequested);
        })).ToList();

        await Task.WhenAll([writer, .. readers]);

        reads.Should().BeGreaterThan(0);
        index.NodeCount.Should().Be(1 + 3_000);
        index.EdgeCount.Should().Be(1_500 * 3 - 1);
    }

    private static void ShouldBeConsistent(LineageGraph graph)
    {
        var depth = graph.Nodes.ToDictionary(n => n.Node.Id, n => n.Depth);
        depth.Should().HaveCount(graph.Nodes.Count, "each node is listed once");
        graph.Edges.Should().OnlyHaveUniqueItems(e => e.Id);
        foreach (var edge in graph.Edges)
        {
            depth.Should().ContainKey(edge.From).And.ContainKey(edge.To);
            if (graph.AsOf is null)
            {
                edge.IsActive.Should().BeTrue();
            }
            else
            {
                edge.WasActiveAt(graph.AsOf.Value).Should().BeTrue();
            }
        }

        foreach (var node in graph.Nodes.Where(n => n.Depth > 0))
        {
            graph.Edges.Should().Contain(e => e.From == node.Node.Id && depth[e.To] == node.Depth - 1, $"{node.Node.Id} at depth {node.Depth} was reached from a node one closer");
        }
    }
}
