using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>
/// Makes the cycle check hold across trackers that share a store (two processes on one SQLite file, two registry
/// instances on one store). Every commit that adds a DerivedFrom, TrainedOn or FineTunedFrom edge through
/// <see cref="ILineageTracker.LinkAsync"/> also replaces one store-wide guard document, expecting the revision the
/// tracker last saw; so of two such commits checked against the same state, the second fails with
/// <see cref="ErrorCode.ConcurrencyConflict"/>, and the tracker catches up and checks again — now seeing the other edge.
/// </summary>
/// <remarks>
/// <para>
/// The invariant: when the tracker expects revision <c>r</c>, its graph holds every edge committed with a guard
/// revision up to <c>r</c>. It holds for a revision read from the store before a catch-up (every commit that wrote it
/// was already in the store's change sequence), and for the revision the tracker's own commit wrote (its graph gained
/// that edge, and held everything before it). The graph only grows, so a known revision stays valid; it is only
/// re-read (<see cref="Forget"/>) after a conflict, or when other writers committed since, to avoid a doomed commit.
/// </para>
/// <para>
/// What is not guarded, and why that is safe: edges of other kinds (they may form cycles); unlinking (removing an edge
/// never closes a cycle); and the DerivedFrom edge the registry commits with a new version
/// (<see cref="AutomaticLineage"/>): it starts at a version nobody could link to before it existed, and any link to
/// that version is checked on a graph that, having caught up past the version, holds its edge. The exception is a
/// version whose id a deleted model retired (edges to it were kept): the registry checks that edge against the store
/// and commits it under this guard, like a link. A store written before
/// the guard existed simply has no guard document: the first guarded commit inserts it (expected revision 0), and two
/// first commits at once conflict like any others.
/// </para>
/// <para>
/// The cost is one point read per acyclic link when the graph moved since the tracker's last one (none in a run of
/// links from one tracker), one small document write per acyclic link, and — only when trackers link acyclic edges at
/// the same moment — a retry. The guard is one document for the whole store: acyclic links are serialised store-wide,
/// because a cycle can span any part of the graph.
/// </para>
/// </remarks>
internal sealed class AcyclicEdgeGuard
{
    /// <summary>The collection of the guard document (not read by the graph's load or catch-up).</summary>
    public const string Collection = "lineage.acyclic";

    /// <summary>The key of the one guard document.</summary>
    public const string Key = "guard";

    /// <summary>The guard revision the graph is known to reflect, or -1 when it must be read.</summary>
    private long _revision = -1;

    /// <summary>The tracker's change sequence when <see cref="_revision"/> was learned.</summary>
    private long _learnedAt = -1;

    /// <summary>
    /// The guard revision the graph reflects, when known and nothing was committed since it was learned (the
    /// tracker's graph is still at <paramref name="applied"/>); otherwise <see langword="null"/>: read it with
    /// <see cref="ReadAsync"/>, then catch up. Call under the tracker's gate.
    /// </summary>
    public long? Known(long applied) => _revision >= 0 && _learnedAt == applied ? _revision : null;

    /// <summary>Reads the guard's stored revision (0 when no acyclic edge was linked since the guard was introduced).</summary>
    public static async Task<long> ReadAsync(IRegistryStore store, CancellationToken cancellationToken)
        => (await store.FindDocumentAsync(Collection, Key, cancellationToken))?.Revision ?? 0;

    /// <summary>The write that commits <paramref name="edge"/> under the guard.</summary>
    public static PutDocument Put(LineageEdge edge, long expectedRevision)
        => new(Collection, Key, $$"""{"lastEdge":"{{edge.Id:D}}"}""", null, expectedRevision);

    /// <summary>
    /// Whether a commit of an edge under the guard failed because another writer committed under it first (the guard
    /// document changed, or was inserted when this tracker expected none).
    /// </summary>
    public static bool IsLostRace(ModelRegistryException exception, long expectedRevision)
        => exception.Code == ErrorCode.ConcurrencyConflict || (exception.Code == ErrorCode.AlreadyExists && expectedRevision == 0);

    /// <summary>Records a successful commit: the guard is now at <paramref name="expectedRevision"/> + 1, and the graph holds the edge.</summary>
    public void Committed(long expectedRevision, long applied)
    {
        _revision = expectedRevision + 1;
        _learnedAt = applied;
    }

    /// <summary>Forgets the known revision (after a lost race or a failed commit): the next acyclic link reads it again.</summary>
    public void Forget()
    {
        _revision = -1;
        _learnedAt = -1;
    }
}
