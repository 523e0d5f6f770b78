using System.Globalization;
using ModelRegistry.Audit;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Lineage;
using ModelRegistry.Storage;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// The generated lineage graph every lineage benchmark uses: 100,000 nodes and 500,000 edges, layered like real lineage
/// (datasets → runs → versions → deployments → consumers, plus derivations), from a fixed seed, so the registry and the
/// raw baseline hold exactly the same edges.
/// </summary>
/// <remarks>
/// <para>Nodes: 15,000 datasets in 1,500 families of 10; 25,000 training runs; 5,000 registry models with 5 versions
/// each (25,000 version nodes, the search dataset's first 5,000 models: two archived, one production, one staging, one
/// development version per model); 15,000 deployments (30% production, 10% canary, 30% staging, 30% development);
/// 20,000 consumers.</para>
/// <para>Edges (every edge points from the dependent node to what it depends on):
/// dataset member <c>k</c> of a family DerivedFrom min(k, 3) earlier members (36,000);
/// run TrainedOn 6 distinct random datasets (150,000); version ProducedBy its run (25,000) and TrainedOn the run's 6
/// datasets (150,000); version DerivedFrom the model's previous version (20,000); 2,000 first versions FineTunedFrom a
/// version of an earlier model; deployment DeployedTo 2 versions (30,000); consumer Consumes 3 or 4 deployments
/// (67,000) and 1 version (20,000). Total 500,000. Derivations only point to lower indices, so the acyclic kinds are
/// acyclic.</para>
/// </remarks>
internal sealed class LineageGraphData
{
    public const int Datasets = 15_000;
    public const int FamilySize = 10;
    public const int Runs = 25_000;
    public const int Models = 5_000;
    public const int VersionsPerModel = 5;
    public const int Versions = Models * VersionsPerModel;
    public const int Deployments = 15_000;
    public const int Consumers = 20_000;
    public const int NodeCount = Datasets + Runs + Versions + Deployments + Consumers;
    public const int EdgeCount = 500_000;
    public const int RunDatasets = 6;
    public const int FineTuned = 2_000;

    /// <summary>The dataset the traversals start from: a family root (nothing upstream), so impact analysis starts at a root.</summary>
    public static readonly string StartDataset = DatasetId(7 * FamilySize);

    private static readonly string[] Environments = ["production", "production", "production", "canary", "staging", "staging", "staging", "development", "development", "development"];
    private static readonly string[] Actors = ["pipeline", "alice", "bob", "feature-store"];

    private static readonly Lazy<LineageGraphData> Shared = new(() => new LineageGraphData(seed: 20261123));

    private LineageGraphData(int seed)
    {
        var random = new Random(seed);
        var edges = new List<GeneratedEdge>(EdgeCount);
        var tick = 0;
        void Add(string from, string to, LineageEdgeKind kind)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            edges.Add(new GeneratedEdge(new Guid(bytes), from, to, kind, Dataset.SeedTime.AddSeconds(NodeCount + tick).UtcTicks, Actors[tick % Actors.Length]));
            tick++;
        }

        for (var d = 0; d < Datasets; d++)
        {
            var member = d % FamilySize;
            foreach (var parent in Distinct(random, Math.Min(member, 3), member))
            {
                Add(DatasetId(d), DatasetId(d - member + parent), LineageEdgeKind.DerivedFrom);
            }
        }

        var runDatasets = new int[Runs][];
        for (var r = 0; r < Runs; r++)
        {
            runDatasets[r] = Distinct(random, RunDatasets, Datasets);
            foreach (var d in runDatasets[r])
            {
                Add(RunId(r), DatasetId(d), LineageEdgeKind.TrainedOn);
            }
        }

        for (var v = 0; v < Versions; v++)
        {
            var (model, index) = (v / VersionsPerModel, v % VersionsPerModel);
            Add(VersionId(v), RunId(v), LineageEdgeKind.ProducedBy);
            foreach (var d in runDatasets[v])
            {
                Add(VersionId(v), DatasetId(d), LineageEdgeKind.TrainedOn);
            }

            if (index > 0)
            {
                Add(VersionId(v), VersionId(v - 1), LineageEdgeKind.DerivedFrom);
            }
        }

        // Fine-tuning: the first version of 2,000 models (spread evenly) from a version of an earlier model.
        for (var i = 0; i < FineTuned; i++)
        {
            var model = 1 + (i * (Models - 1) / FineTuned);
            Add(VersionId(model * VersionsPerModel), VersionId(random.Next(model * VersionsPerModel)), LineageEdgeKind.FineTunedFrom);
        }

        for (var p = 0; p < Deployments; p++)
        {
            foreach (var v in Distinct(random, 2, Versions))
            {
                Add(DeploymentId(p), VersionId(v), LineageEdgeKind.DeployedTo);
            }
        }

        for (var c = 0; c < Consumers; c++)
        {
            foreach (var p in Distinct(random, c % 20 < 7 ? 4 : 3, Deployments))
            {
                Add(ConsumerId(c), DeploymentId(p), LineageEdgeKind.Consumes);
            }

            Add(ConsumerId(c), VersionId(random.Next(Versions)), LineageEdgeKind.Consumes);
        }

        if (edges.Count != EdgeCount)
        {
            throw new InvalidOperationException($"The generator made {edges.Count} edges, not {EdgeCount}.");
        }

        Edges = edges;
    }

    /// <summary>The graph (generated once per process).</summary>
    public static LineageGraphData Instance => Shared.Value;

    /// <summary>The 500,000 edges, in creation order.</summary>
    public IReadOnlyList<GeneratedEdge> Edges { get; }

    public static string DatasetId(int d) => "dataset:ds-" + d.ToString("D5", CultureInfo.InvariantCulture);

    public static string RunId(int r) => "run:run-" + r.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Version <paramref name="v"/> (model v / 5, its (v % 5)th version), as the registry names its node.</summary>
    public static string VersionId(int v) => $"version:{Dataset.ModelName(v / VersionsPerModel)}/{Dataset.VersionText(v % VersionsPerModel)}";

    public static string DeploymentId(int p) => "deployment:dep-" + p.ToString("D5", CultureInfo.InvariantCulture);

    public static string ConsumerId(int c) => "consumer:app-" + c.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Whether a node id is one impact analysis reports (a version, deployment or consumer).</summary>
    public static bool IsImpactKind(string id)
        => id.StartsWith("version:", StringComparison.Ordinal) || id.StartsWith("deployment:", StringComparison.Ordinal) || id.StartsWith("consumer:", StringComparison.Ordinal);

    /// <summary>The lineage nodes the tracker stores (every node but the registry's versions), in recording order.</summary>
    public static IEnumerable<LineageNode> StoredNodes()
    {
        var n = 0;
        LineageNode Node(string id, LineageNodeKind kind, string name, LineageNodeDetails details) => new()
        {
            Id = id,
            Kind = kind,
            Name = name,
            Details = details,
            CreatedAt = Dataset.SeedTime.AddSeconds(n++),
            CreatedBy = Actors[n % Actors.Length],
            Revision = 1,
        };

        for (var d = 0; d < Datasets; d++)
        {
            yield return Node(DatasetId(d), LineageNodeKind.Dataset, $"Dataset {d}", new DatasetDetails
            {
                Uri = $"s3://lake/ds-{d}/",
                Version = $"v{d % FamilySize}",
                RowCount = 1_000_000 + d,
                License = d % 3 == 0 ? "CC-BY-4.0" : "proprietary",
                ContainsPersonalData = d % 4 == 0,
                PersonalDataCategories = d % 4 == 0 ? ["email"] : [],
                SourceSystem = "data-lake",
            });
        }

        for (var r = 0; r < Runs; r++)
        {
            yield return Node(RunId(r), LineageNodeKind.TrainingRun, $"Run {r}", new TrainingRunDetails { CodeCommit = $"{r:x8}" });
        }

        for (var p = 0; p < Deployments; p++)
        {
            yield return Node(DeploymentId(p), LineageNodeKind.Deployment, $"Deployment {p}", new DeploymentDetails { Environment = Environments[p % Environments.Length], Region = "eu-west-1" });
        }

        for (var c = 0; c < Consumers; c++)
        {
            yield return Node(ConsumerId(c), LineageNodeKind.Consumer, $"Consumer {c}", new ConsumerDetails { Description = "Calls the model." });
        }
    }

    /// <summary>
    /// Seeds a registry file through the store's own commit path: the models and versions, then every node and edge
    /// document with the audit record the tracker would have written, 10,000 writes per transaction.
    /// </summary>
    public static void SeedRegistry(IRegistryStore store)
    {
        const int PerCommit = 10_000;
        var writes = new List<StoreWrite>(PerCommit);
        var audit = new List<AuditDraft>(PerCommit);
        void Flush(bool force)
        {
            if (writes.Count >= PerCommit || (force && writes.Count > 0))
            {
                store.CommitAsync(new StoreTransaction([.. writes], [.. audit]), default).AsTask().GetAwaiter().GetResult();
                writes.Clear();
                audit.Clear();
            }
        }

        for (var m = 0; m < Models; m++)
        {
            var model = Dataset.Model(m);
            writes.Add(new PutModel(model, 0));
            audit.Add(Dataset.ModelAudit(model));
            for (var v = 0; v < VersionsPerModel; v++)
            {
                var version = Dataset.SeedVersion(m, v);
                writes.Add(new PutVersion(version, 0));
                audit.Add(Dataset.VersionAudit(version));
            }

            Flush(force: false);
        }

        foreach (var node in StoredNodes())
        {
            writes.Add(LineageDocuments.PutNode(node, 0));
            audit.Add(LineageDocuments.NodeRecorded(node, node.CreatedAt, node.CreatedBy));
            Flush(force: false);
        }

        foreach (var generated in Instance.Edges)
        {
            var edge = generated.ToEdge();
            writes.Add(LineageDocuments.PutEdge(edge, 0));
            audit.Add(LineageDocuments.Linked(edge, edge.CreatedAt, edge.CreatedBy));
            Flush(force: false);
        }

        Flush(force: true);
    }

    /// <summary>Distinct random integers in [0, <paramref name="below"/>).</summary>
    private static int[] Distinct(Random random, int count, int below)
    {
        var picked = new int[count];
        for (var i = 0; i < count; i++)
        {
            int candidate;
            do
            {
                candidate = random.Next(below);
            }
            while (Array.IndexOf(picked, candidate, 0, i) >= 0);
            picked[i] = candidate;
        }

        return picked;
    }
}

/// <summary>One generated edge: what both sides store.</summary>
internal sealed record GeneratedEdge(Guid Id, string From, string To, LineageEdgeKind Kind, long CreatedTicks, string CreatedBy)
{
    public LineageEdge ToEdge() => new()
    {
        Id = Id,
        From = From,
        To = To,
        Kind = Kind,
        CreatedAt = new DateTimeOffset(CreatedTicks, TimeSpan.Zero),
        CreatedBy = CreatedBy,
    };
}
