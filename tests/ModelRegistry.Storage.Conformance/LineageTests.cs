using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Lineage;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// The lineage tracker on a store: nodes and edges persisted as documents with their audit records, refusals that
/// write nothing, cycles, as-of history, impact, provenance, the edges registry actions record by themselves, export,
/// and catch-up across registry instances that share a store.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class LineageTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private const string NodeCollection = "lineage.node";
    private const string EdgeCollection = "lineage.edge";

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected ILineageTracker Lineage => Services.Lineage;

    // ------------------------------------------------------------------------------------------------------------
    // Recording nodes

    [Fact]
    public virtual async Task Recording_a_node_stores_it_with_an_audit_record_and_recording_again_bumps_the_revision()
    {
        var first = await Lineage.RecordNodeAsync(Dataset("customers", license: "CC-BY-4.0"), Ct);
        first.Revision.Should().Be(1);
        first.CreatedBy.Should().Be("alice");
        first.CreatedAt.Should().Be(Start);

        Time.Advance(TimeSpan.FromMinutes(5));
        Actor.Current = "bob";
        var second = await Lineage.RecordNodeAsync(Dataset("Customers", license: "MIT") with { Name = "Customers (v2)", ExpectedRevision = 1 }, Ct);
        second.Revision.Should().Be(2);
        second.Id.Should().Be("dataset:customers", "a node keeps the spelling it was first recorded with");
        second.CreatedAt.Should().Be(Start, "re-recording replaces the description, not the history");
        second.CreatedBy.Should().Be("alice");

        var read = await Lineage.GetNodeAsync("DATASET:CUSTOMERS", Ct);
        read.Should().BeEquivalentTo(second);
        ((DatasetDetails)read.Details!).License.Should().Be("MIT");

        var stored = await Store.FindDocumentAsync(NodeCollection, "DATASET:CUSTOMERS", Ct);
        stored.Should().NotBeNull();
        stored!.Revision.Should().Be(2);

        var audit = await AuditAsync("lineage.node_recorded");
        audit.Select(r => (r.Subject, r.Actor)).Should().Equal(("dataset:customers", "alice"), ("dataset:customers", "bob"));
        audit[1].Data.Should().Contain("Customers (v2)");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task Refused_node_recordings_write_nothing()
    {
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        var before = await LineageStateAsync();

        await ShouldFailAsync(() => Lineage.RecordNodeAsync(Dataset("customers") with { ExpectedRevision = 0 }, Ct), ErrorCode.ConcurrencyConflict);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(Dataset("customers") with { ExpectedRevision = 7 }, Ct), ErrorCode.ConcurrencyConflict);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(Dataset("other") with { Metadata = $"{{\"blob\":\"{new string('x', 70_000)}\"}}" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(Dataset("other") with { Metadata = "[1,2]" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(Dataset("other") with { Metadata = "{not json" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("run:7", LineageNodeKind.Dataset, "wrong prefix"), Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("run:7", LineageNodeKind.TrainingRun, "r") { Details = new DatasetDetails() }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("version:m1/1.0.0", LineageNodeKind.ModelVersion, "v"), Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("model:m1", LineageNodeKind.Model, "m"), Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("version:m1/1.0.0", LineageNodeKind.Custom, "c") { CustomKind = "version" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("dataset:x", LineageNodeKind.Dataset, "   "), Ct), ErrorCode.InvalidArgument);

        await ShouldBeUnchangedAsync(before);
        (await Lineage.GetNodeAsync("dataset:customers", Ct)).Revision.Should().Be(1);
        await ShouldFailAsync(() => Lineage.GetNodeAsync("dataset:other", Ct), ErrorCode.NotFound);
    }

    [Fact]
    public virtual async Task Version_and_model_nodes_are_the_registrys_described_with_their_current_stage_and_never_stored()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        var before = await LineageStateAsync();

        var node = await Lineage.RecordNodeAsync(new RecordNodeRequest("version:m1/1.0.0+build.7", LineageNodeKind.ModelVersion, "ignored"), Ct);
        node.Id.Should().Be("version:m1/1.0.0", "build metadata does not distinguish versions");
        node.Kind.Should().Be(LineageNodeKind.ModelVersion);
        Stage(node).Should().Be("Development");
        await ShouldBeUnchangedAsync(before);
        (await Store.ListDocumentsAsync(new DocumentQuery(NodeCollection), Ct)).Should().BeEmpty();

        await ShouldFailAsync(() => Lineage.RecordNodeAsync(new RecordNodeRequest("version:m1/1.0.0", LineageNodeKind.ModelVersion, "v") { Metadata = "{}" }, Ct), ErrorCode.InvalidArgument);

        await PromoteAsync("m1", "1.0.0", ModelStage.Staging);
        Stage(await Lineage.GetNodeAsync("VERSION:M1/1.0.0", Ct)).Should().Be("Staging", "the tracker follows the registry's changes");

        var model = await Lineage.GetNodeAsync("model:M1", Ct);
        model.Kind.Should().Be(LineageNodeKind.Model);
        model.Name.Should().Be("m1");
        await ShouldFailAsync(() => Lineage.GetNodeAsync("version:m1/9.9.9", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.GetNodeAsync("version:m1/not-a-version", Ct), ErrorCode.InvalidArgument);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Linking and unlinking

    [Fact]
    public virtual async Task Link_and_unlink_are_audited_and_unlinking_keeps_the_edge_with_its_removal()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);

        Time.Advance(TimeSpan.FromHours(1));
        var edge = await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers") { Metadata = """{"split":"train"}""" }, Ct);
        edge.CreatedAt.Should().Be(Start.AddHours(1));
        edge.CreatedBy.Should().Be("alice");
        edge.IsActive.Should().BeTrue();

        Time.Advance(TimeSpan.FromHours(1));
        Actor.Current = "bob";
        var removed = await Lineage.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        removed.Id.Should().Be(edge.Id);
        removed.RemovedAt.Should().Be(Start.AddHours(2));
        removed.RemovedBy.Should().Be("bob");
        removed.Metadata.Should().Be(edge.Metadata);

        var document = await Store.FindDocumentAsync(EdgeCollection, edge.Id.ToString("D"), Ct);
        document.Should().NotBeNull("unlinking never deletes");
        document!.Revision.Should().Be(2);

        var linked = (await AuditAsync("lineage.linked")).Should().ContainSingle().Which;
        linked.Subject.Should().Be("version:m1/1.0.0");
        linked.Actor.Should().Be("alice");
        var unlinked = (await AuditAsync("lineage.unlinked")).Should().ContainSingle().Which;
        unlinked.Actor.Should().Be("bob");
        unlinked.Timestamp.Should().Be(Start.AddHours(2));

        (await Lineage.GetUpstreamAsync("version:m1/1.0.0", cancellationToken: Ct)).Edges.Should().BeEmpty();
        var before = await LineageStateAsync();
        await ShouldFailAsync(() => Lineage.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct), ErrorCode.NotFound);
        await ShouldBeUnchangedAsync(before);

        var again = await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        again.Id.Should().NotBe(edge.Id, "a new link is a new edge; the old one stays in history");
    }

    [Fact]
    public virtual async Task Refused_links_write_nothing()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        var before = await LineageStateAsync();

        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "DATASET:customers"), Ct), ErrorCode.AlreadyExists);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:unknown"), Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/2.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:nope/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("dataset:customers", LineageEdgeKind.Consumes, "dataset:customers"), Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.EvaluatedOn, "dataset:customers") { Metadata = "\"text\"" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.Custom, "dataset:customers") { CustomKind = "Bad Kind" }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", (LineageEdgeKind)42, "dataset:customers"), Ct), ErrorCode.InvalidArgument);

        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task A_link_that_would_close_a_cycle_is_refused_naming_the_cycle_and_writes_nothing()
    {
        foreach (var key in new[] { "a", "b", "c" })
        {
            await Lineage.RecordNodeAsync(Dataset(key), Ct);
        }

        await Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        await Lineage.LinkAsync(new LinkRequest("dataset:b", LineageEdgeKind.DerivedFrom, "dataset:c"), Ct);
        var before = await LineageStateAsync();

        var ex = await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.DerivedFrom, "dataset:a"), Ct), ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("dataset:c -> dataset:a -> dataset:b -> dataset:c");
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.TrainedOn, "dataset:a"), Ct), ErrorCode.PolicyViolation);
        await ShouldBeUnchangedAsync(before);

        // Other kinds may form cycles, and traversals never loop on them.
        await Lineage.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.Consumes, "dataset:a"), Ct);
        var all = await Lineage.GetLineageAsync("dataset:a", new LineageQuery { MaxDepth = 50 }, Ct);
        all.Nodes.Select(n => n.Node.Id).Should().BeEquivalentTo(["dataset:a", "dataset:b", "dataset:c"]);

        // Registry versions take part in the rule too: 1.1.0 was derived from 1.0.0 by the registry itself.
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "c2", DerivedFrom = "models:/m1/1.0.0" }, Ct);
        var cycle = await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.FineTunedFrom, "version:m1/1.1.0"), Ct), ErrorCode.PolicyViolation);
        cycle.Message.Should().Contain("version:m1/1.0.0 -> version:m1/1.1.0 -> version:m1/1.0.0");
    }

    // ------------------------------------------------------------------------------------------------------------
    // History

    [Fact]
    public virtual async Task Traversals_answer_as_of_an_instant()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        Time.Advance(TimeSpan.FromHours(1));
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        Time.Advance(TimeSpan.FromHours(1));
        await Lineage.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);

        async Task<IEnumerable<string>> UpstreamAsOf(DateTimeOffset? asOf)
            => (await Lineage.GetUpstreamAsync("version:m1/1.0.0", new LineageQuery { AsOf = asOf }, Ct)).Nodes.Select(n => n.Node.Id);

        (await UpstreamAsOf(Start.AddMinutes(30))).Should().Equal("version:m1/1.0.0");
        (await UpstreamAsOf(Start.AddMinutes(90))).Should().Equal("version:m1/1.0.0", "dataset:customers");
        (await UpstreamAsOf(Start.AddHours(2))).Should().Equal("version:m1/1.0.0");
        (await UpstreamAsOf(null)).Should().Equal("version:m1/1.0.0");
        await ShouldFailAsync(() => Lineage.GetDownstreamAsync("dataset:customers", new LineageQuery { AsOf = Start.AddMinutes(-1) }, Ct), ErrorCode.NotFound);
    }

    [Fact]
    public virtual async Task Production_history_answers_what_was_in_production_on_a_given_day()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "1.1.0");
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);

        var march3 = new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);
        var march5 = new DateTimeOffset(2026, 3, 5, 10, 0, 0, TimeSpan.Zero);
        var march7 = new DateTimeOffset(2026, 3, 7, 10, 0, 0, TimeSpan.Zero);
        Time.SetUtcNow(march3);
        await PromoteAsync("m1", "1.0.0", ModelStage.Production);
        Time.SetUtcNow(march5);
        await PromoteAsync("m1", "1.1.0", ModelStage.Production);
        Time.SetUtcNow(march7);
        await Registry.RollbackAsync("m1", "latency regression", Ct);

        async Task<string?> InProduction(DateTimeOffset? asOf)
        {
            var served = await Lineage.GetUpstreamAsync("deployment:m1/production", new LineageQuery { AsOf = asOf, MaxDepth = 1, EdgeKinds = [LineageEdgeKind.DeployedTo] }, Ct);
            return served.Nodes.Where(n => n.Depth == 1).Select(n => n.Node.Id).SingleOrDefault();
        }

        await ShouldFailAsync(() => InProduction(march3.AddHours(-1)), ErrorCode.NotFound);
        (await InProduction(march3)).Should().Be("version:m1/1.0.0");
        (await InProduction(march3.AddDays(1))).Should().Be("version:m1/1.0.0");
        (await InProduction(march5)).Should().Be("version:m1/1.1.0", "the new edge starts at the instant the old one ends");
        (await InProduction(march5.AddDays(1))).Should().Be("version:m1/1.1.0");
        (await InProduction(march7)).Should().Be("version:m1/1.0.0", "a rollback moves production back");
        (await InProduction(null)).Should().Be("version:m1/1.0.0");

        // "What did the production model depend on on 4 March?"
        var march4 = await Lineage.GetUpstreamAsync("deployment:m1/production", new LineageQuery { AsOf = march3.AddDays(1) }, Ct);
        march4.Nodes.Select(n => n.Node.Id).Should().Contain("dataset:customers");

        var deployment = await Lineage.GetNodeAsync("deployment:m1/production", Ct);
        deployment.Kind.Should().Be(LineageNodeKind.Deployment);
        ((DeploymentDetails)deployment.Details!).Environment.Should().Be("production");
        deployment.CreatedAt.Should().Be(march3);

        var edges = (await Lineage.GetUpstreamAsync("deployment:m1/production", new LineageQuery { MaxDepth = 1 }, Ct)).Edges;
        edges.Should().ContainSingle(e => e.IsActive).Which.To.Should().Be("version:m1/1.0.0");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Impact and provenance

    [Fact]
    public virtual async Task Impact_analysis_lists_production_first_and_follows_the_registrys_stages()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "1.1.0");
        await CreateVersionAsync("m1", "1.2.0");
        await PromoteAsync("m1", "1.0.0", ModelStage.Production);
        await PromoteAsync("m1", "1.1.0", ModelStage.Staging);
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        await Lineage.RecordNodeAsync(new RecordNodeRequest("consumer:checkout", LineageNodeKind.Consumer, "Checkout") { Details = new ConsumerDetails { Description = "scores payments" } }, Ct);
        foreach (var v in new[] { "1.0.0", "1.1.0", "1.2.0" })
        {
            await Lineage.LinkAsync(new LinkRequest($"version:m1/{v}", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        }

        await Lineage.LinkAsync(new LinkRequest("consumer:checkout", LineageEdgeKind.Consumes, "deployment:m1/production"), Ct);

        var report = await Lineage.AnalyzeImpactAsync("dataset:customers", cancellationToken: Ct);
        report.Items.Select(i => (i.Node.Id, i.Stage, i.Depth)).Should().Equal(
            ("version:m1/1.0.0", ImpactStage.Production, 1),
            ("deployment:m1/production", ImpactStage.Production, 2),
            ("consumer:checkout", ImpactStage.Production, 3),
            ("version:m1/1.1.0", ImpactStage.Staging, 1),
            ("version:m1/1.2.0", ImpactStage.Other, 1));
        report.CountsByStage.Should().BeEquivalentTo(new Dictionary<ImpactStage, int>
        {
            [ImpactStage.Production] = 3,
            [ImpactStage.Canary] = 0,
            [ImpactStage.Staging] = 1,
            [ImpactStage.Other] = 1,
        });
        report.Consumers.Single().Path.Describe().Should().Be("dataset:customers <-TrainedOn- version:m1/1.0.0 <-DeployedTo- deployment:m1/production <-Consumes- consumer:checkout");

        // The registry moves on; the next analysis ranks by the new stages.
        await PromoteAsync("m1", "1.1.0", ModelStage.Production);
        var after = await Lineage.AnalyzeImpactAsync("dataset:customers", cancellationToken: Ct);
        after.Items.Select(i => (i.Node.Id, i.Stage)).Should().Equal(
            ("version:m1/1.1.0", ImpactStage.Production),
            ("deployment:m1/production", ImpactStage.Production),
            ("consumer:checkout", ImpactStage.Production),
            ("version:m1/1.0.0", ImpactStage.Other),
            ("version:m1/1.2.0", ImpactStage.Other));
    }

    [Fact]
    public virtual async Task Provenance_reports_root_datasets_with_licence_and_personal_data()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("crm-export", license: "CC-BY-4.0", personalData: true, categories: ["email", "address"]), Ct);
        await Lineage.RecordNodeAsync(Dataset("clean", license: "internal", personalData: false), Ct);
        await Lineage.RecordNodeAsync(Dataset("holdout"), Ct);
        await Lineage.RecordNodeAsync(new RecordNodeRequest("run:r1", LineageNodeKind.TrainingRun, "run 1") { Details = new TrainingRunDetails { CodeCommit = "abc123" } }, Ct);
        await Lineage.LinkAsync(new LinkRequest("dataset:clean", LineageEdgeKind.DerivedFrom, "dataset:crm-export"), Ct);
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.ProducedBy, "run:r1"), Ct);
        await Lineage.LinkAsync(new LinkRequest("run:r1", LineageEdgeKind.TrainedOn, "dataset:clean"), Ct);
        await Lineage.LinkAsync(new LinkRequest("run:r1", LineageEdgeKind.TrainedOn, "dataset:holdout"), Ct);

        var report = await Lineage.GetProvenanceAsync("version:m1/1.0.0", cancellationToken: Ct);
        report.Datasets.Select(d => (d.Dataset.Id, d.IsRoot, d.Depth)).Should().Equal(
            ("dataset:holdout", true, 2),
            ("dataset:crm-export", true, 3),
            ("dataset:clean", false, 2));
        report.ContainsPersonalData.Should().BeTrue();
        var crm = report.Roots.Single(r => r.Dataset.Id == "dataset:crm-export");
        crm.License.Should().Be("CC-BY-4.0");
        crm.ContainsPersonalData.Should().BeTrue();
        crm.PersonalDataCategories.Should().Equal("email", "address");
        crm.Path.Describe().Should().Be("version:m1/1.0.0 -ProducedBy-> run:r1 -TrainedOn-> dataset:clean -DerivedFrom-> dataset:crm-export");
        report.Roots.Single(r => r.Dataset.Id == "dataset:holdout").ContainsPersonalData.Should().BeNull("not declared");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Edges the registry records by itself

    [Fact]
    public virtual async Task Creating_a_derived_version_links_it_to_its_parent_in_the_same_commit()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        var child = await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "c2", DerivedFrom = "models:/m1/1.0.0" }, Ct);

        var upstream = await Lineage.GetUpstreamAsync("version:m1/1.1.0", cancellationToken: Ct);
        upstream.Edges.Should().ContainSingle().Which.Should().Match<LineageEdge>(e =>
            e.Kind == LineageEdgeKind.DerivedFrom && e.From == "version:m1/1.1.0" && e.To == "version:m1/1.0.0" && e.CreatedBy == "alice" && e.CreatedAt == child.CreatedAt);

        var records = await AuditAsync();
        var created = records.Single(r => r.Action == "version.created" && r.Subject == "version:m1/1.1.0");
        var linked = records.Single(r => r.Action == "lineage.linked");
        linked.Sequence.Should().Be(created.Sequence + 1, "the edge is committed with the version");
        linked.Timestamp.Should().Be(created.Timestamp);
        linked.Subject.Should().Be("version:m1/1.1.0");

        // A refused creation records no edge either.
        var before = await LineageStateAsync();
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.2.0", DerivedFrom = "models:/m1/9.0.0" }, Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "c3", DerivedFrom = "models:/m1/1.0.0" }, Ct), ErrorCode.AlreadyExists);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task A_version_recreated_after_its_model_was_deleted_is_refused_when_its_kept_lineage_would_close_a_cycle()
    {
        // p/1.0.0 depends on x, which depends on the deleted m1/1.0.0.
        await RetiredVersionAsync("p", registerAgainAs: "M1", beforeDeleting: () => Lineage.LinkAsync(new LinkRequest("version:p/1.0.0", LineageEdgeKind.DerivedFrom, "dataset:x"), Ct));
        var before = await LineageStateAsync();
        var audit = await AuditAsync();

        // The same model name in another case, an explicit and an automatic version number: all the same node.
        var ex = await ShouldFailAsync(() => Registry.CreateVersionAsync("M1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c9", DerivedFrom = "models:/p/1.0.0" }, Ct), ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("version:M1/1.0.0 -> version:p/1.0.0 -> dataset:x -> version:M1/1.0.0");
        ex.Subject.Should().Be("version:M1/1.0.0");
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "c9", DerivedFrom = "models:/p/1.0.0" }, Ct), ErrorCode.PolicyViolation);

        await ShouldBeUnchangedAsync(before);
        (await AuditAsync()).Should().BeEquivalentTo(audit, o => o.WithStrictOrdering());
        await ShouldFailAsync(() => Registry.GetVersionAsync("m1", "1.0.0", Ct), ErrorCode.NotFound);

        // With another number, the version is created and linked.
        var derived = await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "2.0.0", SourceCommit = "c10", DerivedFrom = "models:/p/1.0.0" }, Ct);
        (await Lineage.GetUpstreamAsync("version:m1/2.0.0", cancellationToken: Ct)).Edges
            .Should().Contain(e => e.Kind == LineageEdgeKind.DerivedFrom && string.Equals(e.From, "version:m1/2.0.0", StringComparison.OrdinalIgnoreCase) && e.To == "version:p/1.0.0" && e.CreatedAt == derived.CreatedAt);

        // Deleted again (with 2.0.0 only): the ids retired by both deletions count.
        await Registry.DeleteModelAsync("m1", cancellationToken: Ct);
        await RegisterAsync("m1");
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c11", DerivedFrom = "models:/p/1.0.0" }, Ct), ErrorCode.PolicyViolation);

        // Without the parent that closes the cycle, the number is free.
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c11" }, Ct)).Version.ToString().Should().Be("1.0.0");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task A_version_recreated_after_its_model_was_deleted_derives_from_an_unrelated_parent_and_links_normally()
    {
        await RetiredVersionAsync("q");

        var child = await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c9", DerivedFrom = "models:/q/1.0.0" }, Ct);

        (await Registry.GetVersionAsync("m1", "1.0.0", Ct)).DerivedFrom.Should().Be(child.DerivedFrom);
        var upstream = await Lineage.GetUpstreamAsync("version:m1/1.0.0", cancellationToken: Ct);
        upstream.Edges.Should().ContainSingle(e => e.From == "version:m1/1.0.0").Which.Should().Match<LineageEdge>(e =>
            e.Kind == LineageEdgeKind.DerivedFrom && e.To == "version:q/1.0.0" && e.CreatedAt == child.CreatedAt);
        var records = await AuditAsync();
        var created = records.Single(r => r.Action == "version.created" && r.Subject == "version:m1/1.0.0" && r.Sequence > records.Single(d => d.Action == "model.deleted").Sequence);
        records.Single(r => r.Sequence == created.Sequence + 1).Action.Should().Be("lineage.linked", "the edge is committed with the version");

        // The kept edge still counts: a link through the tracker that would close a cycle with the new edge is refused.
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("version:q/1.0.0", LineageEdgeKind.TrainedOn, "dataset:x"), Ct), ErrorCode.PolicyViolation);
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task A_recreated_version_checked_while_another_tracker_closes_the_cycle_is_checked_again_and_refused()
    {
        await RetiredVersionAsync("p");

        var store = new InterceptingStore(Store);
        await using var one = Sharing(store, "alice");
        await using var two = Sharing(Store, "bob");
        await two.Lineage.ExportAsync(TextWriter.Null, LineageExportFormat.Json, cancellationToken: Ct);

        // No cycle when the version is checked; bob's link p -> x then commits first, and would close one with it.
        store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("version:p/1.0.0", LineageEdgeKind.DerivedFrom, "dataset:x"), Ct));
        var ex = await ShouldFailAsync(() => one.Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "c9", DerivedFrom = "models:/p/1.0.0" }, Ct), ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("version:m1/1.0.0 -> version:p/1.0.0 -> dataset:x -> version:m1/1.0.0");
        store.Commits.Should().Be(1, "the first attempt lost the race on the guard, and the retry was refused before committing");

        await ShouldFailAsync(() => Registry.GetVersionAsync("m1", "1.0.0", Ct), ErrorCode.NotFound);
        var linked = await AuditAsync("lineage.linked");
        linked.Select(r => r.Subject).Should().Equal("dataset:x", "version:p/1.0.0");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task A_derived_version_whose_id_was_never_retired_is_linked_without_walking_the_graph()
    {
        var store = new InterceptingStore(Store);
        await using var services = Sharing(store, "alice");
        var registry = services.Registry;
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "m1", Owners = ["team-ml"] }, Ct);
        await registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" }, Ct);
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "gone", Owners = ["team-ml"] }, Ct);
        await registry.CreateVersionAsync("gone", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" }, Ct);
        await registry.DeleteModelAsync("gone", cancellationToken: Ct);
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "gone", Owners = ["team-ml"] }, Ct);
        var listings = store.IndexedListings;

        // A model never deleted, and a deleted one re-created with a number it never had: no edge listing at all.
        await registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "c2", DerivedFrom = "models:/m1/1.0.0" }, Ct);
        await registry.CreateVersionAsync("gone", new CreateVersionRequest { Version = "2.0.0", SourceCommit = "c2", DerivedFrom = "models:/m1/1.1.0" }, Ct);
        store.IndexedListings.Should().Be(listings);

        // The number the deleted model had is walked (and, finding no cycle, created and linked).
        await registry.CreateVersionAsync("gone", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c3", DerivedFrom = "models:/m1/1.1.0" }, Ct);
        store.IndexedListings.Should().BeGreaterThan(listings);

        (await Lineage.GetUpstreamAsync("version:gone/2.0.0", new LineageQuery { MaxDepth = 5 }, Ct)).Nodes.Select(n => n.Node.Id)
            .Should().BeEquivalentTo(["version:gone/2.0.0", "version:m1/1.1.0", "version:m1/1.0.0"]);
    }

    [Fact]
    public virtual async Task Deprecating_with_a_replacement_links_the_models_and_undeprecating_unlinks_them()
    {
        await RegisterAsync("old-model");
        await RegisterAsync("new-model");
        Time.Advance(TimeSpan.FromHours(1));
        await Registry.DeprecateModelAsync("old-model", "superseded", "NEW-MODEL", Ct);

        var path = await Lineage.FindPathAsync("model:old-model", "model:new-model", LineageDirection.Upstream, cancellationToken: Ct);
        path.Should().NotBeNull();
        path!.Describe().Should().Be("model:old-model -ReplacedBy-> model:new-model");
        (await AuditAsync("lineage.linked")).Should().ContainSingle().Which.Subject.Should().Be("model:old-model");

        Time.Advance(TimeSpan.FromHours(1));
        await Registry.UndeprecateModelAsync("old-model", Ct);
        (await Lineage.FindPathAsync("model:old-model", "model:new-model", cancellationToken: Ct)).Should().BeNull();
        (await Lineage.FindPathAsync("model:old-model", "model:new-model", query: new LineageQuery { AsOf = Start.AddMinutes(90) }, cancellationToken: Ct)).Should().NotBeNull("history keeps the replacement");
        (await AuditAsync("lineage.unlinked")).Should().ContainSingle().Which.Timestamp.Should().Be(Start.AddHours(2));

        // Deprecating without a replacement records no edge.
        await Registry.DeprecateModelAsync("old-model", "retired", cancellationToken: Ct);
        (await AuditAsync("lineage.linked")).Should().ContainSingle();
    }

    [Fact]
    public virtual async Task Leaving_production_unlinks_the_production_deployment()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await PromoteAsync("m1", "1.0.0", ModelStage.Production);
        (await AuditAsync()).Select(r => r.Action).TakeLast(3).Should().Equal("version.stage_changed", "lineage.node_recorded", "lineage.linked");

        Time.Advance(TimeSpan.FromDays(1));
        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Archived, cancellationToken: Ct);
        var served = await Lineage.GetUpstreamAsync("deployment:m1/production", cancellationToken: Ct);
        served.Nodes.Should().ContainSingle("nothing is in production any more");
        (await Lineage.GetUpstreamAsync("deployment:m1/production", new LineageQuery { AsOf = Start.AddHours(1) }, Ct)).Nodes.Should().HaveCount(2);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Export

    [Fact]
    public virtual async Task Export_writes_the_whole_graph_or_a_traversal_in_every_format()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "2.0.0");
        await Lineage.RecordNodeAsync(new RecordNodeRequest("dataset:quotes", LineageNodeKind.Dataset, "Quotes \"2026\" <raw> & co"), Ct);
        await Lineage.RecordNodeAsync(Dataset("unrelated"), Ct);
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:quotes"), Ct);
        await Lineage.GetNodeAsync("version:m1/2.0.0", Ct);

        var json = await ExportAsync(LineageExportFormat.Json);
        using (var document = JsonDocument.Parse(json))
        {
            var ids = document.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
            ids.Should().BeEquivalentTo(["dataset:quotes", "dataset:unrelated", "version:m1/1.0.0"], "registry versions appear when linked, not because they were looked up");
            document.RootElement.GetProperty("edges").EnumerateArray().Should().ContainSingle()
                .Which.GetProperty("kind").GetString().Should().Be("trainedOn");
        }

        var mermaid = await ExportAsync(LineageExportFormat.Mermaid);
        mermaid.Should().StartWith("flowchart LR").And.Contain("Quotes #quot;2026#quot; #lt;raw#gt; #amp; co").And.Contain("trainedOn");
        var dot = await ExportAsync(LineageExportFormat.Dot);
        dot.Should().StartWith("digraph lineage").And.Contain("Quotes \\\"2026\\\" &lt;raw&gt; &amp; co");

        var traversal = await Lineage.GetUpstreamAsync("version:m1/1.0.0", cancellationToken: Ct);
        var partial = await ExportAsync(LineageExportFormat.Mermaid, traversal);
        partial.Should().Contain("m1 1.0.0").And.NotContain("unrelated");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Two instances on one store

    [Fact]
    public virtual async Task A_link_made_through_one_instance_is_traversed_by_another_sharing_the_store()
    {
        var other = CreateInstance("bob");
        if (!((IStoreFixture)Fixture).SupportsSharedInstances)
        {
            await RegisterAsync("m1");
            (await other.GetRequiredService<IRegistryStore>().GetChangeSequenceAsync(Ct)).Should().Be(
                0,
                "{0} says its registry instances do not share a store (SupportsSharedInstances is false), so cross-instance catch-up cannot be exercised on it; an adapter whose instances share data must say so",
                typeof(TFixture).Name);
            return;
        }

        // Both trackers load the (empty) graph first, so what follows is caught up, not loaded.
        (await ExportAsync(LineageExportFormat.Json)).Should().Contain("\"nodes\":[]");
        await ShouldFailAsync(() => other.Lineage.GetNodeAsync("dataset:customers", Ct), ErrorCode.NotFound);

        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("customers"), Ct);
        await Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);

        var downstream = await other.Lineage.GetDownstreamAsync("dataset:customers", cancellationToken: Ct);
        downstream.Nodes.Select(n => n.Node.Id).Should().Equal("dataset:customers", "version:m1/1.0.0");

        // The other way round, with the registry's own edges and a removal.
        await other.Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, cancellationToken: Ct);
        await other.Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Production, cancellationToken: Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        await other.Lineage.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);

        var impact = await Lineage.AnalyzeImpactAsync("version:m1/1.0.0", cancellationToken: Ct);
        impact.Items.Should().ContainSingle().Which.Node.Id.Should().Be("deployment:m1/production");
        Stage(await Lineage.GetNodeAsync("version:m1/1.0.0", Ct)).Should().Be("Production");
        (await Lineage.GetDownstreamAsync("dataset:customers", cancellationToken: Ct)).Nodes.Should().ContainSingle();
        await ShouldFailAsync(() => Lineage.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct), ErrorCode.NotFound);

        // A cycle check sees the other instance's edges.
        await Lineage.RecordNodeAsync(Dataset("raw"), Ct);
        await other.Lineage.LinkAsync(new LinkRequest("dataset:customers", LineageEdgeKind.DerivedFrom, "dataset:raw"), Ct);
        await ShouldFailAsync(() => Lineage.LinkAsync(new LinkRequest("dataset:raw", LineageEdgeKind.DerivedFrom, "dataset:customers"), Ct), ErrorCode.PolicyViolation);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Two trackers racing on one store (as two processes on one file): each checks a graph that lacks the other's
    // edge. The race is staged deterministically: tracker one's commit is held back until tracker two has committed.

    [Fact]
    public virtual async Task Two_trackers_linking_the_halves_of_a_cycle_at_once_store_one_edge_and_refuse_the_other_naming_the_cycle()
    {
        await using var race = await RaceAsync("a", "b");
        var (one, two) = (race.One, race.Two);

        // No acyclic edge was ever linked: both trackers race for the first guarded commit.
        LineageEdge? theirs = null;
        race.Store.BeforeNextCommit(async () => theirs = await two.Lineage.LinkAsync(new LinkRequest("dataset:b", LineageEdgeKind.DerivedFrom, "dataset:a"), Ct));
        var before = await LineageStateAsync();
        var refused = await ShouldFailAsync(() => one.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct), ErrorCode.PolicyViolation);

        refused.Message.Should().Contain("dataset:a -> dataset:b -> dataset:a");
        race.Store.Commits.Should().Be(1, "tracker one's check passed on its graph and it tried to commit; on the retry the cycle check refused before writing");
        theirs.Should().NotBeNull();
        var edges = await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct);
        edges.Should().HaveCount(before.Edges.Count + 1, "exactly one of the two edges is stored");
        edges.Select(d => d.Key).Should().Contain(theirs!.Id.ToString("D"));
        (await AuditAsync("lineage.linked")).Should().ContainSingle().Which.Actor.Should().Be("bob");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
        foreach (var tracker in new[] { one.Lineage, two.Lineage, Lineage })
        {
            (await tracker.GetUpstreamAsync("dataset:b", cancellationToken: Ct)).Edges.Should().ContainSingle().Which.Id.Should().Be(theirs.Id);
            (await tracker.GetUpstreamAsync("dataset:a", cancellationToken: Ct)).Edges.Should().BeEmpty();
        }

        // The loser links again on its own (as a caller retrying would): still refused, still nothing written.
        var state = await LineageStateAsync();
        await ShouldFailAsync(() => one.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.TrainedOn, "dataset:b"), Ct), ErrorCode.PolicyViolation);
        await ShouldBeUnchangedAsync(state);
    }

    [Fact]
    public virtual async Task A_longer_cycle_raced_through_the_registrys_own_derived_edges_is_refused_too()
    {
        // A guard already exists (an earlier acyclic link), and the registry's own DerivedFrom edges, committed with
        // their versions, are part of the cycle: 1.2.0 -> 1.1.0 -> 1.0.0.
        await Lineage.RecordNodeAsync(Dataset("x"), Ct);
        await Lineage.RecordNodeAsync(Dataset("raw"), Ct);
        await Lineage.LinkAsync(new LinkRequest("dataset:x", LineageEdgeKind.DerivedFrom, "dataset:raw"), Ct);
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "c2", DerivedFrom = "models:/m1/1.0.0" }, Ct);
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.2.0", SourceCommit = "c3", DerivedFrom = "models:/m1/1.1.0" }, Ct);
        await using var race = await RaceAsync();
        var (one, two) = (race.One, race.Two);

        race.Store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("dataset:x", LineageEdgeKind.TrainedOn, "version:m1/1.2.0"), Ct));
        var before = await LineageStateAsync();
        var refused = await ShouldFailAsync(() => one.Lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.FineTunedFrom, "dataset:x"), Ct), ErrorCode.PolicyViolation);

        refused.Message.Should().Contain("version:m1/1.0.0 -> dataset:x -> version:m1/1.2.0 -> version:m1/1.1.0 -> version:m1/1.0.0");
        race.Store.Commits.Should().Be(1);
        (await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct)).Should().HaveCount(before.Edges.Count + 1);
        (await one.Lineage.GetDownstreamAsync("version:m1/1.0.0", new LineageQuery { MaxDepth = 50 }, Ct)).Nodes.Select(n => n.Node.Id)
            .Should().BeEquivalentTo(["version:m1/1.0.0", "version:m1/1.1.0", "version:m1/1.2.0", "dataset:x"]);
        (await one.Lineage.GetUpstreamAsync("version:m1/1.0.0", new LineageQuery { MaxDepth = 50 }, Ct)).Edges.Should().BeEmpty("the edge that would have closed the cycle was not stored");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task An_acyclic_link_that_loses_the_race_to_an_unrelated_one_is_retried_and_stored_once_with_one_audit_record()
    {
        await using var race = await RaceAsync("a", "b", "c", "d");
        var (one, two) = (race.One, race.Two);

        race.Store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.DerivedFrom, "dataset:d"), Ct));
        var ours = await one.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);

        race.Store.Commits.Should().Be(2, "the first commit lost the race and the retry, on the caught-up graph, committed");
        (await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct)).Select(d => d.Key).Should().HaveCount(2).And.Contain(ours.Id.ToString("D"));
        (await AuditAsync("lineage.linked")).Select(r => (r.Subject, r.Actor)).Should().BeEquivalentTo([("dataset:a", "alice"), ("dataset:c", "bob")]);
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
        (await two.Lineage.GetUpstreamAsync("dataset:a", cancellationToken: Ct)).Edges.Should().ContainSingle().Which.Id.Should().Be(ours.Id);
        (await one.Lineage.GetUpstreamAsync("dataset:c", cancellationToken: Ct)).Edges.Should().ContainSingle();
    }

    [Fact]
    public virtual async Task The_same_acyclic_edge_linked_by_two_trackers_at_once_is_stored_once()
    {
        await using var race = await RaceAsync("a", "b");
        race.Store.BeforeNextCommit(() => race.Two.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.TrainedOn, "dataset:b"), Ct));

        await ShouldFailAsync(() => race.One.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.TrainedOn, "dataset:b"), Ct), ErrorCode.AlreadyExists);
        (await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct)).Should().ContainSingle();
        (await AuditAsync("lineage.linked")).Should().ContainSingle().Which.Actor.Should().Be("bob");
    }

    [Fact]
    public virtual async Task Links_of_other_kinds_and_unlinks_do_not_contend_with_acyclic_links()
    {
        await using var race = await RaceAsync("a", "b", "c", "d", "e", "f");
        var (one, two) = (race.One, race.Two);

        // Another kind while an acyclic edge is linked elsewhere, and the other way round: each commits at the first try.
        race.Store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.DerivedFrom, "dataset:d"), Ct));
        await one.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.Consumes, "dataset:b"), Ct);
        race.Store.Commits.Should().Be(1);

        race.Store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("dataset:e", LineageEdgeKind.EvaluatedOn, "dataset:f"), Ct));
        await one.Lineage.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        race.Store.Commits.Should().Be(2);

        // Unlinking never closes a cycle, so it does not contend either.
        race.Store.BeforeNextCommit(() => two.Lineage.LinkAsync(new LinkRequest("dataset:e", LineageEdgeKind.DerivedFrom, "dataset:f"), Ct));
        await one.Lineage.UnlinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        race.Store.Commits.Should().Be(3);

        (await AuditAsync("lineage.linked")).Should().HaveCount(5);
        (await AuditAsync("lineage.unlinked")).Should().ContainSingle();
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers

    /// <summary>
    /// Another registry instance on this test's store itself (or on a decorator of it), with its own lineage graph: a
    /// second tracker sharing the store as another process would, whether or not the fixture's instances share data.
    /// The caller disposes it; the store stays the test's.
    /// </summary>
    protected ModelRegistryServices Sharing(IRegistryStore store, string actor)
        => ModelRegistryServices.Create(
            b =>
            {
                b.Services.AddSingleton(store);
                b.Services.AddSingleton<IActorAccessor>(new SwitchableActor { Current = actor });
                ConfigureRegistry(b);
            },
            timeProvider: Time);

    /// <summary>
    /// Models m1 and <paramref name="other"/> with a version 1.0.0 each, and dataset:x derived from m1/1.0.0; then m1 is
    /// deleted (its version node and the edge x -> m1/1.0.0 are kept) and registered again as <paramref name="registerAgainAs"/>.
    /// </summary>
    private async Task RetiredVersionAsync(string other, string registerAgainAs = "m1", Func<Task>? beforeDeleting = null)
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await RegisterAsync(other);
        await CreateVersionAsync(other, "1.0.0");
        await Lineage.RecordNodeAsync(Dataset("x"), Ct);
        await Lineage.LinkAsync(new LinkRequest("dataset:x", LineageEdgeKind.DerivedFrom, "version:m1/1.0.0"), Ct);
        if (beforeDeleting is not null)
        {
            await beforeDeleting();
        }

        await Registry.DeleteModelAsync("m1", cancellationToken: Ct);
        await RegisterAsync(registerAgainAs);
    }

    /// <summary>
    /// Records the datasets, then sets up two trackers on this test's store with their graphs loaded, so what follows
    /// races on caught-up graphs: <see cref="TrackerRace.One"/> (alice) commits through <see cref="TrackerRace.Store"/>,
    /// which can let <see cref="TrackerRace.Two"/> (bob) commit first.
    /// </summary>
    private async Task<TrackerRace> RaceAsync(params string[] datasets)
    {
        foreach (var key in datasets)
        {
            await Lineage.RecordNodeAsync(Dataset(key), Ct);
        }

        var store = new InterceptingStore(Store);
        var race = new TrackerRace(store, Sharing(store, "alice"), Sharing(Store, "bob"));
        foreach (var instance in new[] { race.One, race.Two })
        {
            await instance.Lineage.ExportAsync(TextWriter.Null, LineageExportFormat.Json, cancellationToken: Ct);
        }

        return race;
    }

    private sealed record TrackerRace(InterceptingStore Store, ModelRegistryServices One, ModelRegistryServices Two) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await One.DisposeAsync();
            await Two.DisposeAsync();
        }
    }

    protected static RecordNodeRequest Dataset(string key, string? license = null, bool? personalData = null, IReadOnlyList<string>? categories = null)
        => new(LineageNodeIds.Dataset(key), LineageNodeKind.Dataset, key)
        {
            Details = new DatasetDetails { Uri = $"s3://data/{key}", License = license, ContainsPersonalData = personalData, PersonalDataCategories = categories ?? [] },
        };

    /// <summary>The stage a version node's metadata reports.</summary>
    protected static string? Stage(LineageNode versionNode)
    {
        using var json = JsonDocument.Parse(versionNode.Metadata!);
        return json.RootElement.GetProperty("stage").GetString();
    }

    protected async Task<string> ExportAsync(LineageExportFormat format, LineageGraph? graph = null)
    {
        using var writer = new StringWriter();
        await Lineage.ExportAsync(writer, format, graph, Ct);
        return writer.ToString();
    }

    protected async Task<IReadOnlyList<AuditRecord>> AuditAsync(string? action = null)
        => await Store.QueryAuditAsync(new AuditQuery { Action = action }, 0, int.MaxValue, Ct);

    /// <summary>Everything lineage and the registry have stored, to prove that a refused call wrote nothing.</summary>
    protected async Task<LineageState> LineageStateAsync()
        => new(
            await SnapshotAsync(),
            await Store.ListDocumentsAsync(new DocumentQuery(NodeCollection), Ct),
            await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct));

    protected async Task ShouldBeUnchangedAsync(LineageState before)
    {
        await ShouldBeUnchangedAsync(before.Registry);
        (await Store.ListDocumentsAsync(new DocumentQuery(NodeCollection), Ct)).Should().BeEquivalentTo(before.Nodes, o => o.WithStrictOrdering());
        (await Store.ListDocumentsAsync(new DocumentQuery(EdgeCollection), Ct)).Should().BeEquivalentTo(before.Edges, o => o.WithStrictOrdering());
    }
}

/// <summary>The registry snapshot plus every lineage document.</summary>
/// <param name="Registry">Models, versions and the change sequence.</param>
/// <param name="Nodes">Lineage node documents.</param>
/// <param name="Edges">Lineage edge documents.</param>
public sealed record LineageState(StoreSnapshot Registry, IReadOnlyList<StoredDocument> Nodes, IReadOnlyList<StoredDocument> Edges);
