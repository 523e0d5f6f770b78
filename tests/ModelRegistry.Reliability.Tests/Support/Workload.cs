using ModelRegistry.Compliance;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>One mutation of the mixed workload: what it is, which state slices it may change, and how to run it.</summary>
/// <param name="Number">Its number in the run.</param>
/// <param name="Kind">What kind of operation it is (<c>register</c>, <c>version</c>, ...: the soak reports latency per kind).</param>
/// <param name="Description">What it does (one line, for logs).</param>
/// <param name="Keys">The <see cref="StateProbe"/> keys of the state it may change.</param>
/// <param name="Audited">Whether it writes audit records (metric batches do not: they take the metric path).</param>
/// <param name="Run">Performs it.</param>
public sealed record Operation(int Number, string Kind, string Description, IReadOnlyList<string> Keys, bool Audited, Func<Task> Run);

/// <summary>
/// A seeded mixed workload over the four services: registrations, versions, tags, stage transitions, aliases, lineage
/// nodes and links, metric batches, approval requests and reviews. It keeps its own view of what exists so that most
/// operations are valid; the rest are refused by the registry, which is part of the test.
/// </summary>
public sealed class Workload(ModelRegistryServices services, SwitchableActor actor, Random random, string prefix)
{
    /// <summary>Metric points are stamped from here on (explicit timestamps keep the metric window fixed).</summary>
    public static readonly DateTimeOffset MetricEpoch = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public const int MetricBatchSize = 20;

    private readonly List<string> _models = [];
    private readonly List<VersionView> _versions = [];

    // The workload's own bookkeeping must not scan everything either: its time is inside the measured operation.
    private readonly Dictionary<string, List<VersionView>> _versionsByModel = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _pendingPositions = [];
    private readonly List<string> _datasets = [];
    private int _number;

    /// <summary>The operations generated so far.</summary>
    public int Count => _number;

    /// <summary>The models registered so far (the store's size, for reports).</summary>
    public int ModelCount => _models.Count;

    /// <summary>The versions created so far.</summary>
    public int VersionCount => _versions.Count;

    /// <summary>The next operation (not yet run).</summary>
    public Operation Next()
    {
        var n = ++_number;
        if (_models.Count == 0)
        {
            return Register(n);
        }

        var choice = random.Next(100);
        return choice switch
        {
            < 8 => Register(n),
            < 22 => CreateVersion(n),
            < 30 => SetModelTag(n),
            _ when _versions.Count == 0 => CreateVersion(n),
            < 44 => Transition(n),
            < 52 => SetAlias(n),
            < 58 => RecordDataset(n),
            < 66 when _datasets.Count > 0 => Link(n),
            < 78 => RecordMetrics(n),
            < 88 => RequestApproval(n),
            _ => Review(n),
        };
    }

    private static string ModelKey(string model) => $"model|{model}";

    private T Pick<T>(List<T> items) => items[random.Next(items.Count)];

    private Operation Register(int n)
    {
        var name = $"{prefix}m{n}";
        return new Operation(n, "register", $"register {name}", [ModelKey(name)], true, async () =>
        {
            await services.Registry.RegisterModelAsync(new RegisterModelRequest
            {
                Name = name,
                Owners = ["team-ml"],
                Description = "reliability workload",
                Tags = new Dictionary<string, string> { [ComplianceFields.IntendedUse] = "testing", [ComplianceFields.Limitations] = "none" },
            });
            _models.Add(name);
        });
    }

    private Operation CreateVersion(int n)
    {
        var model = Pick(_models);
        return new Operation(n, "version", $"create version of {model}", [ModelKey(model)], true, async () =>
        {
            var created = await services.Registry.CreateVersionAsync(model, new CreateVersionRequest
            {
                SourceCommit = $"{prefix}c{n}",
                Metrics = new Dictionary<string, double> { ["accuracy"] = 0.9 + (random.NextDouble() / 20) },
                Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/{model}/{n}.bin", new string('a', 64), 1024 + n, "MIT")],
            });
            var view = new VersionView(model, created.Version.ToString(), _versions.Count);
            _versions.Add(view);
            if (!_versionsByModel.TryGetValue(model, out var ofModel))
            {
                _versionsByModel[model] = ofModel = [];
            }

            ofModel.Add(view);
        });
    }

    private Operation SetModelTag(int n)
    {
        var model = Pick(_models);
        return new Operation(n, "tag", $"tag {model} k{n}", [ModelKey(model)], true, () => services.Registry.SetModelTagAsync(model, $"k{n}", $"v{n}"));
    }

    private Operation Transition(int n)
    {
        var v = Pick(_versions);
        var target = v.Stage switch
        {
            ModelStage.Development => ModelStage.Staging,
            ModelStage.Staging => v.Approved ? ModelStage.Production : ModelStage.Canary,
            ModelStage.Canary => ModelStage.Production,
            _ => ModelStage.Archived,
        };
        return new Operation(n, $"transition to {target}", $"transition {v.Model}/{v.Version} {v.Stage}->{target}", [ModelKey(v.Model), $"approvals|{v.Model}|{v.Version}"], true, async () =>
        {
            await services.Registry.TransitionStageAsync(v.Model, v.Version, target, target == ModelStage.Canary ? new StageTransitionOptions { CanaryTrafficPercent = 10 } : null);
            v.Stage = target;
            if (target == ModelStage.Production)
            {
                // Another production version of the model moves out of production.
                foreach (var other in _versionsByModel[v.Model].Where(o => o != v && o.Stage == ModelStage.Production))
                {
                    other.Stage = ModelStage.Archived;
                }
            }
        });
    }

    private Operation SetAlias(int n)
    {
        var v = Pick(_versions);
        var alias = random.Next(3) == 0 ? "champion" : $"a{n}";
        return new Operation(n, "alias", $"alias {v.Model} {alias}->{v.Version}", [ModelKey(v.Model)], true, () => services.Registry.SetAliasAsync(v.Model, alias, v.Version));
    }

    private Operation RecordDataset(int n)
    {
        var id = LineageNodeIds.Dataset($"{prefix}d{n}");
        return new Operation(n, "dataset", $"record {id}", [$"node|{id}"], true, async () =>
        {
            await services.Lineage.RecordNodeAsync(new RecordNodeRequest(id, LineageNodeKind.Dataset, $"{prefix}d{n}")
            {
                Details = new DatasetDetails { License = "CC-BY-4.0", ContainsPersonalData = false },
            });
            _datasets.Add(id);
        });
    }

    private Operation Link(int n)
    {
        var v = Pick(_versions);
        var dataset = Pick(_datasets);
        var node = LineageNodeIds.Version(v.Model, v.Version);
        return new Operation(n, "link", $"link {node} trainedOn {dataset}", [$"edges|{node}"], true,
            () => services.Lineage.LinkAsync(new LinkRequest(node, LineageEdgeKind.TrainedOn, dataset)));
    }

    private Operation RecordMetrics(int n)
    {
        var v = Pick(_versions);
        var name = $"{prefix}op{n}";
        return new Operation(n, "metrics", $"metrics {v.Model}/{v.Version} {name} x{MetricBatchSize}", [$"metric|{v.Model}|{v.Version}|{name}"], false, () =>
            services.Performance.RecordBatchAsync([.. Enumerable.Range(0, MetricBatchSize).Select(i => new MetricPoint
            {
                ModelName = v.Model,
                Version = v.Version,
                Kind = MetricKind.Custom,
                CustomName = name,
                Value = random.NextDouble() * 100,
                Timestamp = MetricEpoch.AddSeconds(n + (i / 100.0)),
            })]));
    }

    private Operation RequestApproval(int n)
    {
        var v = Pick(_versions);
        return new Operation(n, "approval request", $"request approval {v.Model}/{v.Version}", [$"approvals|{v.Model}|{v.Version}"], true, async () =>
        {
            var request = await services.Compliance.RequestApprovalAsync(v.Model, v.Version, ModelStage.Production, "ready for production");
            v.PendingRequest = request.Id;
            _pendingPositions.Add(v.Position);
        });
    }

    private Operation Review(int n)
    {
        var v = _pendingPositions.Count > 0 ? _versions[_pendingPositions.Min] : Pick(_versions);
        return new Operation(n, "approval review", $"approve {v.Model}/{v.Version} {v.PendingRequest}", [$"approvals|{v.Model}|{v.Version}"], true, async () =>
        {
            var previous = actor.Current;
            actor.Current = "bob";
            try
            {
                var reviewed = await services.Compliance.ReviewAsync(v.PendingRequest ?? "no-such-request", ReviewDecision.Approve, "looks good");
                v.Approved = reviewed.State == ApprovalState.Approved;
                v.PendingRequest = null;
                _pendingPositions.Remove(v.Position);
            }
            finally
            {
                actor.Current = previous;
            }
        });
    }

    private sealed class VersionView(string model, string version, int position)
    {
        public int Position { get; } = position;

        public string Model { get; } = model;

        public string Version { get; } = version;

        public ModelStage Stage { get; set; } = ModelStage.Development;

        public string? PendingRequest { get; set; }

        public bool Approved { get; set; }
    }
}
