using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>
/// The lineage graph's first load over SQLite, which reads documents and versions from their bytes
/// (<see cref="IDocumentScanner"/>), against the same load through the store's ordinary listing and queries.
/// </summary>
public sealed class SqliteLineageLoadTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_tracker_loaded_from_the_bytes_holds_exactly_the_graph_the_ordinary_reads_give()
    {
        await using var services = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString));
        var registry = services.Registry;
        var lineage = services.Lineage;
        foreach (var name in new[] { "m1", "m2", "gone" })
        {
            await registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = ["o"] }, _ct);
        }

        await registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "a", RunId = "r-1" }, _ct);
        await registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.1.0", SourceCommit = "b", DerivedFrom = "models:/m1/1.0.0" }, _ct);
        await registry.CreateVersionAsync("m2", new CreateVersionRequest { Version = "2.0.0-rc.1+build.5", SourceCommit = "c", Description = "\"quoted\" — é" }, _ct);
        await registry.CreateVersionAsync("gone", new CreateVersionRequest { Version = "0.1.0", SourceCommit = "d" }, _ct);
        await registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, cancellationToken: _ct);
        await registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 5 }, _ct);

        await lineage.RecordNodeAsync(new RecordNodeRequest("dataset:customers", LineageNodeKind.Dataset, "Customers") { Details = new DatasetDetails { License = "CC-BY-4.0", ContainsPersonalData = true, PersonalDataCategories = ["email"] } }, _ct);
        await lineage.RecordNodeAsync(new RecordNodeRequest("dataset:Ünïcode \"x\"", LineageNodeKind.Dataset, "Escaped"), _ct);
        await lineage.RecordNodeAsync(new RecordNodeRequest("run:r-1", LineageNodeKind.TrainingRun, "Run 1") { Details = new TrainingRunDetails { CodeCommit = "abc" } }, _ct);
        await lineage.RecordNodeAsync(new RecordNodeRequest("consumer:app", LineageNodeKind.Consumer, "App"), _ct);
        await lineage.LinkAsync(new LinkRequest("run:r-1", LineageEdgeKind.TrainedOn, "DATASET:CUSTOMERS"), _ct);
        await lineage.LinkAsync(new LinkRequest("version:m1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers") { Metadata = """{"rows":10}""" }, _ct);
        await lineage.LinkAsync(new LinkRequest("version:M1/1.0.0", LineageEdgeKind.TrainedOn, "dataset:Ünïcode \"x\""), _ct);
        await lineage.LinkAsync(new LinkRequest("version:m2/2.0.0-rc.1", LineageEdgeKind.TrainedOn, "dataset:customers"), _ct);
        await lineage.LinkAsync(new LinkRequest("consumer:app", LineageEdgeKind.Consumes, "model:m2"), _ct);
        await lineage.LinkAsync(new LinkRequest("consumer:app", LineageEdgeKind.Custom, "version:gone/0.1.0") { CustomKind = "calls" }, _ct);
        await lineage.UnlinkAsync(new LinkRequest("version:m2/2.0.0-rc.1", LineageEdgeKind.TrainedOn, "dataset:customers"), _ct);
        await registry.TransitionStageAsync("gone", "0.1.0", ModelStage.Archived, cancellationToken: _ct);
        await registry.DeleteModelAsync("gone", null, _ct);

        var store = services.GetRequiredService<IRegistryStore>();
        store.Should().BeAssignableTo<IDocumentScanner>("the fast path is what this test is about");
        using var fromBytes = NewTracker(services, store);
        var plain = StoreWithoutScanner.Wrap(store);
        plain.Should().NotBeAssignableTo<IDocumentScanner>();
        using var fromListing = NewTracker(services, plain);

        (await Export(fromBytes)).Should().Be(await Export(fromListing));
        foreach (var id in new[] { "version:m1/1.0.0", "version:m1/1.1.0", "version:m2/2.0.0-rc.1", "model:m2", "version:gone/0.1.0", "dataset:ünïcode \"x\"" })
        {
            (await fromBytes.GetNodeAsync(id, _ct)).Should().Be(await fromListing.GetNodeAsync(id, _ct));
        }

        (await fromBytes.GetNodeAsync("version:gone/0.1.0", _ct)).Metadata.Should().Contain("\"deleted\":true");
        var impact = await fromBytes.AnalyzeImpactAsync("dataset:customers", cancellationToken: _ct);
        impact.Items.Should().ContainSingle(i => i.Node.Id == "version:m1/1.0.0").Which.Stage.Should().Be(ImpactStage.Canary);
        impact.Should().BeEquivalentTo(await fromListing.AnalyzeImpactAsync("dataset:customers", cancellationToken: _ct));
    }

    [Fact]
    public async Task An_edge_document_naming_a_node_that_was_never_stored_is_reported_as_a_damaged_store()
    {
        await using var services = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString));
        await services.Lineage.RecordNodeAsync(new RecordNodeRequest("dataset:other", LineageNodeKind.Dataset, "Other"), _ct);
        var edge = new LineageEdge { Id = Guid.NewGuid(), From = "dataset:ghost", To = "dataset:other", Kind = LineageEdgeKind.DerivedFrom, CreatedAt = T0, CreatedBy = "x" };
        var store = services.GetRequiredService<IRegistryStore>();
        await store.CommitAsync(
            new StoreTransaction([new PutDocument("lineage.edge", edge.Id.ToString("D"), StoreSerializer.Serialize(edge), "DATASET:GHOST", 0)], [new Audit.AuditDraft(T0, "x", "lineage.linked", edge.From, "{}")]),
            _ct);

        using var tracker = NewTracker(services, store);
        (await FluentActions.Awaiting(() => tracker.GetNodeAsync("dataset:other", _ct)).Should().ThrowAsync<ModelRegistryException>())
            .Which.Code.Should().Be(ErrorCode.StorageCorrupted);
    }

    private static LineageTracker NewTracker(ModelRegistryServices services, IRegistryStore store) => new(
        store,
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<IActorAccessor>(),
        Options.Create(new ModelRegistryOptions()),
        NullLogger<LineageTracker>.Instance);

    private async Task<string> Export(ILineageTracker tracker)
    {
        using var writer = new StringWriter();
        await tracker.ExportAsync(writer, LineageExportFormat.Json, cancellationToken: _ct);
        return writer.ToString();
    }

    /// <summary>The store, seen only through <see cref="IRegistryStore"/>, so the tracker reads it the ordinary way.</summary>
    public class StoreWithoutScanner : DispatchProxy
    {
        private IRegistryStore _inner = null!;

        public static IRegistryStore Wrap(IRegistryStore inner)
        {
            var proxy = Create<IRegistryStore, StoreWithoutScanner>();
            ((StoreWithoutScanner)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            try
            {
                return targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
