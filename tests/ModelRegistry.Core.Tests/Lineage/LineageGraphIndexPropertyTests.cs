using CsCheck;
using ModelRegistry.Lineage;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>The engine against <see cref="NaiveLineage"/> on generated DAGs and cyclic graphs.</summary>
public sealed class LineageGraphIndexPropertyTests
{
    private const int Iterations = 400;

    private static readonly Gen<LineageQuery> QueryGen =
        Gen.Select(Gen.Int[1, 6], RandomLineage.KindFilter<LineageEdgeKind>(), RandomLineage.KindFilter<LineageNodeKind>(), RandomLineage.AsOfGen,
            (depth, edgeKinds, nodeKinds, asOf) => new LineageQuery { MaxDepth = depth, EdgeKinds = edgeKinds, NodeKinds = nodeKinds, AsOf = asOf });

    [Fact]
    public void Traversal_equals_the_naive_reference_for_any_direction_depth_filter_and_as_of()
    {
        Gen.Select(RandomLineage.Graph(), Gen.Int[0, 100], Gen.Enum<LineageDirection>(), QueryGen)
            .Sample((spec, startSeed, direction, query) =>
            {
                var built = RandomLineage.Build(spec);
                var naive = built.Naive();
                var start = built.Nodes[startSeed % built.Nodes.Count].Id;
                if (!naive.NodeVisible(start, query.AsOf))
                {
                    var act = () => built.Index.Traverse(start, direction, query);
                    act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.NotFound);
                    return;
                }

                var actual = built.Index.Traverse(start, direction, query);
                var expected = naive.Traverse(start, direction, query);

                actual.Nodes.ToDictionary(n => n.Node.Id, n => n.Depth).Should().BeEquivalentTo(expected.Depths);
                actual.Edges.Select(e => e.Id).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(expected.EdgeIds);
                actual.Truncated.Should().Be(expected.Truncated);
                actual.Nodes[0].Node.Id.Should().Be(start);
                actual.Nodes.Select(n => n.Depth).Should().BeInAscendingOrder();
                var stored = built.Edges.ToDictionary(e => e.Id);
                foreach (var edge in actual.Edges)
                {
                    edge.Should().Be(stored[edge.Id], "edges come back exactly as stored");
                }
            }, iter: Iterations, print: t => $"{t.Item1} start={t.Item2} {t.Item3} depth={t.Item4.MaxDepth} edges=[{Show(t.Item4.EdgeKinds)}] nodes=[{Show(t.Item4.NodeKinds)}] asOf={t.Item4.AsOf:O}");
    }

    [Fact]
    public void Cycle_refusal_names_a_real_cycle_and_changes_nothing()
    {
        var acyclicKind = Gen.OneOf(LineageEdgeKind.TrainedOn, LineageEdgeKind.DerivedFrom, LineageEdgeKind.FineTunedFrom);
        Gen.Select(RandomLineage.Graph(), Gen.Int[0, 100], Gen.Int[0, 100], acyclicKind)
            .Sample((spec, a, b, kind) =>
            {
                var built = RandomLineage.Build(spec);
                var naive = built.Naive();
                var from = built.Nodes[a % built.Nodes.Count].Id;
                var to = built.Nodes[b % built.Nodes.Count].Id;
                var before = LineageFixtures.State(built.Index);

                var act = () => built.Index.AddEdge(LineageFixtures.Edge(from, kind, to, createdMinute: 20));

                if (from == to || naive.ReachesThroughAcyclicEdges(to, from))
                {
                    var error = act.Should().Throw<ModelRegistryException>().Which;
                    error.Code.Should().Be(ErrorCode.PolicyViolation);
                    var cycle = CycleIn(error.Message);
                    cycle.First().Should().Be(from);
                    cycle.Last().Should().Be(from);
                    cycle[1].Should().Be(to);
                    cycle.Skip(1).Should().OnlyHaveUniqueItems("a shortest path to close the cycle visits no node twice");
                    for (var i = 1; i < cycle.Count - 1; i++)
                    {
                        naive.HasActiveAcyclicEdge(cycle[i], cycle[i + 1]).Should().BeTrue($"{cycle[i]} -> {cycle[i + 1]} must be an acyclic-kind edge in force");
                    }

                    LineageFixtures.State(built.Index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
                }
                else if (naive.HasActiveEdge(from, kind, to))
                {
                    act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.AlreadyExists);
                    LineageFixtures.State(built.Index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
                }
                else
                {
                    act.Should().NotThrow();
                    built.Index.EdgeCount.Should().Be(before.Edges.Count + 1);
                }
            }, iter: Iterations, print: t => $"{t.Item1} try {t.Item2}-{t.Item4}->{t.Item3}");
    }

    [Fact]
    public void Acyclic_kinds_never_form_a_cycle_whatever_is_linked()
    {
        RandomLineage.Graph(dagOnly: false).Sample(spec =>
        {
            var built = RandomLineage.Build(spec);
            var naive = built.Naive();
            foreach (var edge in built.Edges.Where(e => e.RemovedAt is null && LineageValidator.IsAcyclicKind(e.Kind)))
            {
                naive.ReachesThroughAcyclicEdges(edge.To, edge.From).Should().BeFalse($"{edge.From} -{edge.Kind}-> {edge.To} is on a cycle");
            }
        }, iter: Iterations, print: s => s.ToString());
    }

    [Fact]
    public void Shortest_path_length_equals_naive_breadth_first_search_and_the_path_is_walkable()
    {
        Gen.Select(RandomLineage.Graph(), Gen.Int[0, 100], Gen.Int[0, 100], Gen.Enum<LineageDirection>(), QueryGen)
            .Sample((spec, a, b, direction, query) =>
            {
                var built = RandomLineage.Build(spec);
                var naive = built.Naive();
                var from = built.Nodes[a % built.Nodes.Count].Id;
                var to = built.Nodes[b % built.Nodes.Count].Id;
                if (!naive.NodeVisible(from, query.AsOf) || !naive.NodeVisible(to, query.AsOf))
                {
                    var act = () => built.Index.FindPath(from, to, direction, query);
                    act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.NotFound);
                    return;
                }

                var path = built.Index.FindPath(from, to, direction, query);
                var expected = naive.PathLength(from, to, direction, query);
                if (expected is null)
                {
                    path.Should().BeNull();
                    return;
                }

                path.Should().NotBeNull();
                path!.Length.Should().Be(expected.Value);
                path.Nodes.Should().HaveCount(path.Length + 1);
                path.Nodes[0].Id.Should().Be(from);
                path.Nodes[^1].Id.Should().Be(to);
                var usable = naive.Usable(query.EdgeKinds, query.AsOf).Select(e => e.Id).ToHashSet();
                for (var i = 0; i < path.Length; i++)
                {
                    var e = path.Edges[i];
                    usable.Should().Contain(e.Id);
                    var forward = e.From == path.Nodes[i].Id && e.To == path.Nodes[i + 1].Id;
                    var backward = e.To == path.Nodes[i].Id && e.From == path.Nodes[i + 1].Id;
                    (direction switch
                    {
                        LineageDirection.Upstream => forward,
                        LineageDirection.Downstream => backward,
                        _ => forward || backward,
                    }).Should().BeTrue($"step {i} must follow the edge {(direction == LineageDirection.Downstream ? "backwards" : "forwards")}");
                }
            }, iter: Iterations, print: t => $"{t.Item1} {t.Item2}->{t.Item3} {t.Item4} depth={t.Item5.MaxDepth} edges=[{Show(t.Item5.EdgeKinds)}] asOf={t.Item5.AsOf:O}");
    }

    [Fact]
    public void Impact_analysis_equals_the_walk_enumerating_reference_and_is_ordered_by_severity()
    {
        var impactQuery = Gen.Select(Gen.Int[1, 5], RandomLineage.KindFilter<LineageEdgeKind>(), RandomLineage.AsOfGen,
            (depth, kinds, asOf) => new LineageQuery { MaxDepth = depth, EdgeKinds = kinds, AsOf = asOf });
        var graphs = Gen.Frequency(
            (1, RandomLineage.Graph(maxNodes: 8)),
            (2, RandomLineage.Graph(maxNodes: 8, nodeKinds: RandomLineage.ImpactNodeKinds, edgeKinds: RandomLineage.ImpactEdgeKinds)));
        Gen.Select(graphs, Gen.Int[0, 100], impactQuery)
            .Sample((spec, a, query) =>
            {
                var built = RandomLineage.Build(spec);
                var naive = built.Naive();
                var start = built.Nodes[a % built.Nodes.Count].Id;
                if (!naive.NodeVisible(start, query.AsOf))
                {
                    return;
                }

                var report = built.Index.AnalyzeImpact(start, query, built.StageOf);
                var (expected, truncated) = naive.Impact(start, query, built.StageOf);

                report.Items.ToDictionary(i => i.Node.Id, i => (i.Stage, i.Depth)).Should().BeEquivalentTo(expected);
                report.Truncated.Should().Be(truncated);
                report.Items.Select(i => (int)i.Stage * 1000 + i.Depth).Should().BeInAscendingOrder();
                report.CountsByStage.Values.Sum().Should().Be(report.Items.Count);
                report.CountsByStage.Keys.Should().BeEquivalentTo(Enum.GetValues<ImpactStage>());
                var usable = naive.Usable(query.EdgeKinds ?? NaiveLineage.ImpactDefault, query.AsOf).Select(e => e.Id).ToHashSet();
                foreach (var item in report.Items)
                {
                    var path = item.Path;
                    path.Nodes[0].Id.Should().Be(start);
                    path.Nodes[^1].Should().Be(item.Node);
                    ImpactStage? carry = null;
                    for (var i = 0; i < path.Length; i++)
                    {
                        usable.Should().Contain(path.Edges[i].Id);
                        path.Edges[i].To.Should().Be(path.Nodes[i].Id, "impact walks downstream: each step goes from a node to one that depends on it");
                        path.Edges[i].From.Should().Be(path.Nodes[i + 1].Id);
                    }

                    foreach (var node in path.Nodes)
                    {
                        if (node.Kind is LineageNodeKind.ModelVersion or LineageNodeKind.Deployment)
                        {
                            carry = built.StageOf(node);
                        }
                    }

                    (carry ?? ImpactStage.Other).Should().Be(item.Stage, "the path explains the stage it reports");
                }
            }, iter: 3 * Iterations, print: t => $"{t.Item1} start={t.Item2} depth={t.Item3.MaxDepth} edges=[{Show(t.Item3.EdgeKinds)}] asOf={t.Item3.AsOf:O}");
    }

    [Fact]
    public void Provenance_finds_the_reference_datasets_and_roots()
    {
        var provenanceQuery = Gen.Select(Gen.Int[0, 6], RandomLineage.KindFilter<LineageEdgeKind>(), RandomLineage.AsOfGen,
            (depth, kinds, asOf) => new LineageQuery { MaxDepth = depth == 0 ? null : depth, EdgeKinds = kinds, AsOf = asOf });
        Gen.Select(RandomLineage.Graph(), Gen.Int[0, 100], provenanceQuery)
            .Sample((spec, a, query) =>
            {
                var built = RandomLineage.Build(spec);
                var naive = built.Naive();
                var start = built.Nodes[a % built.Nodes.Count].Id;
                if (!naive.NodeVisible(start, query.AsOf))
                {
                    return;
                }

                var report = built.Index.GetProvenance(start, query);
                var (expected, truncated) = naive.Provenance(start, query);

                report.Datasets.ToDictionary(d => d.Dataset.Id, d => (d.Depth, d.IsRoot)).Should().BeEquivalentTo(expected);
                report.Truncated.Should().Be(truncated);
                report.Datasets.Select(d => (d.IsRoot ? 0 : 1000) + d.Depth).Should().BeInAscendingOrder();
                foreach (var source in report.Datasets)
                {
                    source.Path.Nodes[0].Id.Should().Be(start);
                    source.Path.Nodes[^1].Should().Be(source.Dataset);
                    for (var i = 0; i < source.Path.Length; i++)
                    {
                        source.Path.Edges[i].From.Should().Be(source.Path.Nodes[i].Id, "provenance walks upstream");
                        source.Path.Edges[i].To.Should().Be(source.Path.Nodes[i + 1].Id);
                    }
                }
            }, iter: Iterations, print: t => $"{t.Item1} start={t.Item2} depth={t.Item3.MaxDepth} edges=[{Show(t.Item3.EdgeKinds)}] asOf={t.Item3.AsOf:O}");
    }

    [Fact]
    public void Bulk_load_gives_the_same_answers_as_linking_one_by_one()
    {
        Gen.Select(RandomLineage.Graph(), Gen.Int[0, 100], Gen.Enum<LineageDirection>(), QueryGen)
            .Sample((spec, a, direction, query) =>
            {
                var built = RandomLineage.Build(spec);
                using var loaded = new LineageGraphIndex();
                loaded.Load(built.Nodes, built.Edges);
                LineageFixtures.State(loaded).Should().BeEquivalentTo(LineageFixtures.State(built.Index), o => o.WithStrictOrdering());
                var start = built.Nodes[a % built.Nodes.Count].Id;
                if (built.Naive().NodeVisible(start, query.AsOf))
                {
                    loaded.Traverse(start, direction, query).Should().BeEquivalentTo(built.Index.Traverse(start, direction, query));
                }
            }, iter: 200, print: t => t.Item1.ToString());
    }

    internal static List<string> CycleIn(string message)
    {
        var open = message.IndexOf("cycle: [", StringComparison.Ordinal);
        var close = message.IndexOf(']', open);
        open.Should().BeGreaterThanOrEqualTo(0, "the message names the cycle: {0}", message);
        return message[(open + "cycle: [".Length)..close].Split(" -> ").ToList();
    }

    private static string Show<T>(IReadOnlyList<T>? kinds) => kinds is null ? "all" : string.Join(",", kinds);
}
