using System.Text;

namespace ModelRegistry.Lineage;

/// <summary>The result of a traversal, or a snapshot of the whole graph.</summary>
public sealed record LineageGraph
{
    /// <summary>The start node's id, or <see langword="null"/> for a whole-graph snapshot.</summary>
    public string? RootId { get; init; }

    /// <summary>The direction walked, or <see langword="null"/> for a whole-graph snapshot.</summary>
    public LineageDirection? Direction { get; init; }

    /// <summary>The depth limit applied (0 for a whole-graph snapshot).</summary>
    public int MaxDepth { get; init; }

    /// <summary>The as-of instant answered for, or <see langword="null"/> for the current graph.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The nodes reached, each with its distance from the start, in breadth-first order (the start first).</summary>
    public IReadOnlyList<LineageGraphNode> Nodes { get; init; } = [];

    /// <summary>The edges walked between the listed nodes, each once.</summary>
    public IReadOnlyList<LineageEdge> Edges { get; init; } = [];

    /// <summary>Whether nodes exist beyond the depth limit (a deeper query would return more).</summary>
    public bool Truncated { get; init; }
}

/// <summary>A node of a <see cref="LineageGraph"/> with its distance from the start.</summary>
/// <param name="Node">The node.</param>
/// <param name="Depth">The fewest edges between the start and the node (0 for the start and in whole-graph snapshots).</param>
public sealed record LineageGraphNode(LineageNode Node, int Depth);

/// <summary>
/// A chain of edges that explains how two nodes relate. <c>Edges[i]</c> connects <c>Nodes[i]</c> and <c>Nodes[i + 1]</c>,
/// in either direction; <see cref="Describe"/> renders it as text.
/// </summary>
public sealed record LineagePath
{
    /// <summary>The nodes from the first to the last.</summary>
    public required IReadOnlyList<LineageNode> Nodes { get; init; }

    /// <summary>The edges between consecutive nodes (one fewer than <see cref="Nodes"/>).</summary>
    public required IReadOnlyList<LineageEdge> Edges { get; init; }

    /// <summary>The number of edges.</summary>
    public int Length => Edges.Count;

    /// <summary>
    /// Renders the path as text, for example
    /// <c>deployment:eu-prod -DeployedTo-&gt; version:fraud/1.2.0 -TrainedOn-&gt; dataset:customers</c>; an edge walked
    /// against its direction is written <c>&lt;-Kind-</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public string Describe()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Nodes.Count; i++)
        {
            if (i > 0)
            {
                var edge = Edges[i - 1];
                var kind = edge.Kind == LineageEdgeKind.Custom ? edge.CustomKind : edge.Kind.ToString();
                var forward = string.Equals(edge.From, Nodes[i - 1].Id, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(edge.To, Nodes[i].Id, StringComparison.OrdinalIgnoreCase);
                text.Append(forward ? $" -{kind}-> " : $" <-{kind}- ");
            }

            text.Append(Nodes[i].Id);
        }

        return text.ToString();
    }
}

/// <summary>What is affected downstream of a node, most severe first.</summary>
public sealed record ImpactReport
{
    /// <summary>The node whose impact was analysed.</summary>
    public required LineageNode Source { get; init; }

    /// <summary>
    /// Every affected model version, deployment and consumer (the source itself excluded), ordered by
    /// <see cref="ImpactedItem.Stage"/> (production first), then by distance, then by id.
    /// </summary>
    public IReadOnlyList<ImpactedItem> Items { get; init; } = [];

    /// <summary>The number of items per stage; every stage is present.</summary>
    public required IReadOnlyDictionary<ImpactStage, int> CountsByStage { get; init; }

    /// <summary>Whether nodes exist beyond the depth limit (a deeper analysis could find more).</summary>
    public bool Truncated { get; init; }

    /// <summary>The depth limit applied.</summary>
    public int MaxDepth { get; init; }

    /// <summary>The as-of instant answered for, or <see langword="null"/> for the current graph.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The affected model versions, in report order.</summary>
    public IReadOnlyList<ImpactedItem> Versions => Items.Where(i => i.Node.Kind == LineageNodeKind.ModelVersion).ToList();

    /// <summary>The affected deployments, in report order.</summary>
    public IReadOnlyList<ImpactedItem> Deployments => Items.Where(i => i.Node.Kind == LineageNodeKind.Deployment).ToList();

    /// <summary>The affected consumers, in report order.</summary>
    public IReadOnlyList<ImpactedItem> Consumers => Items.Where(i => i.Node.Kind == LineageNodeKind.Consumer).ToList();
}

/// <summary>One affected version, deployment or consumer, with the path that explains why.</summary>
/// <param name="Node">The affected node.</param>
/// <param name="Stage">
/// How serious it is: a version's own stage, a deployment's environment, or for a consumer the stage of the nearest
/// version or deployment before it on its most severe path.
/// </param>
/// <param name="Path">The path from the source to the node (shortest among the most severe).</param>
public sealed record ImpactedItem(LineageNode Node, ImpactStage Stage, LineagePath Path)
{
    /// <summary>The number of edges between the source and the node on <see cref="Path"/>.</summary>
    public int Depth => Path.Length;
}

/// <summary>Where the data behind a node (usually a model version) comes from.</summary>
public sealed record ProvenanceReport
{
    /// <summary>The node whose provenance was traced.</summary>
    public required LineageNode Subject { get; init; }

    /// <summary>Every dataset upstream of the subject (the subject itself excluded): roots first, then by distance, then by id.</summary>
    public IReadOnlyList<ProvenanceSource> Datasets { get; init; } = [];

    /// <summary>Whether nodes exist beyond the depth limit (roots may lie further upstream).</summary>
    public bool Truncated { get; init; }

    /// <summary>The depth limit applied.</summary>
    public int MaxDepth { get; init; }

    /// <summary>The as-of instant answered for, or <see langword="null"/> for the current graph.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The root datasets: those with no dataset further upstream.</summary>
    public IReadOnlyList<ProvenanceSource> Roots => Datasets.Where(d => d.IsRoot).ToList();

    /// <summary>Whether any upstream dataset is declared to contain personal data.</summary>
    public bool ContainsPersonalData => Datasets.Any(d => d.ContainsPersonalData == true);
}

/// <summary>One dataset upstream of a provenance subject.</summary>
/// <param name="Dataset">The dataset node.</param>
/// <param name="Path">The shortest upstream path from the subject to the dataset.</param>
/// <param name="IsRoot">Whether no other dataset lies further upstream of it.</param>
public sealed record ProvenanceSource(LineageNode Dataset, LineagePath Path, bool IsRoot)
{
    /// <summary>The dataset's licence, if declared.</summary>
    public string? License => (Dataset.Details as DatasetDetails)?.License;

    /// <summary>Whether the dataset contains personal data; <see langword="null"/> when not declared.</summary>
    public bool? ContainsPersonalData => (Dataset.Details as DatasetDetails)?.ContainsPersonalData;

    /// <summary>The declared categories of personal data.</summary>
    public IReadOnlyList<string> PersonalDataCategories => (Dataset.Details as DatasetDetails)?.PersonalDataCategories ?? [];

    /// <summary>The number of edges between the subject and the dataset.</summary>
    public int Depth => Path.Length;
}
