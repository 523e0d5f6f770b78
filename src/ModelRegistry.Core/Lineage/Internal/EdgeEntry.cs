using QuikGraph;

namespace ModelRegistry.Lineage;

/// <summary>
/// The in-memory form of a <see cref="LineageEdge"/>, and the QuikGraph edge itself (no wrapper object), kept small
/// because the graph may hold hundreds of thousands of them: the ends are vertex numbers, times are UTC ticks, actor
/// strings are shared, and the rarely-set fields live in <see cref="EdgeExtras"/>. The public record is built on demand
/// by <see cref="LineageGraphIndex"/>.
/// </summary>
internal sealed class EdgeEntry : IEdge<int>
{
    /// <summary><see cref="RemovedTicks"/> of an edge in force.</summary>
    public const long NotRemoved = long.MaxValue;

    private readonly byte _kind;

    public EdgeEntry(Guid id, int source, int target, LineageEdgeKind kind, long createdTicks, string createdBy, long removedTicks, EdgeExtras? extras)
    {
        Id = id;
        Source = source;
        Target = target;
        _kind = (byte)kind;
        CreatedTicks = createdTicks;
        CreatedBy = createdBy;
        RemovedTicks = removedTicks;
        Extras = extras;
    }

    public Guid Id { get; }

    /// <summary>The dependent node's vertex (<see cref="LineageEdge.From"/>).</summary>
    public int Source { get; }

    /// <summary>The depended-on node's vertex (<see cref="LineageEdge.To"/>).</summary>
    public int Target { get; }

    public LineageEdgeKind Kind => (LineageEdgeKind)_kind;

    public long CreatedTicks { get; }

    public string CreatedBy { get; }

    /// <summary>UTC ticks of the removal, or <see cref="NotRemoved"/>. Changed only under the index's write lock.</summary>
    public long RemovedTicks { get; set; }

    /// <summary>Custom kind, metadata and remover; <see langword="null"/> for most edges. Replaced, never mutated.</summary>
    public EdgeExtras? Extras { get; set; }

    public string? CustomKind => Extras?.CustomKind;

    /// <summary>Whether the edge was in force at <paramref name="ticks"/> (see <see cref="LineageGraphIndex"/> for the "now" value).</summary>
    public bool VisibleAt(long ticks) => CreatedTicks <= ticks && RemovedTicks > ticks;
}

/// <summary>The rarely-set parts of an edge.</summary>
/// <param name="CustomKind">The custom kind name.</param>
/// <param name="Metadata">The JSON metadata.</param>
/// <param name="RemovedBy">Who removed the edge.</param>
internal sealed record EdgeExtras(string? CustomKind, string? Metadata, string? RemovedBy)
{
    public static EdgeExtras? Create(string? customKind, string? metadata, string? removedBy)
        => customKind is null && metadata is null && removedBy is null ? null : new EdgeExtras(customKind, metadata, removedBy);
}
