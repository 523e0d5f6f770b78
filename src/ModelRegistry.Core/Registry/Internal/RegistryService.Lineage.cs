using ModelRegistry.Audit;
using ModelRegistry.Lineage;
using ModelRegistry.Storage;

namespace ModelRegistry.Registry.Internal;

/// <summary>
/// The lineage edges registry actions imply, added to the same commit as the action (see <see cref="AutomaticLineage"/>).
/// Kept apart so the registry's own rules read without them.
/// </summary>
internal sealed partial class RegistryService
{
    /// <summary>
    /// A version created with DerivedFrom: <c>version:child -DerivedFrom-&gt; version:parent</c>, refused when it would
    /// close a cycle through the kept lineage of a deleted model's version with the same number.
    /// </summary>
    private Task<LineageWrites> DerivedFromLineageAsync(ModelVersion created, ModelVersion? parent, DateTimeOffset now, string actor, CancellationToken cancellationToken)
        => parent is null ? Task.FromResult(LineageWrites.None) : AutomaticLineage.DerivedFromAsync(_store, created, parent, now, actor, cancellationToken);

    /// <summary>
    /// Commits a new version with its lineage. When the lineage was checked for cycles under the acyclic guard and the
    /// guard moved meanwhile, another writer linked an acyclic edge during the check: that is reported (and, where the
    /// create retries, retried) as a concurrency conflict, so the check runs again on the other writer's edge.
    /// </summary>
    private async Task CommitVersionAsync(IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, ModelVersion created, LineageWrites lineage, CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(writes, audit, cancellationToken);
        }
        catch (ModelRegistryException ex) when (lineage.AcyclicGuardRevision is { } guard && AcyclicEdgeGuard.IsLostRace(ex, guard))
        {
            // The conflict may be the version's own (another writer created this number); then report that instead.
            if (await AcyclicEdgeGuard.ReadAsync(_store, cancellationToken) == guard)
            {
                throw;
            }

            throw new ModelRegistryException(
                ErrorCode.ConcurrencyConflict,
                $"Another writer linked a DerivedFrom, TrainedOn or FineTunedFrom edge while version {created.Version} of '{created.ModelName}' was being checked for cycles; nothing was written. Retry: it is checked again against the other writer's edges.",
                AuditData.VersionSubject(created.ModelName, created.Version),
                ex);
        }
    }

    /// <summary>A model deprecated with a replacement: <c>model:old -ReplacedBy-&gt; model:new</c>.</summary>
    private Task<LineageWrites> ReplacedByLineageAsync(RegisteredModel deprecated, DateTimeOffset now, string actor, CancellationToken cancellationToken)
        => deprecated.ReplacedBy is null
            ? Task.FromResult(LineageWrites.None)
            : AutomaticLineage.ReplacedByAsync(_store, deprecated.Name, deprecated.ReplacedBy, now, actor, cancellationToken);

    /// <summary>A model un-deprecated: its ReplacedBy edge to the former replacement is unlinked.</summary>
    private Task<LineageWrites> ReplacementEndedLineageAsync(RegisteredModel before, DateTimeOffset now, string actor, CancellationToken cancellationToken)
        => AutomaticLineage.ReplacementEndedAsync(_store, before.Name, before.ReplacedBy, now, actor, cancellationToken);

    /// <summary>
    /// The model's production changed (promotion, rollback, or its production version leaving production): the
    /// production deployment now serves <paramref name="production"/>, or nothing.
    /// </summary>
    private Task<LineageWrites> ProductionLineageAsync(string modelName, ModelVersion? production, DateTimeOffset now, string actor, CancellationToken cancellationToken)
        => AutomaticLineage.ProductionDeploymentAsync(_store, modelName, production, now, actor, cancellationToken);

    /// <summary>
    /// Commits a change of a model's production together with its lineage. The production deployment node is inserted
    /// the first time a model reaches production; when two writers race to do that, the loser's insert finds the key
    /// taken. That is a concurrent change of the same model's production, so it is reported (and retried) as a
    /// concurrency conflict — the retry then sees the winner's production version and archives it as usual. No other
    /// write of such a commit inserts a key that another writer could take (versions and the model are replaced at a
    /// revision; edges get new ids).
    /// </summary>
    private async Task CommitProductionChangeAsync(IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, string modelName, CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(writes, audit, cancellationToken);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.AlreadyExists)
        {
            throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"The production version of model '{modelName}' was changed by another writer at the same time; read it again and retry.", AuditData.ModelSubject(modelName), ex);
        }
    }
}
