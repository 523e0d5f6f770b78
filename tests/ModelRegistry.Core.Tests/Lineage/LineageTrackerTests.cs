using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Audit;
using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>
/// The tracker's own behaviour on the in-memory store: how it loads, catches up on writes it did not make (another
/// process, simulated by committing documents straight to the store or by a second tracker on the same store), how
/// it keeps registry nodes current, and how it serialises concurrent writers.
/// </summary>
public sealed class LineageTrackerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => CancellationToken.None;

    private readonly FakeTimeProvider _time = new(T0);
    private readonly SwitchableActor _actor = new() { Current = "alice" };
    private readonly ModelRegistryServices _services;

    public LineageTrackerTests()
    {
        _services = ModelRegistryServices.Create(b => b.Services.AddSingleton<IActorAccessor>(_actor), timeProvider: _time);
        Store = new CountingStore(_services.GetRequiredService<IRegistryStore>());
    }

    private CountingStore Store { get; }

    private IModelRegistry Registry => _services.Registry;

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private LineageTracker NewTracker(string actor = "alice", IRegistryStore? store = null)
        => new(store ?? Store, _time, new SwitchableActor { Current = actor }, Options.Create(new ModelRegistryOptions()), NullLogger<LineageTracker>.Instance);

    // ------------------------------------------------------------------------------------------------------------
    // Catching up

    [Fact]
    public async Task The_tracker_catches_up_on_documents_written_straight_to_the_store()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("customers"), Ct);
        (await tracker.GetDownstreamAsync("dataset:customers", cancellationToken: Ct)).Nodes.Should().ContainSingle();

        // Another process: a node and an edge committed with their audit records, bypassing this tracker.
        var consumer = new LineageNode { Id = "consumer:billing", Kind = LineageNodeKind.Consumer, Name = "Billing", CreatedAt = T0, CreatedBy = "bob", Revision = 1 };
        var edge = new LineageEdge { Id = Guid.NewGuid(), From = "consumer:billing", To = "dataset:customers", Kind = LineageEdgeKind.Consumes, CreatedAt = T0, CreatedBy = "bob" };
        await CommitAsync(
            [new PutDocument("lineage.node", "CONSUMER:BILLING", StoreSerializer.Serialize(consumer), null, 0), new PutDocument("lineage.edge", edge.Id.ToString("D"), StoreSerializer.Serialize(edge), "CONSUMER:BILLING", 0)],
            "lineage.linked");

        var downstream = await tracker.GetDownstreamAsync("dataset:customers", cancellationToken: Ct);
        downstream.Nodes.Select(n => n.Node.Id).Should().Equal("dataset:customers", "consumer:billing");
        downstream.Edges.Should().ContainSingle().Which.Should().BeEquivalentTo(edge);

        // The other process unlinks: the removal is caught up too, and history keeps the edge.
        _time.Advance(TimeSpan.FromHours(1));
        var removed = edge with { RemovedAt = _time.GetUtcNow(), RemovedBy = "bob" };
        await CommitAsync([new PutDocument("lineage.edge", edge.Id.ToString("D"), StoreSerializer.Serialize(removed), "CONSUMER:BILLING", 1)], "lineage.unlinked");
        (await tracker.GetDownstreamAsync("dataset:customers", cancellationToken: Ct)).Nodes.Should().ContainSingle();
        (await tracker.GetDownstreamAsync("dataset:customers", new LineageQuery { AsOf = T0.AddMinutes(30) }, Ct)).Nodes.Should().HaveCount(2);

        // A link through this tracker is checked against what the other process wrote.
        await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("consumer:billing", LineageEdgeKind.Consumes, "dataset:customers"), Ct)).Should().NotThrowAsync();
        (await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("consumer:billing", LineageEdgeKind.Consumes, "dataset:customers"), Ct))
            .Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
    }

    [Fact]
    public async Task Two_trackers_on_one_store_see_each_others_links_unlinks_and_node_changes()
    {
        using var one = NewTracker("alice");
        using var two = NewTracker("bob");
        await one.RecordNodeAsync(Dataset("raw"), Ct);
        await two.RecordNodeAsync(Dataset("clean"), Ct);
        await one.LinkAsync(new LinkRequest("dataset:clean", LineageEdgeKind.DerivedFrom, "dataset:raw"), Ct);

        (await two.GetUpstreamAsync("dataset:clean", cancellationToken: Ct)).Nodes.Select(n => n.Node.Id).Should().Equal("dataset:clean", "dataset:raw");
        var ex = await FluentActions.Awaiting(() => two.LinkAsync(new LinkRequest("dataset:raw", LineageEdgeKind.DerivedFrom, "dataset:clean"), Ct))
            .Should().ThrowAsync<ModelRegistryException>();
        ex.Which.Code.Should().Be(ErrorCode.PolicyViolation);
        ex.Which.Message.Should().Contain("dataset:raw -> dataset:clean -> dataset:raw");

        await two.RecordNodeAsync(Dataset("raw") with { Name = "Raw data", ExpectedRevision = 1 }, Ct);
        (await one.GetNodeAsync("dataset:raw", Ct)).Name.Should().Be("Raw data");
        await FluentActions.Awaiting(() => one.RecordNodeAsync(Dataset("raw") with { ExpectedRevision = 1 }, Ct))
            .Should().ThrowAsync<ModelRegistryException>().Where(e => e.Code == ErrorCode.ConcurrencyConflict);

        await two.UnlinkAsync(new LinkRequest("dataset:clean", LineageEdgeKind.DerivedFrom, "dataset:raw"), Ct);
        (await one.GetUpstreamAsync("dataset:clean", cancellationToken: Ct)).Nodes.Should().ContainSingle();
    }

    [Fact]
    public async Task A_fresh_tracker_loads_the_same_graph_history_included()
    {
        using var writer = NewTracker();
        await Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m1", Owners = ["o"] }, Ct);
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "a" }, Ct);
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "b", DerivedFrom = "models:/m1/1.0.0" }, Ct);
        for (var i = 0; i < 30; i++)
        {
            await writer.RecordNodeAsync(Dataset($"d{i}"), Ct);
            await writer.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, $"dataset:d{i}"), Ct);
            _time.Advance(TimeSpan.FromMinutes(1));
            if (i % 3 == 0)
            {
                await writer.UnlinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, $"dataset:d{i}"), Ct);
            }
        }

        Store.Reset();
        using var reader = NewTracker();
        var asOf = T0.AddMinutes(10.5);
        var loaded = await reader.GetLineageAsync("version:m1/1.0.0", new LineageQuery { AsOf = asOf }, Ct);
        loaded.Should().BeEquivalentTo(await writer.GetLineageAsync("version:m1/1.0.0", new LineageQuery { AsOf = asOf }, Ct));
        (await reader.GetLineageAsync("version:m1/1.1.0", cancellationToken: Ct)).Should().BeEquivalentTo(await writer.GetLineageAsync("version:m1/1.1.0", cancellationToken: Ct));

        // One listing per collection and one query for the registry's versions and models, not one read per edge.
        Store.Calls("ListDocumentsAsync").Should().Be(2);
        Store.Calls("FindDocumentAsync").Should().Be(0);
        Store.Calls("FindVersionAsync").Should().Be(0);
        Store.Calls("QueryVersionsAsync").Should().Be(1);

        // Nothing changed since: a query costs one change-sequence read and nothing else.
        Store.Reset();
        await reader.GetUpstreamAsync("version:m1/1.0.0", cancellationToken: Ct);
        Store.Total.Should().Be(1);
        Store.Calls("GetChangeSequenceAsync").Should().Be(1);
    }

    [Fact]
    public async Task A_query_right_after_the_trackers_own_write_does_not_catch_up_again()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("a"), Ct);
        await tracker.RecordNodeAsync(Dataset("b"), Ct);
        await tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        Store.Reset();
        await tracker.GetUpstreamAsync("dataset:a", cancellationToken: Ct);
        Store.Calls("ListDocumentsAsync").Should().Be(0);
    }

    [Fact]
    public async Task Registry_nodes_follow_stage_changes_and_deletions_made_without_the_tracker()
    {
        using var tracker = NewTracker();
        await Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m1", Owners = ["o"] }, Ct);
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "a" }, Ct);
        await tracker.RecordNodeAsync(Dataset("customers"), Ct);
        await tracker.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers"), Ct);
        (await tracker.AnalyzeImpactAsync("dataset:customers", cancellationToken: Ct)).Items.Single().Stage.Should().Be(ImpactStage.Other);

        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, cancellationToken: Ct);
        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 5 }, Ct);
        var impact = await tracker.AnalyzeImpactAsync("dataset:customers", cancellationToken: Ct);
        impact.Items.Single().Stage.Should().Be(ImpactStage.Canary);
        impact.Items.Single().Node.Metadata.Should().Contain("\"canaryTrafficPercent\":5");

        // The model goes away; its version stays in the graph, marked deleted, and history still answers.
        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Archived, cancellationToken: Ct);
        await Registry.DeleteModelAsync("m1", cancellationToken: Ct);
        var node = await tracker.GetNodeAsync("version:m1/1.0.0", Ct);
        node.Metadata.Should().Contain("\"deleted\":true");
        node.CreatedAt.Should().Be(T0);
        (await tracker.GetDownstreamAsync("dataset:customers", cancellationToken: Ct)).Nodes.Should().HaveCount(2);

        using var fresh = NewTracker();
        (await fresh.GetNodeAsync("version:m1/1.0.0", Ct)).Metadata.Should().Contain("\"deleted\":true");
        (await FluentActions.Awaiting(() => fresh.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.EvaluatedOn, "dataset:customers"), Ct))
            .Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.NotFound, "only versions the registry holds can be linked");
        (await FluentActions.Awaiting(() => fresh.RecordNodeAsync(new RecordNodeRequest("version:m1/1.0.0", LineageNodeKind.ModelVersion, "v"), Ct))
            .Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.NotFound);
    }

    [Fact]
    public async Task An_edge_to_a_node_that_was_never_stored_is_reported_as_a_damaged_store()
    {
        var edge = new LineageEdge { Id = Guid.NewGuid(), From = "dataset:ghost", To = "dataset:other", Kind = LineageEdgeKind.DerivedFrom, CreatedAt = T0, CreatedBy = "x" };
        await CommitAsync([new PutDocument("lineage.edge", edge.Id.ToString("D"), StoreSerializer.Serialize(edge), "DATASET:GHOST", 0)], "lineage.linked");
        using var tracker = NewTracker();
        (await FluentActions.Awaiting(() => tracker.GetNodeAsync("dataset:ghost", Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.StorageCorrupted);
    }

    [Fact]
    public async Task A_node_another_writer_records_between_catch_up_and_commit_is_updated_not_duplicated()
    {
        using var tracker = NewTracker();
        await tracker.ExportAsync(TextWriter.Null, LineageExportFormat.Json, cancellationToken: Ct);
        var theirs = new LineageNode { Id = "dataset:x", Kind = LineageNodeKind.Dataset, Name = "theirs", CreatedAt = T0, CreatedBy = "bob", Revision = 1 };
        Store.BeforeNext["CommitAsync"] = () => CommitAsync([new PutDocument("lineage.node", "DATASET:X", StoreSerializer.Serialize(theirs), null, 0)], "lineage.node_recorded");
        _time.Advance(TimeSpan.FromMinutes(1));

        var ours = await tracker.RecordNodeAsync(Dataset("x") with { Name = "ours" }, Ct);
        ours.Revision.Should().Be(2);
        ours.Name.Should().Be("ours");
        ours.CreatedBy.Should().Be("bob", "the node was first recorded by the other writer");
        ours.CreatedAt.Should().Be(T0);
        (await Store.FindDocumentAsync("lineage.node", "DATASET:X", Ct))!.Revision.Should().Be(2);
    }

    [Fact]
    public async Task A_link_sees_the_edges_committed_with_a_version_it_reads_from_the_registry()
    {
        using var tracker = NewTracker();
        await Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m1", Owners = ["o"] }, Ct);
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "a" }, Ct);
        await tracker.GetNodeAsync("version:m1/1.0.0", Ct);

        // While the link reads its ends from the registry, another writer creates 1.1.0 derived from 1.0.0.
        Store.BeforeNext["FindModelAsync"] = () => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "b", DerivedFrom = "models:/m1/1.0.0" }, Ct);
        var refused = await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.FineTunedFrom, "version:m1/1.1.0"), Ct))
            .Should().ThrowAsync<ModelRegistryException>();
        refused.Which.Code.Should().Be(ErrorCode.PolicyViolation);
        refused.Which.Message.Should().Contain("version:m1/1.0.0 -> version:m1/1.1.0 -> version:m1/1.0.0");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Concurrency within one process

    [Fact]
    public async Task Racing_links_of_the_same_edge_store_it_once()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("a"), Ct);
        await tracker.RecordNodeAsync(Dataset("b"), Ct);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try
            {
                await tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
                return "linked";
            }
            catch (ModelRegistryException ex) when (ex.Code == ErrorCode.AlreadyExists)
            {
                return "refused";
            }
        })));

        outcomes.Count(o => o == "linked").Should().Be(1);
        (await Store.ListDocumentsAsync(new DocumentQuery("lineage.edge"), Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Racing_links_that_together_close_a_cycle_let_exactly_one_through()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("a"), Ct);
        await tracker.RecordNodeAsync(Dataset("b"), Ct);
        var forward = Task.Run(() => Attempt(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b")));
        var backward = Task.Run(() => Attempt(new LinkRequest("dataset:b", LineageEdgeKind.DerivedFrom, "dataset:a")));
        (await Task.WhenAll(forward, backward)).Count(ok => ok).Should().Be(1);

        async Task<bool> Attempt(LinkRequest request)
        {
            try
            {
                await tracker.LinkAsync(request, Ct);
                return true;
            }
            catch (ModelRegistryException ex) when (ex.Code == ErrorCode.PolicyViolation)
            {
                return false;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The store-wide guard of acyclic edges (trackers sharing a store; the races themselves are in the conformance suite)

    [Fact]
    public async Task A_run_of_acyclic_links_reads_the_guard_once_and_other_kinds_never_write_it()
    {
        using var tracker = NewTracker();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await tracker.RecordNodeAsync(Dataset(key), Ct);
        }

        Store.Reset();
        await tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        await tracker.LinkAsync(new LinkRequest("dataset:b", LineageEdgeKind.TrainedOn, "dataset:c"), Ct);
        var last = await tracker.LinkAsync(new LinkRequest("dataset:c", LineageEdgeKind.FineTunedFrom, "dataset:d"), Ct);
        Store.Calls("FindDocumentAsync").Should().Be(1, "the guard's revision is read once; then the tracker knows the revision its own commits wrote");
        Store.Calls("CommitAsync").Should().Be(3);
        var guard = await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct);
        guard!.Revision.Should().Be(3);
        guard.Json.Should().Contain(last.Id.ToString("D"));
        guard.ChangeSequence.Should().Be((await AuditAsync("lineage.linked"))[^1].Sequence, "the guard is written in the link's commit");

        await tracker.LinkAsync(new LinkRequest("dataset:d", LineageEdgeKind.Consumes, "dataset:a"), Ct);
        await tracker.UnlinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        (await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct))!.Revision.Should().Be(3, "only acyclic links write the guard");

        // Another writer committed since: the next acyclic link reads the guard again before it catches up.
        await Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m1", Owners = ["o"] }, Ct);
        Store.Reset();
        await tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        Store.Calls("FindDocumentAsync").Should().Be(1);
        (await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct))!.Revision.Should().Be(4);
    }

    [Fact]
    public async Task A_store_written_before_the_guard_gets_one_on_the_first_acyclic_link_and_keeps_its_cycle_checks()
    {
        // An older writer: an acyclic edge committed with no guard document.
        var old = new LineageNode { Id = "dataset:a", Kind = LineageNodeKind.Dataset, Name = "a", CreatedAt = T0, CreatedBy = "bob", Revision = 1 };
        var edge = new LineageEdge { Id = Guid.NewGuid(), From = "dataset:a", To = "dataset:b", Kind = LineageEdgeKind.DerivedFrom, CreatedAt = T0, CreatedBy = "bob" };
        await CommitAsync(
            [
                new PutDocument("lineage.node", "DATASET:A", StoreSerializer.Serialize(old), null, 0),
                new PutDocument("lineage.node", "DATASET:B", StoreSerializer.Serialize(old with { Id = "dataset:b", Name = "b" }), null, 0),
                new PutDocument("lineage.edge", edge.Id.ToString("D"), StoreSerializer.Serialize(edge), "DATASET:A", 0),
            ],
            "lineage.linked");
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("c"), Ct);

        (await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("dataset:b", LineageEdgeKind.DerivedFrom, "dataset:a"), Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.PolicyViolation);
        (await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct)).Should().BeNull("a refused link writes nothing");
        await tracker.LinkAsync(new LinkRequest("dataset:b", LineageEdgeKind.DerivedFrom, "dataset:c"), Ct);
        (await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct))!.Revision.Should().Be(1);
    }

    [Fact]
    public async Task An_acyclic_link_that_keeps_losing_the_race_fails_with_a_concurrency_conflict_and_writes_nothing()
    {
        using var tracker = NewTracker();
        using var other = NewTracker("bob", _services.GetRequiredService<IRegistryStore>());
        foreach (var key in new[] { "a", "b", "x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3" })
        {
            await tracker.RecordNodeAsync(Dataset(key), Ct);
        }

        // Before each of the tracker's commits, the other tracker links an unrelated acyclic edge first.
        var rounds = 0;
        Func<Task> otherGetsInFirst = null!;
        otherGetsInFirst = async () =>
        {
            await other.LinkAsync(new LinkRequest($"dataset:x{rounds}", LineageEdgeKind.DerivedFrom, $"dataset:y{rounds}"), Ct);
            rounds++;
            Store.BeforeNext["CommitAsync"] = otherGetsInFirst;
        };
        Store.BeforeNext["CommitAsync"] = otherGetsInFirst;

        var ex = (await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct)).Should().ThrowAsync<ModelRegistryException>()).Which;
        Store.BeforeNext.Clear();
        ex.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        ex.Message.Should().Contain("'dataset:a' -DerivedFrom-> 'dataset:b'").And.Contain("Retry the link");
        rounds.Should().Be(4, "the tracker tries four times on fresh state before handing the conflict to the caller");
        (await AuditAsync("lineage.linked")).Should().HaveCount(4).And.OnlyContain(r => r.Actor == "bob");
        (await tracker.GetUpstreamAsync("dataset:a", cancellationToken: Ct)).Edges.Should().BeEmpty();

        // The caller retries once the other writer is done: it goes through.
        await tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.DerivedFrom, "dataset:b"), Ct);
        (await Store.FindDocumentAsync(AcyclicEdgeGuard.Collection, AcyclicEdgeGuard.Key, Ct))!.Revision.Should().Be(5);
    }

    [Fact]
    public async Task Readers_during_concurrent_writes_never_fail()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("root"), Ct);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await tracker.RecordNodeAsync(Dataset($"d{i}"), Ct);
                await tracker.LinkAsync(new LinkRequest($"dataset:d{i}", LineageEdgeKind.DerivedFrom, "dataset:root"), Ct);
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var last = 0;
            while (!writer.IsCompleted)
            {
                var graph = await tracker.GetDownstreamAsync("dataset:root", new LineageQuery { MaxDepth = 1 }, Ct);
                graph.Nodes.Count.Should().BeGreaterThanOrEqualTo(last, "a reader never sees the graph go back");
                // Every edge in a snapshot has its node (an empty snapshot early in the race is fine).
                graph.Edges.Where(e => !graph.Nodes.Any(n => n.Node.Id == e.From)).Should().BeEmpty();
                last = graph.Nodes.Count;
            }
        }));
        await Task.WhenAll([writer, .. readers]);
        (await tracker.GetDownstreamAsync("dataset:root", new LineageQuery { MaxDepth = 1 }, Ct)).Nodes.Should().HaveCount(101);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Edges of the API

    [Fact]
    public async Task A_change_without_an_actor_is_forbidden_and_writes_nothing()
    {
        using var tracker = NewTracker(actor: " ");
        (await FluentActions.Awaiting(() => tracker.RecordNodeAsync(Dataset("a"), Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.Forbidden);
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(0);
    }

    [Fact]
    public void The_tracker_is_one_singleton_per_container_and_a_host_can_replace_it()
    {
        _services.Lineage.Should().BeOfType<LineageTracker>().And.BeSameAs(_services.Lineage);

        var replacement = NewTracker();
        var services = new ServiceCollection();
        services.AddSingleton<ILineageTracker>(replacement);
        services.AddModelRegistry();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ILineageTracker>().Should().BeSameAs(replacement);
        replacement.Dispose();
    }

    [Fact]
    public async Task Unknown_ids_and_bad_queries_are_refused_before_reading_the_store()
    {
        using var tracker = NewTracker();
        await tracker.RecordNodeAsync(Dataset("a"), Ct);
        Store.Reset();
        (await FluentActions.Awaiting(() => tracker.GetUpstreamAsync("dataset:a", new LineageQuery { MaxDepth = 0 }, Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.InvalidArgument);
        (await FluentActions.Awaiting(() => tracker.GetUpstreamAsync(" ", cancellationToken: Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.InvalidArgument);
        (await FluentActions.Awaiting(() => tracker.LinkAsync(new LinkRequest("dataset:a", LineageEdgeKind.Custom, "dataset:a"), Ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.InvalidArgument);
        Store.Total.Should().Be(0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers

    private static RecordNodeRequest Dataset(string key) => new(LineageNodeIds.Dataset(key), LineageNodeKind.Dataset, key) { Details = new DatasetDetails() };

    private Task CommitAsync(IReadOnlyList<StoreWrite> writes, string action)
        => Store.CommitAsync(new StoreTransaction(writes, [new AuditDraft(_time.GetUtcNow(), "bob", action, "dataset:customers", "{}")]), Ct).AsTask();

    private async Task<IReadOnlyList<AuditRecord>> AuditAsync(string action)
        => await Store.QueryAuditAsync(new AuditQuery { Action = action }, 0, int.MaxValue, Ct);

    /// <summary>Counts calls per method, to show what the tracker reads.</summary>
    private sealed class CountingStore(IRegistryStore inner) : IRegistryStore
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();

        public int Total => _calls.Values.Sum();

        public int Calls(string method) => _calls.GetValueOrDefault(method);

        public void Reset() => _calls.Clear();

        private T Count<T>(T result, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
        {
            _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
            return result;
        }

        /// <summary>Runs once, just before the next call of the named method reaches the store (another writer getting in first).</summary>
        public Dictionary<string, Func<Task>> BeforeNext { get; } = [];

        private async ValueTask RunHookAsync([System.Runtime.CompilerServices.CallerMemberName] string method = "")
        {
            if (BeforeNext.Remove(method, out var hook))
            {
                await hook();
            }
        }

        public async ValueTask<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
        {
            await RunHookAsync();
            return await Count(inner.FindModelAsync(name, cancellationToken));
        }

        public ValueTask<ModelVersion?> FindVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken) => Count(inner.FindVersionAsync(modelName, version, cancellationToken));

        public ValueTask<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) => Count(inner.ListVersionsAsync(modelName, cancellationToken));

        public ValueTask<ModelVersion?> FindVersionByIdempotencyKeyAsync(string modelName, string idempotencyKey, CancellationToken cancellationToken) => Count(inner.FindVersionByIdempotencyKeyAsync(modelName, idempotencyKey, cancellationToken));

        public ValueTask<IReadOnlyList<RegisteredModel>> QueryModelsAsync(StoreQuery query, CancellationToken cancellationToken) => Count(inner.QueryModelsAsync(query, cancellationToken));

        public ValueTask<IReadOnlyList<ModelVersion>> QueryVersionsAsync(StoreQuery query, CancellationToken cancellationToken) => Count(inner.QueryVersionsAsync(query, cancellationToken));

        public async ValueTask<IReadOnlyList<AuditRecord>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
        {
            await RunHookAsync();
            return await Count(inner.CommitAsync(transaction, cancellationToken));
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery filter, long afterSequence, int limit, CancellationToken cancellationToken) => Count(inner.QueryAuditAsync(filter, afterSequence, limit, cancellationToken));

        public ValueTask<StoredDocument?> FindDocumentAsync(string collection, string key, CancellationToken cancellationToken) => Count(inner.FindDocumentAsync(collection, key, cancellationToken));

        public ValueTask<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentQuery query, CancellationToken cancellationToken) => Count(inner.ListDocumentsAsync(query, cancellationToken));

        public ValueTask<long> GetChangeSequenceAsync(CancellationToken cancellationToken) => Count(inner.GetChangeSequenceAsync(cancellationToken));
    }
}
