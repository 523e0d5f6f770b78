using System.Text.Json.Serialization;

namespace ModelRegistry.Lineage;

/// <summary>
/// A node of the lineage graph: a dataset, run, evaluation, deployment, consumer, custom thing, or a reference to a
/// registry model or version. Nodes are never deleted; recording a node again replaces its name, details and metadata
/// and increments <see cref="Revision"/>.
/// </summary>
public sealed record LineageNode
{
    /// <summary>
    /// The node's identity, <c>prefix:key</c>, where the prefix names the kind (<c>dataset:customers-2026</c>,
    /// <c>version:fraud-detector/1.2.0</c>, <c>model:fraud-detector</c>; see <see cref="LineageNodeIds"/>).
    /// Compared case-insensitively (ordinal).
    /// </summary>
    public required string Id { get; init; }

    /// <summary>What the node stands for.</summary>
    public required LineageNodeKind Kind { get; init; }

    /// <summary>The display name (the label in exports). Any text up to 512 characters.</summary>
    public required string Name { get; init; }

    /// <summary>For <see cref="LineageNodeKind.Custom"/> nodes, the kind's name (<c>^[a-z][a-z0-9-]{0,63}$</c>, also the id prefix); otherwise <see langword="null"/>.</summary>
    public string? CustomKind { get; init; }

    /// <summary>Typed details matching <see cref="Kind"/> (<see cref="DatasetDetails"/> for a dataset, ...), or <see langword="null"/>.</summary>
    public LineageNodeDetails? Details { get; init; }

    /// <summary>Free-form metadata as a JSON object, size-limited (64 KiB by default).</summary>
    public string? Metadata { get; init; }

    /// <summary>When the node was first recorded. As-of queries see the node from this instant on.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who first recorded it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Optimistic-concurrency revision; 1 after the first recording.</summary>
    public long Revision { get; init; }
}

/// <summary>Typed details of a lineage node; the concrete type matches the node's <see cref="LineageNode.Kind"/>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(DatasetDetails), "dataset")]
[JsonDerivedType(typeof(TrainingRunDetails), "run")]
[JsonDerivedType(typeof(EvaluationDetails), "evaluation")]
[JsonDerivedType(typeof(DeploymentDetails), "deployment")]
[JsonDerivedType(typeof(ConsumerDetails), "consumer")]
public abstract record LineageNodeDetails;

/// <summary>Details of a <see cref="LineageNodeKind.Dataset"/> node.</summary>
public sealed record DatasetDetails : LineageNodeDetails
{
    /// <summary>Where the data lives (<c>s3://bucket/customers/2026</c>).</summary>
    public string? Uri { get; init; }

    /// <summary>The dataset's version label, if it has one.</summary>
    public string? Version { get; init; }

    /// <summary>A content hash identifying the exact data (for example a SHA-256).</summary>
    public string? ContentHash { get; init; }

    /// <summary>Number of rows or records (≥ 0), if known.</summary>
    public long? RowCount { get; init; }

    /// <summary>A short description of the schema.</summary>
    public string? SchemaSummary { get; init; }

    /// <summary>SPDX licence identifier or licence name.</summary>
    public string? License { get; init; }

    /// <summary>Whether the data contains personal data; <see langword="null"/> when not declared (compliance checks may treat that as a finding).</summary>
    public bool? ContainsPersonalData { get; init; }

    /// <summary>Categories of personal data (<c>email</c>, <c>health</c>, ...); only when <see cref="ContainsPersonalData"/> is <see langword="true"/>.</summary>
    public IReadOnlyList<string> PersonalDataCategories { get; init; } = [];

    /// <summary>The system the data comes from (<c>crm</c>, <c>data-lake</c>).</summary>
    public string? SourceSystem { get; init; }
}

/// <summary>Details of a <see cref="LineageNodeKind.TrainingRun"/> node.</summary>
public sealed record TrainingRunDetails : LineageNodeDetails
{
    /// <summary>The source-control commit of the training code.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Training parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = LineageEmpty.Strings;

    /// <summary>When the run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the run ended (not before <see cref="StartedAt"/>).</summary>
    public DateTimeOffset? EndedAt { get; init; }
}

/// <summary>Details of a <see cref="LineageNodeKind.Evaluation"/> node.</summary>
public sealed record EvaluationDetails : LineageNodeDetails
{
    /// <summary>The evaluation suite (<c>fairness-v2</c>, <c>holdout-accuracy</c>).</summary>
    public string? Suite { get; init; }

    /// <summary>The id of the dataset evaluated on (<c>dataset:holdout-2026</c>), if any.</summary>
    public string? DatasetId { get; init; }

    /// <summary>Metric results (finite numbers).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = LineageEmpty.Numbers;
}

/// <summary>Details of a <see cref="LineageNodeKind.Deployment"/> node.</summary>
public sealed record DeploymentDetails : LineageNodeDetails
{
    /// <summary>The environment (<c>production</c>, <c>canary</c>, <c>staging</c>, ...); impact analysis ranks by it.</summary>
    public required string Environment { get; init; }

    /// <summary>The serving endpoint.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The region (<c>eu-west-1</c>).</summary>
    public string? Region { get; init; }

    /// <summary>Share of traffic served, 0–100.</summary>
    public double? TrafficPercent { get; init; }
}

/// <summary>Details of a <see cref="LineageNodeKind.Consumer"/> node.</summary>
public sealed record ConsumerDetails : LineageNodeDetails
{
    /// <summary>What the consumer is and what it uses the model for.</summary>
    public string? Description { get; init; }
}

internal static class LineageEmpty
{
    public static readonly IReadOnlyDictionary<string, string> Strings = new Dictionary<string, string>(StringComparer.Ordinal);
    public static readonly IReadOnlyDictionary<string, double> Numbers = new Dictionary<string, double>(StringComparer.Ordinal);
}
