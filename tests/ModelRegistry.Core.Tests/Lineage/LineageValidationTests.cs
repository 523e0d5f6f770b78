using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using ModelRegistry.Storage;
using static ModelRegistry.Core.Tests.Lineage.LineageFixtures;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class LineageValidationTests
{
    public static TheoryData<string, LineageNode> BadNodes() => new()
    {
        { "Id", Node("customers", LineageNodeKind.Dataset) },
        { "Id", Node("model:customers", LineageNodeKind.Dataset) },
        { "Id", Node("dataset:", LineageNodeKind.Dataset) },
        { "Id", Node("dataset:   ", LineageNodeKind.Dataset) },
        { "Id", Node(" dataset:x", LineageNodeKind.Dataset) },
        { "Id", Node("dataset:a\nb", LineageNodeKind.Dataset) },
        { "Id", Node("dataset:" + new string('x', 600), LineageNodeKind.Dataset) },
        { "Name", Node("dataset:x", LineageNodeKind.Dataset, name: " ") },
        { "Name", Node("dataset:x", LineageNodeKind.Dataset, name: new string('n', 513)) },
        { "Name", Node("dataset:x", LineageNodeKind.Dataset, name: "nul\0name") },
        { "Name", Node("dataset:x", LineageNodeKind.Dataset, name: "lone \uD800 surrogate") },
        { "Id", Node("dataset:\uDC00", LineageNodeKind.Dataset) },
        { "Kind", Node("dataset:x", (LineageNodeKind)99) },
        { "CustomKind", Node("feature:x", LineageNodeKind.Custom) },
        { "CustomKind", Node("Feature:x", LineageNodeKind.Custom, customKind: "Feature") },
        { "CustomKind", Node("dataset:x", LineageNodeKind.Custom, customKind: "dataset") },
        { "CustomKind", Node("dataset:x", LineageNodeKind.Dataset, customKind: "feature") },
        { "Id", Node("other:x", LineageNodeKind.Custom, customKind: "feature") },
        { "Details", Node("dataset:x", LineageNodeKind.Dataset, details: new ConsumerDetails()) },
        { "Details", Node("version:m/1.0.0", LineageNodeKind.ModelVersion, details: new DatasetDetails()) },
        { "Details.RowCount", Node("dataset:x", LineageNodeKind.Dataset, details: new DatasetDetails { RowCount = -1 }) },
        { "Details.PersonalDataCategories", Node("dataset:x", LineageNodeKind.Dataset, details: new DatasetDetails { PersonalDataCategories = ["email"] }) },
        { "Details.PersonalDataCategories", Node("dataset:x", LineageNodeKind.Dataset, details: new DatasetDetails { ContainsPersonalData = true, PersonalDataCategories = [" "] }) },
        { "Details.EndedAt", Node("run:x", LineageNodeKind.TrainingRun, details: new TrainingRunDetails { StartedAt = At(5), EndedAt = At(4) }) },
        { "Details.Parameters", Node("run:x", LineageNodeKind.TrainingRun, details: new TrainingRunDetails { Parameters = new Dictionary<string, string> { [""] = "1" } }) },
        { "Details.Metrics", Node("evaluation:x", LineageNodeKind.Evaluation, details: new EvaluationDetails { Metrics = new Dictionary<string, double> { ["auc"] = double.NaN } }) },
        { "Details.Environment", Node("deployment:x", LineageNodeKind.Deployment, details: new DeploymentDetails { Environment = "" }) },
        { "Details.TrafficPercent", Node("deployment:x", LineageNodeKind.Deployment, details: new DeploymentDetails { Environment = "prod", TrafficPercent = 101 }) },
        { "Details.TrafficPercent", Node("deployment:x", LineageNodeKind.Deployment, details: new DeploymentDetails { Environment = "prod", TrafficPercent = double.PositiveInfinity }) },
        { "Metadata", Node("dataset:x", LineageNodeKind.Dataset) with { Metadata = "not json" } },
        { "Metadata", Node("dataset:x", LineageNodeKind.Dataset) with { Metadata = "[1,2]" } },
        { "Metadata", Node("dataset:x", LineageNodeKind.Dataset) with { Metadata = $$"""{"blob":"{{new string('x', 70_000)}}"}""" } },
        { "Metadata", Node("dataset:x", LineageNodeKind.Dataset) with { Metadata = "{\"a\":\"\uD800\"}" } },
        { "Metadata", Node("dataset:x", LineageNodeKind.Dataset) with { Metadata = "\uDC00" } },
        { "CreatedBy", Node("dataset:x", LineageNodeKind.Dataset) with { CreatedBy = "" } },
    };

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void A_malformed_node_is_refused_with_the_field_named_and_changes_nothing(string field, LineageNode node)
    {
        using var index = Index(Dataset("existing"));
        var before = State(index);

        var act = () => index.AddOrReplaceNode(node);

        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be(field);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Well_formed_nodes_of_every_kind_are_accepted()
    {
        using var index = new LineageGraphIndex();
        LineageNode[] nodes =
        [
            Node("dataset:customers-2026", LineageNodeKind.Dataset, details: new DatasetDetails
            {
                Uri = "s3://lake/customers/2026",
                Version = "2026.03",
                ContentHash = new string('a', 64),
                RowCount = 1_200_000,
                SchemaSummary = "id, email, country, spend",
                License = "proprietary",
                ContainsPersonalData = true,
                PersonalDataCategories = ["email", "location"],
                SourceSystem = "crm",
            }),
            Node("run:r-1", LineageNodeKind.TrainingRun, details: new TrainingRunDetails { CodeCommit = "abc123", Parameters = new Dictionary<string, string> { ["lr"] = "0.01" }, StartedAt = At(1), EndedAt = At(2) }),
            Node("evaluation:holdout", LineageNodeKind.Evaluation, details: new EvaluationDetails { Suite = "holdout", DatasetId = "dataset:customers-2026", Metrics = new Dictionary<string, double> { ["auc"] = 0.93 } }),
            Node("deployment:eu", LineageNodeKind.Deployment, details: new DeploymentDetails { Environment = "production", Endpoint = "https://x", Region = "eu-west-1", TrafficPercent = 100 }),
            Node("consumer:checkout", LineageNodeKind.Consumer, details: new ConsumerDetails { Description = "Scores orders" }),
            Node("version:fraud/1.0.0", LineageNodeKind.ModelVersion, name: "fraud 1.0.0 \"quoted\" <b>\n漢字 🚀"),
            Node("model:fraud", LineageNodeKind.Model) with { Metadata = """{"team":"risk"}""" },
            Node("feature-store:orders", LineageNodeKind.Custom, customKind: "feature-store"),
        ];

        foreach (var node in nodes)
        {
            index.AddOrReplaceNode(node).Should().Be(node);
        }

        index.NodeCount.Should().Be(nodes.Length);
    }

    public static TheoryData<string, LineageEdge> BadEdges() => new()
    {
        { "Id", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d") with { Id = Guid.Empty } },
        { "From", Edge("", LineageEdgeKind.TrainedOn, "dataset:d") },
        { "Kind", Edge("version:m/1.0.0", (LineageEdgeKind)77, "dataset:d") },
        { "CustomKind", Edge("version:m/1.0.0", LineageEdgeKind.Custom, "dataset:d") },
        { "CustomKind", Edge("version:m/1.0.0", LineageEdgeKind.Custom, "dataset:d", customKind: "Bad Kind") },
        { "CustomKind", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", customKind: "validated-on") },
        { "CreatedBy", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d") with { CreatedBy = " " } },
        { "RemovedBy", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d") with { RemovedAt = At(1) } },
        { "RemovedAt", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", createdMinute: 5) with { RemovedAt = At(1), RemovedBy = "x" } },
        { "Metadata", Edge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", metadata: "{") },
        { "To", Edge("version:m/1.0.0", LineageEdgeKind.ReplacedBy, "version:m/1.0.0") },
    };

    [Theory]
    [MemberData(nameof(BadEdges))]
    public void A_malformed_edge_is_refused_with_the_field_named_and_changes_nothing(string field, LineageEdge edge)
    {
        using var index = Index(Version("m", "1.0.0"), Dataset("d"));
        var before = State(index);

        var act = () => index.AddEdge(edge);

        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be(field);
        State(index).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_metadata_limit_is_configurable()
    {
        using var index = new LineageGraphIndex(maxMetadataBytes: 1024);

        var big = () => index.AddOrReplaceNode(Dataset("d") with { Metadata = $$"""{"x":"{{new string('é', 600)}}"}""" });

        big.Should().Throw<ModelRegistryException>().Which.Message.Should().Contain("1208 bytes").And.Contain("1024");
    }

    [Fact]
    public void Removing_before_the_edge_was_created_or_without_an_actor_is_refused()
    {
        using var index = Index(Version("m", "1.0.0"), Dataset("d"));
        index.Link("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", createdMinute: 5);

        var early = () => index.RemoveEdge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", null, At(4), "x");
        var anonymous = () => index.RemoveEdge("version:m/1.0.0", LineageEdgeKind.TrainedOn, "dataset:d", null, At(6), " ");

        early.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("removedAt");
        anonymous.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("removedBy");
        index.EdgesOf("dataset:d").Should().ContainSingle().Which.IsActive.Should().BeTrue();
    }

    [Fact]
    public void Node_ids_are_built_with_the_kind_prefix()
    {
        LineageNodeIds.Dataset("customers-2026").Should().Be("dataset:customers-2026");
        LineageNodeIds.Model("fraud-detector").Should().Be("model:fraud-detector");
        LineageNodeIds.Version("fraud-detector", "1.2.0").Should().Be("version:fraud-detector/1.2.0");
        LineageNodeIds.Version("fraud-detector", "1.2.0-rc.1+build.7").Should().Be("version:fraud-detector/1.2.0-rc.1", "build metadata does not distinguish versions");
        LineageNodeIds.Version("fraud-detector", SemanticVersion.Parse("2.0.0+x")).Should().Be("version:fraud-detector/2.0.0");
        LineageNodeIds.TrainingRun("r-17").Should().Be("run:r-17");
        LineageNodeIds.Evaluation("holdout").Should().Be("evaluation:holdout");
        LineageNodeIds.Deployment("eu-prod").Should().Be("deployment:eu-prod");
        LineageNodeIds.Consumer("checkout").Should().Be("consumer:checkout");
        LineageNodeIds.Custom("feature-store", "orders").Should().Be("feature-store:orders");
    }

    [Fact]
    public void Node_id_builders_refuse_bad_input()
    {
        var version = () => LineageNodeIds.Version("m", "one");
        var emptyName = () => LineageNodeIds.Dataset(" ");
        var builtIn = () => LineageNodeIds.Custom("dataset", "x");
        var custom = () => LineageNodeIds.PrefixOf(LineageNodeKind.Custom);

        version.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("version");
        emptyName.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("name");
        builtIn.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("customKind");
        custom.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Nodes_and_edges_round_trip_through_the_store_serializer_with_typed_details()
    {
        var node = Node("dataset:customers", LineageNodeKind.Dataset, details: new DatasetDetails { License = "MIT", ContainsPersonalData = true, PersonalDataCategories = ["email"], RowCount = 3 }) with { Metadata = """{"a":1}""" };
        var run = Node("run:r", LineageNodeKind.TrainingRun, details: new TrainingRunDetails { Parameters = new Dictionary<string, string> { ["lr"] = "0.1" }, StartedAt = At(1) });
        var edge = Edge("version:m/1.0.0", LineageEdgeKind.Custom, "dataset:customers", customKind: "profiled-on") with { RemovedAt = At(3), RemovedBy = "x" };

        var nodeBack = StoreSerializer.Deserialize<LineageNode>(StoreSerializer.Serialize(node));
        var runBack = StoreSerializer.Deserialize<LineageNode>(StoreSerializer.Serialize(run));
        var edgeBack = StoreSerializer.Deserialize<LineageEdge>(StoreSerializer.Serialize(edge));

        nodeBack.Should().BeEquivalentTo(node, o => o.RespectingRuntimeTypes());
        nodeBack.Details.Should().BeOfType<DatasetDetails>();
        runBack.Details.Should().BeOfType<TrainingRunDetails>().Which.Parameters.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.1" });
        edgeBack.Should().Be(edge);
        StoreSerializer.Serialize(edge).Should().Contain("\"Kind\":\"Custom\"");
    }
}
