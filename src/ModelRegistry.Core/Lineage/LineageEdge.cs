using System.Text.Json.Serialization;

namespace ModelRegistry.Lineage;

/// <summary>
/// A typed, directed edge: <see cref="From"/> depends on <see cref="To"/> (see <see cref="LineageEdgeKind"/>).
/// Edges are never deleted: unlinking records <see cref="RemovedAt"/>, and as-of queries see an edge when
/// <c>CreatedAt &lt;= asOf</c> and (<c>RemovedAt</c> is <see langword="null"/> or <c>RemovedAt &gt; asOf</c>).
/// </summary>
public sealed record LineageEdge
{
    /// <summary>The edge's identity.</summary>
    public required Guid Id { get; init; }

    /// <summary>The dependent node's id.</summary>
    public required string From { get; init; }

    /// <summary>The id of the node <see cref="From"/> depends on.</summary>
    public required string To { get; init; }

    /// <summary>The relation.</summary>
    public required LineageEdgeKind Kind { get; init; }

    /// <summary>For <see cref="LineageEdgeKind.Custom"/> edges, the relation's name (<c>^[a-z][a-z0-9-]{0,63}$</c>); otherwise <see langword="null"/>.</summary>
    public string? CustomKind { get; init; }

    /// <summary>When the edge was linked.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who linked it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it was unlinked, or <see langword="null"/> while it is in force.</summary>
    public DateTimeOffset? RemovedAt { get; init; }

    /// <summary>Who unlinked it.</summary>
    public string? RemovedBy { get; init; }

    /// <summary>Free-form metadata as a JSON object, size-limited (64 KiB by default).</summary>
    public string? Metadata { get; init; }

    /// <summary>Whether the edge is in force now (not unlinked).</summary>
    [JsonIgnore]
    public bool IsActive => RemovedAt is null;

    /// <summary>Whether the edge was in force at an instant.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when <c>CreatedAt &lt;= instant</c> and it was not yet removed.</returns>
    public bool WasActiveAt(DateTimeOffset instant) => CreatedAt <= instant && (RemovedAt is null || RemovedAt > instant);
}
