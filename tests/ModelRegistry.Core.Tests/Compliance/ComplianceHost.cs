using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>An actor accessor whose actor can be set per async flow, so concurrent calls act as different people.</summary>
internal sealed class FlowingActor : IActorAccessor
{
    private readonly AsyncLocal<string?> _local = new();

    /// <summary>The actor outside any <see cref="Local"/> override.</summary>
    public string Current { get; set; } = "rob";

    /// <summary>The actor of the current async flow.</summary>
    public string? Local
    {
        get => _local.Value;
        set => _local.Value = value;
    }

    public string CurrentActor => _local.Value ?? Current;
}

/// <summary>A registry with compliance on the in-memory store, a fake clock, a switchable actor and lineage/performance fakes.</summary>
internal sealed class ComplianceHost : IAsyncDisposable
{
    public static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private ComplianceHost(ModelRegistryServices services, FakeTimeProvider time, FlowingActor actor, FakeLineageTracker? lineage, FakePerformanceTracker? performance)
    {
        Services = services;
        Time = time;
        Actor = actor;
        Lineage = lineage;
        Performance = performance;
    }

    public ModelRegistryServices Services { get; }

    public FakeTimeProvider Time { get; }

    public FlowingActor Actor { get; }

    public FakeLineageTracker? Lineage { get; }

    public FakePerformanceTracker? Performance { get; }

    public IModelRegistry Registry => Services.Registry;

    public IComplianceManager Compliance => Services.Compliance;

    public InMemoryRegistryStore Store => (InMemoryRegistryStore)Services.GetRequiredService<IRegistryStore>();

    public static ComplianceHost Create(Action<ComplianceOptions>? options = null, bool lineage = true, bool performance = true, Action<IModelRegistryBuilder>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var actor = new FlowingActor { Current = "rob" };
        var fakeLineage = lineage ? new FakeLineageTracker() : null;
        var fakePerformance = performance ? new FakePerformanceTracker() : null;
        var services = ModelRegistryServices.Create(
            b =>
            {
                b.Services.AddSingleton<IActorAccessor>(actor);
                // Replace the real trackers with fakes, or remove them to test a host that has none.
                b.Services.RemoveAll<ILineageTracker>();
                b.Services.RemoveAll<IPerformanceTracker>();
                if (fakeLineage is not null)
                {
                    b.Services.AddSingleton<ILineageTracker>(fakeLineage);
                }

                if (fakePerformance is not null)
                {
                    b.Services.AddSingleton<IPerformanceTracker>(fakePerformance);
                }

                b.ConfigureCompliance(o =>
                {
                    o.CheckpointSigningKey = Key;
                    o.CheckpointEvery = 0;
                    o.Roles = new Dictionary<string, ComplianceRoles>
                    {
                        ["vic"] = ComplianceRoles.Viewer,
                        ["rita"] = ComplianceRoles.Reviewer,
                        ["wes"] = ComplianceRoles.Approver | ComplianceRoles.Waiver,
                        ["ada"] = ComplianceRoles.Admin,
                        ["nobody"] = ComplianceRoles.None,
                    };
                    options?.Invoke(o);
                });
                configure?.Invoke(b);
            },
            timeProvider: time);
        return new ComplianceHost(services, time, actor, fakeLineage, fakePerformance);
    }

    /// <summary>Runs <paramref name="action"/> as <paramref name="actor"/> (in this async flow only, so calls can run concurrently).</summary>
    public async Task<T> AsAsync<T>(string actor, Func<Task<T>> action)
    {
        Actor.Local = actor;
        return await action();
    }

    public Task AsAsync(string actor, Func<Task> action) => AsAsync(actor, async () => { await action(); return 0; });

    public static IReadOnlyDictionary<string, string> CompliantModelTags => new Dictionary<string, string>
    {
        [ComplianceFields.IntendedUse] = "Scoring card transactions for fraud review by analysts.",
        [ComplianceFields.Limitations] = "Not for credit decisions; trained on EU data only.",
        [ComplianceFields.TechnicalDocumentation] = "https://docs.example/fraud/annex-iv",
        [ComplianceFields.HumanOversightContact] = "fraud-oversight@example.com",
        [ComplianceFields.TransparencyNotice] = "Decisions are assisted by an AI model.",
        [ComplianceFields.LawfulBasis] = "contract",
        [ComplianceFields.DpiaReference] = "DPIA-2026-007",
        [ComplianceFields.RetentionPeriod] = "P2Y",
        [ComplianceFields.ThresholdPrefix + "accuracy"] = ">=0.9",
    };

    public static IReadOnlyDictionary<string, double> CompliantMetrics => new Dictionary<string, double>
    {
        ["accuracy"] = 0.93,
        [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "female")] = 0.45,
        [GroupMetrics.Name(GroupMetrics.SelectionRate, "gender", "male")] = 0.50,
        [GroupMetrics.Name(GroupMetrics.TruePositiveRate, "gender", "female")] = 0.81,
        [GroupMetrics.Name(GroupMetrics.TruePositiveRate, "gender", "male")] = 0.85,
        [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "female")] = 0.05,
        [GroupMetrics.Name(GroupMetrics.FalsePositiveRate, "gender", "male")] = 0.06,
    };

    /// <summary>A model and version 1.0.0 that pass every built-in check at any tier but Unacceptable, with lineage.</summary>
    public async Task<ModelVersion> RegisterCompliantAsync(
        string name = "fraud",
        RiskTier tier = RiskTier.High,
        IReadOnlyList<string>? owners = null,
        IReadOnlyDictionary<string, string>? modelTags = null,
        IReadOnlyDictionary<string, double>? metrics = null,
        IReadOnlyList<ModelArtifact>? artifacts = null,
        string version = "1.0.0",
        bool observed = true)
    {
        if (await Services.GetRequiredService<IRegistryStore>().FindModelAsync(name, CancellationToken.None) is null)
        {
            await Registry.RegisterModelAsync(new RegisterModelRequest
            {
                Name = name,
                Description = "Scores card transactions for fraud.",
                Owners = owners ?? ["olga"],
                RiskTier = tier,
                Tags = modelTags ?? CompliantModelTags,
            });
        }

        var created = await Registry.CreateVersionAsync(name, new CreateVersionRequest
        {
            Version = version,
            Description = "Retrained on March data.",
            SourceCommit = "9f1c2ab",
            Metrics = metrics ?? CompliantMetrics,
            Artifacts = artifacts ?? [new ModelArtifact(ArtifactType.Weights, $"s3://models/{name}/{version}/model.onnx", new string('a', 64), 48_213_004, "Apache-2.0")],
            ProviderBindings = [new ProviderBindingRequest { Provider = ModelProviders.SelfHosted, ProviderModelId = name, Endpoint = "https://ml.internal/fraud" }],
        });
        Lineage?.TrainedOn(name, version, "customers-2026", personalData: true, categories: "email");
        if (observed)
        {
            ObserveCompliantTraffic(name, version);
        }

        return created;
    }

    /// <summary>40 observed outcomes per gender within the default fairness and bias bounds, recorded now.</summary>
    public void ObserveCompliantTraffic(string name = "fraud", string version = "1.0.0")
    {
        var now = Time.GetUtcNow();
        Performance?
            .ObserveRate(name, version, MetricKey.Custom(GroupMetrics.SelectionRate), "gender", "female", 0.45, 40, now)
            .ObserveRate(name, version, MetricKey.Custom(GroupMetrics.SelectionRate), "gender", "male", 0.5, 40, now)
            .ObserveRate(name, version, MetricKey.Custom(GroupMetrics.FalsePositiveRate), "gender", "female", 0.05, 40, now)
            .ObserveRate(name, version, MetricKey.Custom(GroupMetrics.FalsePositiveRate), "gender", "male", 0.075, 40, now);
    }

    public async Task<ComplianceCheckResult> CheckAsync(string check, string model = "fraud", string version = "1.0.0", ModelStage target = ModelStage.Production)
        => (await Compliance.EvaluateAsync(model, version, target)).Results.Single(r => r.CheckName == check);

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
