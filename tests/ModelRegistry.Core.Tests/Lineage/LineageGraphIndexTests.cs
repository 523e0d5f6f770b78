using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using static ModelRegistry.Core.Tests.Lineage.LineageFixtures;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class LineageGraphIndexTests
{
    private const string Customers = "dataset:customers-2026";
    private const string Raw = "dataset:crm-raw";
    private const string V1 = "version:fraud-detector/1.0.0";
    private const string V2 = "version:fraud-detector/2.0.0";
    private const string Run = "run:r-17";

    /// <summary>crm-raw &lt;-DerivedFrom- customers &lt;-TrainedOn- v1 &lt;-DerivedFrom- v2; v1 -ProducedBy-&gt; run.</summary>
    private static LineageGraphIndex Chain()
    {
        var index = Index(Dataset("crm-raw"), Dataset("customers-2026"), Version("fraud-detector", "1.0.0"), Version("fraud-detector", "2.0.0"), LineageFixtures.Run("r-17"));
        index.Link(Customers, LineageEdgeKind.DerivedFrom, Raw);
        index.Link(V1, LineageEdgeKind.TrainedOn, Customers);
        index.Link(V2, LineageEdgeKind.DerivedFrom, V1);
        index.Link(V1, LineageEdgeKind.ProducedBy, Run);
        return index;
    }

    private static Dictionary<string, int> Depths(LineageGraph graph) => graph.Nodes.ToDictionary(n => n.Node.Id, n => n.Depth);

    [Fact]
    public void Upstream_follows_edges_from_dependent_to_dependency_with_depths()
    {
        using var index = Chain();

        var graph = index.Traverse(V2, LineageDirection.Upstream);

        Depths(graph).Should().Equal(new Dictionary<string, int> { [V2] = 0, [V1] = 1, [Customers] = 2, [Run] = 2, [Raw] = 3 });
        graph.Edges.Should().HaveCount(4);
        graph.Truncated.Should().BeFalse();
        graph.RootId.Should().Be(V2);
        graph.Nodes[0].Node.Id.Should().Be(V2);
    }

    [Fact]
    public void Queries_after_the_graph_grows_see_the_new_nodes_and_nothing_left_from_earlier_queries()
    {
        using var index = Chain();
        index.Traverse(Raw, LineageDirection.Downstream);
        index.Traverse(V2, LineageDirection.Both);

        // Many more nodes than the earlier queries' working tables were sized for.
        var previous = V2;
        for (var i = 3; i < 60; i++)
        {
            var next = $"version:fraud-detector/{i}.0.0";
            index.AddOrReplaceNode(Version("fraud-detector", $"{i}.0.0"));
            index.Link(next, LineageEdgeKind.DerivedFrom, previous);
            previous = next;
        }

        Depths(index.Traverse(Raw, LineageDirection.Downstream, new LineageQuery { MaxDepth = 5 }))
            .Should().Equal(new Dictionary<string, int> { [Raw] = 0, [Customers] = 1, [V1] = 2, [V2] = 3, ["version:fraud-detector/3.0.0"] = 4, ["version:fraud-detector/4.0.0"] = 5 });
        Depths(index.Traverse(V1, LineageDirection.Both, new LineageQuery { MaxDepth = 2 }))
            .Should().Equal(new Dictionary<string, int> { [V1] = 0, [Customers] = 1, [Run] = 1, [V2] = 1, [Raw] = 2, ["version:fraud-detector/3.0.0"] = 2 });
        index.Traverse(Run, LineageDirection.Upstream).Nodes.Should().ContainSingle();
    }

    [Fact]
    public void Traversals_from_several_threads_at_once_give_the_single_threaded_answers()
    {
        using var index = Chain();
        var expectedDown = Depths(index.Traverse(Raw, LineageDirection.Downstream));
        var expectedBoth = Depths(index.Traverse(V1, LineageDirection.Both));
        using var start = new Barrier(2);
        var results = new List<(Dictionary<string, int> Down, Dictionary<string, int> Both)>[2];
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            results[t] = [];
            start.SignalAndWait();
            for (var i = 0; i < 200; i++)
            {
                results[t].Add((Depths(index.Traverse(Raw, LineageDirection.Downstream)), Depths(index.Traverse(V1, LineageDirection.Both))));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        foreach (var (down, both) in results.SelectMany(r => r))
        {
            down.Should().Equal(expectedDown);
            both.Should().Equal(expectedBoth);
        }
    }

    [Fact]
    public void Downstream_follows_edges_backwards_to_what_depends_on_the_start()
    {
        using var index = Chain();

        var graph = index.Traverse(Raw, LineageDirection.Downstream);

        Depths(graph).Should().Equal(new Dictionary<string, int> { [Raw] = 0, [Customers] = 1, [V1] = 2, [V2] = 3 });
    }

    [Fact]
    public void Depth_limit_reports_truncation_only_when_something_lies_beyond_it()
    {
        using var index = Chain();

        var cut = index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { MaxDepth = 2 });
        var exact = index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { MaxDepth = 3 });

        Depths(cut).Keys.Should().BeEquivalentTo([V2, V1, Customers, Run]);
        cut.Truncated.Should().BeTrue();
        cut.Edges.Should().HaveCount(3, "the edge to crm-raw leaves a node at the limit");
        exact.Truncated.Should().BeFalse();
    }

    [Fact]
    public void Ids_are_matched_case_insensitively_and_keep_their_first_spelling()
    {
        using var index = Chain();

        var graph = index.Traverse("VERSION:Fraud-Detector/2.0.0", LineageDirection.Upstream, new LineageQuery { MaxDepth = 1 });

        graph.RootId.Should().Be(V2);
        index.FindNode("Dataset:CUSTOMERS-2026")!.Id.Should().Be(Customers);
    }

    [Fact]
    public void As_of_answers_what_a_version_depended_on_at_a_past_instant()
    {
        // v1 was trained on customers from minute 0; at minute 10 the link was replaced by one to a corrected dataset.
        using var index = Index(Version("fraud-detector", "1.0.0"), Dataset("customers-2026"), Dataset("customers-2026-fixed", createdMinute: 9));
        index.Link(V1, LineageEdgeKind.TrainedOn, Customers, createdMinute: 0);
        index.RemoveEdge(V1, LineageEdgeKind.TrainedOn, Customers, null, At(10), "auditor");
        index.Link(V1, LineageEdgeKind.TrainedOn, "dataset:customers-2026-fixed", createdMinute: 10);

        Depths(index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { AsOf = At(5) })).Keys.Should().BeEquivalentTo([V1, Customers]);
        Depths(index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { AsOf = At(9) })).Keys.Should().BeEquivalentTo([V1, Customers], "the fixed dataset existed but was not linked yet");
        Depths(index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { AsOf = At(10) })).Keys.Should().BeEquivalentTo([V1, "dataset:customers-2026-fixed"], "removal and link at the same instant");
        Depths(index.Traverse(V1, LineageDirection.Upstream)).Keys.Should().BeEquivalentTo([V1, "dataset:customers-2026-fixed"]);
    }

    [Fact]
    public void Unlinking_keeps_the_edge_with_its_removal_and_allows_linking_again()
    {
        using var index = Chain();

        var removed = index.RemoveEdge(V1, LineageEdgeKind.TrainedOn, Customers, null, At(5), "auditor");
        var relinked = index.Link(V1, LineageEdgeKind.TrainedOn, Customers, createdMinute: 6);

        removed.RemovedAt.Should().Be(At(5));
        removed.RemovedBy.Should().Be("auditor");
        index.EdgesOf(V1).Where(e => e.Kind == LineageEdgeKind.TrainedOn).Should().BeEquivalentTo([removed, relinked]);
        index.EdgeCount.Should().Be(5);
    }

    [Fact]
    public void Unlinking_an_edge_not_in_force_is_not_found_and_changes_nothing()
    {
        using var index = Chain();
        index.RemoveEdge(V1, LineageEdgeKind.TrainedOn, Customers, null, At(5), "auditor");
        var before = State(index);

        var again = () => index.RemoveEdge(V1, LineageEdgeKind.TrainedOn, Customers, null, At(6), "auditor");
        var wrongKind = () => index.RemoveEdge(V2, LineageEdgeKind.FineTunedFrom, V1, null, At(6), "auditor");

        again.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.NotFound);
        wrongKind.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.NotFound);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Node_kind_filter_lists_matching_nodes_but_walks_through_the_others()
    {
        using var index = Chain();

        var graph = index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { NodeKinds = [LineageNodeKind.Dataset] });

        Depths(graph).Should().Equal(new Dictionary<string, int> { [V2] = 0, [Customers] = 2, [Raw] = 3 });
        graph.Edges.Should().ContainSingle().Which.Should().Match<LineageEdge>(e => e.From == Customers && e.To == Raw);
    }

    [Fact]
    public void Edge_kind_filter_limits_what_is_walked()
    {
        using var index = Chain();

        var graph = index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { EdgeKinds = [LineageEdgeKind.DerivedFrom, LineageEdgeKind.ProducedBy] });

        Depths(graph).Keys.Should().BeEquivalentTo([V2, V1, Run]);
    }

    [Fact]
    public void Both_directions_list_ancestors_and_descendants_but_not_siblings()
    {
        using var index = Chain();
        index.AddOrReplaceNode(Version("other-model", "1.0.0"));
        index.Link("version:other-model/1.0.0", LineageEdgeKind.TrainedOn, Customers);

        var graph = index.Traverse(V1, LineageDirection.Both);

        Depths(graph).Should().Equal(new Dictionary<string, int> { [V1] = 0, [Customers] = 1, [Run] = 1, [V2] = 1, [Raw] = 2 });
        graph.Nodes.Select(n => n.Depth).Should().BeInAscendingOrder();
    }

    [Fact]
    public void Traversal_terminates_on_cycles_of_non_acyclic_kinds_and_lists_each_node_once()
    {
        using var index = Index(Consumer("a"), Consumer("b"), Consumer("c"));
        index.Link("consumer:a", LineageEdgeKind.Consumes, "consumer:b");
        index.Link("consumer:b", LineageEdgeKind.Consumes, "consumer:c");
        index.Link("consumer:c", LineageEdgeKind.Consumes, "consumer:a");

        var graph = index.Traverse("consumer:a", LineageDirection.Both, new LineageQuery { MaxDepth = 50 });

        graph.Nodes.Select(n => n.Node.Id).Should().BeEquivalentTo(["consumer:a", "consumer:b", "consumer:c"]);
        graph.Edges.Should().HaveCount(3).And.OnlyHaveUniqueItems(e => e.Id);
        graph.Truncated.Should().BeFalse();
    }

    [Fact]
    public void Traversal_from_a_node_that_did_not_exist_yet_is_not_found()
    {
        using var index = Index(Dataset("late", createdMinute: 30));

        var act = () => index.Traverse("dataset:late", LineageDirection.Upstream, new LineageQuery { AsOf = At(29) });

        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.NotFound);
        index.Traverse("dataset:late", LineageDirection.Upstream, new LineageQuery { AsOf = At(30) }).Nodes.Should().ContainSingle();
    }

    [Fact]
    public void Closing_a_derivation_cycle_is_refused_with_the_cycle_named_and_changes_nothing()
    {
        using var index = Chain();
        var before = State(index);

        var act = () => index.Link(Raw, LineageEdgeKind.DerivedFrom, V2);

        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.PolicyViolation);
        error.Message.Should().Contain($"[{Raw} -> {V2} -> {V1} -> {Customers} -> {Raw}]");
        error.Subject.Should().Be(Raw);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Acyclic_kinds_are_checked_together_and_removed_edges_do_not_count()
    {
        using var index = Index(Version("m", "1.0.0"), Version("m", "2.0.0"));
        index.Link("version:m/2.0.0", LineageEdgeKind.FineTunedFrom, "version:m/1.0.0");

        var mixed = () => index.Link("version:m/1.0.0", LineageEdgeKind.DerivedFrom, "version:m/2.0.0");
        mixed.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.PolicyViolation);

        index.RemoveEdge("version:m/2.0.0", LineageEdgeKind.FineTunedFrom, "version:m/1.0.0", null, At(1), "tester");
        mixed.Should().NotThrow("the only edge of the cycle was removed");
    }

    [Fact]
    public void Other_kinds_may_form_cycles()
    {
        using var index = Index(Version("m", "1.0.0"), Version("m", "2.0.0"));
        index.Link("version:m/1.0.0", LineageEdgeKind.ReplacedBy, "version:m/2.0.0");

        var act = () => index.Link("version:m/2.0.0", LineageEdgeKind.ReplacedBy, "version:m/1.0.0");

        act.Should().NotThrow();
    }

    [Fact]
    public void Self_links_are_refused()
    {
        using var index = Index(Version("m", "1.0.0"));

        var derived = () => index.Link("version:m/1.0.0", LineageEdgeKind.DerivedFrom, "version:m/1.0.0");
        var replaced = () => index.Link("version:m/1.0.0", LineageEdgeKind.ReplacedBy, "version:m/1.0.0");

        derived.Should().Throw<ModelRegistryException>().Which.Message.Should().Contain("[version:m/1.0.0 -> version:m/1.0.0]");
        replaced.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
        index.EdgeCount.Should().Be(0);
    }

    [Fact]
    public void Linking_the_same_edge_twice_is_refused_but_another_kind_or_custom_kind_is_fine()
    {
        using var index = Chain();

        var twice = () => index.Link(V1, LineageEdgeKind.TrainedOn, Customers);
        var otherKind = () => index.Link(V1, LineageEdgeKind.EvaluatedOn, Customers);
        var custom1 = () => index.AddEdge(Edge(V1, LineageEdgeKind.Custom, Customers, customKind: "validated-on"));
        var custom2 = () => index.AddEdge(Edge(V1, LineageEdgeKind.Custom, Customers, customKind: "profiled-on"));

        twice.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.AlreadyExists);
        otherKind.Should().NotThrow();
        custom1.Should().NotThrow();
        custom2.Should().NotThrow();
        custom1.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.AlreadyExists);
    }

    [Fact]
    public void Linking_an_unrecorded_node_is_not_found_and_changes_nothing()
    {
        using var index = Chain();
        var before = State(index);

        var act = () => index.Link(V1, LineageEdgeKind.TrainedOn, "dataset:missing");

        act.Should().Throw<ModelRegistryException>().Which.Should().Match<ModelRegistryException>(e => e.Code == ErrorCode.NotFound && e.Message.Contains("dataset:missing"));
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Check_edge_reports_the_same_errors_as_add_edge_without_adding()
    {
        using var index = Chain();

        var cycle = () => index.CheckEdge(Edge(Raw, LineageEdgeKind.DerivedFrom, V2));
        var ok = () => index.CheckEdge(Edge(V2, LineageEdgeKind.TrainedOn, Raw));

        cycle.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.PolicyViolation);
        ok.Should().NotThrow();
        index.EdgeCount.Should().Be(4);
    }

    [Fact]
    public void Recording_a_node_again_replaces_it_but_its_kind_cannot_change()
    {
        using var index = Chain();

        var renamed = index.AddOrReplaceNode(Dataset("CUSTOMERS-2026") with { Name = "Customers (v2)", Revision = 2 });
        var changeKind = () => index.AddOrReplaceNode(Node("dataset:customers-2026", LineageNodeKind.Consumer) with { Id = "consumer:customers-2026" });
        var sameIdOtherKind = () => index.AddOrReplaceNode(Node(V1, LineageNodeKind.ModelVersion) with { Kind = LineageNodeKind.Model });

        renamed.Id.Should().Be(Customers, "the id keeps its first spelling");
        index.FindNode(Customers)!.Name.Should().Be("Customers (v2)");
        changeKind.Should().NotThrow("a different prefix is a different node");
        sameIdOtherKind.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
        index.FindNode(V1)!.Kind.Should().Be(LineageNodeKind.ModelVersion);
        index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { MaxDepth = 1 }).Nodes.Should().HaveCount(3, "edges survive a node's replacement");
    }

    [Fact]
    public void Stored_edges_come_back_with_utc_timestamps_and_the_same_values()
    {
        using var index = Chain();
        var edge = Edge(V2, LineageEdgeKind.TrainedOn, Raw, metadata: """{"reason":"backfill"}""") with { CreatedAt = new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.FromHours(2)) };

        var stored = index.AddEdge(edge);

        stored.Should().Be(edge);
        stored.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        stored.CreatedAt.UtcDateTime.Should().Be(new DateTime(2026, 3, 3, 10, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Impact_analysis_orders_production_deployments_and_their_consumers_first()
    {
        // customers <- v1 (Production) <- prod deployment <- checkout
        //           <- v2 (Staging)    <- canary deployment <- beta-app
        //                              <- staging deployment
        //           <- run <- v3 (Development)
        //   v1 -ReplacedBy-> v2 is informational and not followed.
        using var index = Index(
            Dataset("customers"),
            Version("fraud", "1.0.0"),
            Version("fraud", "2.0.0"),
            Version("fraud", "3.0.0"),
            LineageFixtures.Run("r1"),
            Deployment("eu-prod", "production"),
            Deployment("eu-canary", "Canary"),
            Deployment("eu-staging", "staging"),
            Consumer("checkout"),
            Consumer("beta-app"));
        index.Link("version:fraud/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers");
        index.Link("version:fraud/2.0.0", LineageEdgeKind.TrainedOn, "dataset:customers");
        index.Link("run:r1", LineageEdgeKind.TrainedOn, "dataset:customers");
        index.Link("version:fraud/3.0.0", LineageEdgeKind.ProducedBy, "run:r1");
        index.Link("deployment:eu-prod", LineageEdgeKind.DeployedTo, "version:fraud/1.0.0");
        index.Link("deployment:eu-canary", LineageEdgeKind.DeployedTo, "version:fraud/2.0.0");
        index.Link("deployment:eu-staging", LineageEdgeKind.DeployedTo, "version:fraud/2.0.0");
        index.Link("consumer:checkout", LineageEdgeKind.Consumes, "deployment:eu-prod");
        index.Link("consumer:beta-app", LineageEdgeKind.Consumes, "deployment:eu-canary");
        index.Link("version:fraud/1.0.0", LineageEdgeKind.ReplacedBy, "version:fraud/2.0.0");
        var stages = new Dictionary<string, ModelStage>
        {
            ["version:fraud/1.0.0"] = ModelStage.Production,
            ["version:fraud/2.0.0"] = ModelStage.Staging,
            ["version:fraud/3.0.0"] = ModelStage.Development,
        };

        var report = index.AnalyzeImpact("dataset:customers", null, ImpactStages.Classifier(id => stages.TryGetValue(id, out var s) ? s : null));

        report.Items.Select(i => (i.Node.Id, i.Stage, i.Depth)).Should().Equal(
            ("version:fraud/1.0.0", ImpactStage.Production, 1),
            ("deployment:eu-prod", ImpactStage.Production, 2),
            ("consumer:checkout", ImpactStage.Production, 3),
            ("deployment:eu-canary", ImpactStage.Canary, 2),
            ("consumer:beta-app", ImpactStage.Canary, 3),
            ("version:fraud/2.0.0", ImpactStage.Staging, 1),
            ("deployment:eu-staging", ImpactStage.Staging, 2),
            ("version:fraud/3.0.0", ImpactStage.Other, 2));
        report.CountsByStage.Should().Equal(new Dictionary<ImpactStage, int>
        {
            [ImpactStage.Production] = 3,
            [ImpactStage.Canary] = 2,
            [ImpactStage.Staging] = 2,
            [ImpactStage.Other] = 1,
        });
        report.Deployments.Select(d => d.Node.Id).Should().Equal("deployment:eu-prod", "deployment:eu-canary", "deployment:eu-staging");
        report.Consumers.Should().HaveCount(2);
        report.Versions.Should().HaveCount(3);
        report.Items.Single(i => i.Node.Id == "consumer:checkout").Path.Describe()
            .Should().Be("dataset:customers <-TrainedOn- version:fraud/1.0.0 <-DeployedTo- deployment:eu-prod <-Consumes- consumer:checkout");
        report.Truncated.Should().BeFalse();
        report.MaxDepth.Should().Be(LineageQuery.MaxAllowedDepth);
    }

    [Fact]
    public void A_consumer_reached_through_production_and_staging_is_ranked_production_even_on_a_longer_path()
    {
        using var index = Index(Dataset("d"), Version("m", "1.0.0"), Deployment("staging", "staging"), Deployment("prod", "prod"), Consumer("app"), Consumer("gateway"));
        index.Link("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d");
        index.Link("deployment:staging", LineageEdgeKind.DeployedTo, "version:m/1.0.0");
        index.Link("deployment:prod", LineageEdgeKind.DeployedTo, "version:m/1.0.0");
        index.Link("consumer:app", LineageEdgeKind.Consumes, "deployment:staging");
        index.Link("consumer:gateway", LineageEdgeKind.Consumes, "deployment:prod");
        index.Link("consumer:app", LineageEdgeKind.Consumes, "consumer:gateway");

        var report = index.AnalyzeImpact("dataset:d", null, ImpactStages.Classifier(_ => ModelStage.Staging));

        var app = report.Items.Single(i => i.Node.Id == "consumer:app");
        app.Stage.Should().Be(ImpactStage.Production);
        app.Depth.Should().Be(4);
        app.Path.Nodes.Select(n => n.Id).Should().Equal("dataset:d", "version:m/1.0.0", "deployment:prod", "consumer:gateway", "consumer:app");
    }

    [Fact]
    public void Deployment_environments_map_to_impact_stages()
    {
        ImpactStages.FromEnvironment("Production").Should().Be(ImpactStage.Production);
        ImpactStages.FromEnvironment(" prod ").Should().Be(ImpactStage.Production);
        ImpactStages.FromEnvironment("canary").Should().Be(ImpactStage.Canary);
        ImpactStages.FromEnvironment("STAGING").Should().Be(ImpactStage.Staging);
        ImpactStages.FromEnvironment("dev").Should().Be(ImpactStage.Other);
        ImpactStages.FromEnvironment(null).Should().Be(ImpactStage.Other);
        ImpactStages.FromModelStage(ModelStage.Archived).Should().Be(ImpactStage.Other);
    }

    [Fact]
    public void Provenance_marks_root_datasets_with_licence_and_personal_data()
    {
        using var index = Index(
            Dataset("crm-raw", details: new DatasetDetails { License = "proprietary", ContainsPersonalData = true, PersonalDataCategories = ["email", "address"] }),
            Dataset("customers-2026", details: new DatasetDetails { License = "proprietary", ContainsPersonalData = true, PersonalDataCategories = ["email"] }),
            Dataset("public-holidays", details: new DatasetDetails { License = "CC-BY-4.0", ContainsPersonalData = false }),
            Dataset("unrelated"),
            Version("fraud-detector", "1.0.0"),
            Version("fraud-detector", "2.0.0"),
            LineageFixtures.Run("r-17"));
        index.Link(Customers, LineageEdgeKind.DerivedFrom, Raw);
        index.Link(Run, LineageEdgeKind.TrainedOn, Customers);
        index.Link(V1, LineageEdgeKind.ProducedBy, Run);
        index.Link(V2, LineageEdgeKind.FineTunedFrom, V1);
        index.Link(V2, LineageEdgeKind.TrainedOn, "dataset:public-holidays");
        index.Link("dataset:unrelated", LineageEdgeKind.TrainedOn, Raw);

        var report = index.GetProvenance(V2);

        report.Datasets.Select(d => (d.Dataset.Id, d.IsRoot, d.Depth)).Should().Equal(
            ("dataset:public-holidays", true, 1),
            (Raw, true, 4),
            (Customers, false, 3));
        report.Roots.Select(r => r.License).Should().Equal("CC-BY-4.0", "proprietary");
        report.Roots[1].PersonalDataCategories.Should().Equal("email", "address");
        report.Roots[0].ContainsPersonalData.Should().BeFalse();
        report.ContainsPersonalData.Should().BeTrue();
        report.Roots[1].Path.Describe().Should().Be($"{V2} -FineTunedFrom-> {V1} -ProducedBy-> {Run} -TrainedOn-> {Customers} -DerivedFrom-> {Raw}");
    }

    [Fact]
    public void Provenance_as_of_an_earlier_instant_sees_the_datasets_linked_then()
    {
        using var index = Index(Version("m", "1.0.0"), Dataset("old"), Dataset("new", createdMinute: 5));
        index.Link("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:old");
        index.RemoveEdge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:old", null, At(5), "tester");
        index.Link("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:new", createdMinute: 5);

        index.GetProvenance("version:m/1.0.0", new LineageQuery { AsOf = At(4) }).Roots.Select(r => r.Dataset.Id).Should().Equal("dataset:old");
        index.GetProvenance("version:m/1.0.0").Roots.Select(r => r.Dataset.Id).Should().Equal("dataset:new");
    }

    [Fact]
    public void Shortest_path_explains_how_two_nodes_relate_in_either_direction()
    {
        using var index = Chain();
        index.AddOrReplaceNode(Version("other", "1.0.0"));
        index.Link("version:other/1.0.0", LineageEdgeKind.TrainedOn, Customers);

        var path = index.FindPath(V2, "version:other/1.0.0");
        var upstreamOnly = index.FindPath(V2, "version:other/1.0.0", LineageDirection.Upstream);
        var self = index.FindPath(V1, V1);
        var tooShort = index.FindPath(V2, "version:other/1.0.0", LineageDirection.Both, new LineageQuery { MaxDepth = 2 });

        path!.Describe().Should().Be($"{V2} -DerivedFrom-> {V1} -TrainedOn-> {Customers} <-TrainedOn- version:other/1.0.0");
        upstreamOnly.Should().BeNull();
        self!.Length.Should().Be(0);
        self.Nodes.Should().ContainSingle();
        tooShort.Should().BeNull();
    }

    [Fact]
    public void Bulk_load_replaces_the_graph_in_one_pass()
    {
        using var source = Chain();
        var (nodes, edges) = source.ReadAll();
        using var index = Index(Dataset("to-be-replaced"));

        index.Load(nodes, edges);

        index.NodeCount.Should().Be(5);
        index.EdgeCount.Should().Be(4);
        index.FindNode("dataset:to-be-replaced").Should().BeNull();
        Depths(index.Traverse(V2, LineageDirection.Upstream)).Should().Equal(Depths(source.Traverse(V2, LineageDirection.Upstream)));
    }

    [Fact]
    public void Bulk_load_of_damaged_data_is_refused_and_changes_nothing()
    {
        using var index = Chain();
        var before = State(index);
        var (nodes, edges) = index.ReadAll();

        var duplicate = () => index.Load([.. nodes, nodes[0] with { Id = nodes[0].Id.ToUpperInvariant() }], edges);
        var dangling = () => index.Load(nodes, [.. edges, Edge(V1, LineageEdgeKind.TrainedOn, "dataset:gone")]);

        duplicate.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.StorageCorrupted);
        dangling.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.StorageCorrupted);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Snapshot_lists_every_node_and_edge_visible_at_an_instant()
    {
        using var index = Chain();
        index.AddOrReplaceNode(Dataset("later", createdMinute: 10));
        index.RemoveEdge(V1, LineageEdgeKind.ProducedBy, Run, null, At(5), "tester");

        var now = index.Snapshot(null);
        var earlier = index.Snapshot(At(4));

        now.Nodes.Should().HaveCount(6);
        now.Edges.Should().HaveCount(3);
        earlier.Nodes.Should().HaveCount(5);
        earlier.Edges.Should().HaveCount(4);
        now.RootId.Should().BeNull();
    }

    [Fact]
    public void Bad_queries_are_refused_with_the_option_named()
    {
        using var index = Chain();

        var tooDeep = () => index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { MaxDepth = 51 });
        var zero = () => index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { MaxDepth = 0 });
        var noKinds = () => index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { EdgeKinds = [] });
        var badKind = () => index.Traverse(V1, LineageDirection.Upstream, new LineageQuery { NodeKinds = [(LineageNodeKind)42] });
        var badDirection = () => index.Traverse(V1, (LineageDirection)9);
        var empty = () => index.Traverse(" ", LineageDirection.Upstream);

        tooDeep.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("MaxDepth");
        zero.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("MaxDepth");
        noKinds.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("EdgeKinds");
        badKind.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("NodeKinds");
        badDirection.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
        empty.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Stored_changes_from_another_process_are_applied_idempotently()
    {
        using var index = Chain();
        var edge = Edge(V2, LineageEdgeKind.TrainedOn, Raw, createdMinute: 3);

        index.ApplyStoredNode(Dataset("from-elsewhere"));
        index.ApplyStoredEdge(edge);
        index.ApplyStoredEdge(edge);
        index.ApplyStoredEdge(edge with { RemovedAt = At(4), RemovedBy = "other-process" });
        index.ApplyStoredEdge(edge with { RemovedAt = At(4), RemovedBy = "other-process" });

        index.EdgeCount.Should().Be(5);
        index.FindNode("dataset:from-elsewhere").Should().NotBeNull();
        index.EdgesOf(Raw).Single(e => e.Id == edge.Id).Should().Be(edge with { RemovedAt = At(4), RemovedBy = "other-process" });
        Depths(index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { MaxDepth = 1, AsOf = At(3) })).Keys.Should().Contain(Raw);
        Depths(index.Traverse(V2, LineageDirection.Upstream, new LineageQuery { MaxDepth = 1 })).Keys.Should().NotContain(Raw);
    }

    [Fact]
    public void A_cycle_assembled_by_two_processes_is_accepted_from_the_store_and_traversals_still_end()
    {
        using var index = Chain();

        // Each process checked its own link against a graph without the other's edge.
        index.ApplyStoredEdge(Edge(Raw, LineageEdgeKind.DerivedFrom, V2));

        var graph = index.Traverse(V2, LineageDirection.Both, new LineageQuery { MaxDepth = 50 });
        graph.Nodes.Select(n => n.Node.Id).Should().OnlyHaveUniqueItems().And.HaveCount(5);
        var more = () => index.Link(V1, LineageEdgeKind.DerivedFrom, V2);
        more.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.PolicyViolation, "new links are still checked");
    }

    [Fact]
    public void A_stored_edge_to_an_unknown_node_is_reported_as_damage_and_changes_nothing()
    {
        using var index = Chain();
        var before = State(index);

        var act = () => index.ApplyStoredEdge(Edge(V1, LineageEdgeKind.TrainedOn, "dataset:never-stored"));

        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.StorageCorrupted);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void QuikGraph_adjacency_lists_are_read_without_copying()
    {
        // The traversal reads QuikGraph's edge lists through IReadOnlyList; if a QuikGraph update stopped exposing them
        // that way every step would copy, so pin the assumption.
        var graph = new QuikGraph.BidirectionalGraph<int, EdgeEntry>(true);
        graph.AddVertex(0);
        graph.AddVertex(1);
        graph.AddEdge(new EdgeEntry(Guid.NewGuid(), 0, 1, LineageEdgeKind.TrainedOn, 0, "a", EdgeEntry.NotRemoved, null));

        graph.TryGetOutEdges(0, out var outEdges).Should().BeTrue();
        graph.TryGetInEdges(1, out var inEdges).Should().BeTrue();

        outEdges.Should().BeAssignableTo<IReadOnlyList<EdgeEntry>>();
        inEdges.Should().BeAssignableTo<IReadOnlyList<EdgeEntry>>();
    }
}
