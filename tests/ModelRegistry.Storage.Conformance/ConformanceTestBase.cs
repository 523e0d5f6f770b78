using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.Conformance;

/// <summary>Shared set-up of the conformance bases: a fresh store, a fake clock, the registry and helpers.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class ConformanceTestBase<TFixture> : IAsyncLifetime
    where TFixture : IStoreFixture, new()
{
    private readonly List<ModelRegistryServices> _instances = [];

    protected ConformanceTestBase()
    {
        Fixture = new TFixture();
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        Services = CreateInstance();
    }

    protected TFixture Fixture { get; }

    /// <summary>Who the first registry instance acts as; tests switch it to act as someone else.</summary>
    protected SwitchableActor Actor { get; } = new() { Current = "alice" };

    protected FakeTimeProvider Time { get; }

    protected ModelRegistryServices Services { get; }

    protected IModelRegistry Registry => Services.Registry;

    protected IAuditTrail Audit => Services.AuditTrail;

    protected IRegistryStore Store => Services.GetRequiredService<IRegistryStore>();

    protected static CancellationToken Ct => TestContext.Token;

    /// <summary>Another registry instance on the same fixture (for adapters whose store is shared, the same data).</summary>
    protected ModelRegistryServices CreateInstance(string actor = "alice")
    {
        var instance = ModelRegistryServices.Create(
            b =>
            {
                Fixture.Configure(b);
                b.Services.AddSingleton<IActorAccessor>(_instances.Count == 0 ? Actor : new SwitchableActor { Current = actor });
                ConfigureRegistry(b);
            },
            timeProvider: Time);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>
    /// Configures every registry instance the test creates. The registry's own conformance bases test the registry's
    /// rules, so by default they turn the compliance approval gate off (it is on by default in the library);
    /// the compliance bases override this to keep it on.
    /// </summary>
    /// <param name="builder">The registry builder.</param>
    protected virtual void ConfigureRegistry(IModelRegistryBuilder builder)
        => builder.ConfigureCompliance(o =>
        {
            o.RequireApprovalForProduction = false;
            o.RequireApprovalForHighRiskCanary = false;
        });

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Fixture.DisposeAsync();
    }

    protected Task<RegisteredModel> RegisterAsync(string name, RiskTier tier = RiskTier.Minimal, IReadOnlyDictionary<string, string>? tags = null, params string[] owners)
        => Registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = owners.Length == 0 ? ["team-ml"] : owners, RiskTier = tier, Tags = tags, Description = $"{name} model" }, Ct);

    protected Task<ModelVersion> CreateVersionAsync(string model, string? version = null, string? commit = null, IReadOnlyDictionary<string, double>? metrics = null)
        => Registry.CreateVersionAsync(model, new CreateVersionRequest
        {
            Version = version,
            SourceCommit = commit ?? Guid.NewGuid().ToString("N"),
            Metrics = metrics,
            Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/{model}/{version ?? "next"}/{Guid.NewGuid():N}.bin", new string('a', 64), 1024, "MIT")],
        }, Ct);

    /// <summary>Moves a version along development → staging → target (canary at 10 %).</summary>
    protected async Task<ModelVersion> PromoteAsync(string model, string version, ModelStage target)
    {
        var v = await Registry.GetVersionAsync(model, version, Ct);
        if (v.Stage == ModelStage.Development)
        {
            v = await Registry.TransitionStageAsync(model, version, ModelStage.Staging, cancellationToken: Ct);
        }

        if (target == ModelStage.Staging)
        {
            return v;
        }

        return await Registry.TransitionStageAsync(model, version, target, target == ModelStage.Canary ? new StageTransitionOptions { CanaryTrafficPercent = 10 } : null, Ct);
    }

    /// <summary>Everything the store holds, to prove that a refused call changed nothing.</summary>
    protected async Task<StoreSnapshot> SnapshotAsync()
    {
        var models = await Store.QueryModelsAsync(new StoreQuery(null, [new SortKey(new FieldRef(SearchField.Name), false)], int.MaxValue), Ct);
        var versions = await Store.QueryVersionsAsync(new StoreQuery(null, [new SortKey(new FieldRef(SearchField.Name), false), new SortKey(new FieldRef(SearchField.Version), false)], int.MaxValue), Ct);
        var sequence = await Store.GetChangeSequenceAsync(Ct);
        return new StoreSnapshot(models, versions, sequence);
    }

    protected async Task ShouldBeUnchangedAsync(StoreSnapshot before)
    {
        var after = await SnapshotAsync();
        after.ChangeSequence.Should().Be(before.ChangeSequence, "a refused call writes no audit record");
        after.Models.Should().BeEquivalentTo(before.Models, o => o.WithStrictOrdering());
        after.Versions.Should().BeEquivalentTo(before.Versions, o => o.WithStrictOrdering());
    }

    protected static async Task<ModelRegistryException> ShouldFailAsync(Func<Task> call, ErrorCode code)
    {
        var ex = (await call.Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(code, ex.Message);
        ex.Message.Should().NotBeNullOrWhiteSpace();
        return ex;
    }
}

/// <summary>The whole content of a store at one moment.</summary>
/// <param name="Models">All models by name.</param>
/// <param name="Versions">All versions by model and version.</param>
/// <param name="ChangeSequence">The last audit sequence.</param>
public sealed record StoreSnapshot(IReadOnlyList<RegisteredModel> Models, IReadOnlyList<ModelVersion> Versions, long ChangeSequence);

/// <summary>An actor accessor a test can switch between people.</summary>
public sealed class SwitchableActor : IActorAccessor
{
    /// <summary>The current actor.</summary>
    public string Current { get; set; } = "alice";

    /// <inheritdoc />
    public string CurrentActor => Current;
}

internal static class TestContext
{
    public static CancellationToken Token => CancellationToken.None;
}
