using Microsoft.Extensions.Logging;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Search;
using ModelRegistry.Storage;

namespace ModelRegistry.Registry.Internal;

internal sealed partial class RegistryService
{
    public Task<ModelVersion> TransitionStageAsync(string modelName, string version, ModelStage target, StageTransitionOptions? options = null, CancellationToken cancellationToken = default)
        => TransitionStageAsync(modelName, version, target, options, automatic: null, cancellationToken);

    /// <summary>
    /// Performance addition (automatic rollback of a canary by <c>PerformanceTracker</c>): the transition with the trigger as
    /// the actor, refused unless the version is still in <see cref="AutomaticChange.ExpectedStage"/>, with the tracker's
    /// cool-down document committed in the same transaction.
    /// </summary>
    internal Task<ModelVersion> TransitionStageAsync(string modelName, string version, ModelStage target, StageTransitionOptions? options, AutomaticChange? automatic, CancellationToken cancellationToken)
    {
        Guard.NotEmpty(modelName);
        Guard.Defined(target);
        options ??= new StageTransitionOptions();
        Validation.Text(options.Reason, "reason");
        int? percent = null;
        if (target == ModelStage.Canary)
        {
            percent = Validation.CanaryPercent(options.CanaryTrafficPercent);
        }
        else if (options.CanaryTrafficPercent is not null)
        {
            throw Guard.Invalid("canaryTrafficPercent", $"A traffic percentage only applies to the Canary stage, not {target}.");
        }

        if (target == ModelStage.RolledBack)
        {
            throw new ModelRegistryException(ErrorCode.InvalidTransition, "A version becomes RolledBack only through RollbackAsync, which restores the previous production version in the same step.");
        }

        return RetryAsync(options.ExpectedRevision is null, async () =>
        {
            var model = await LoadModelAsync(modelName, cancellationToken);
            var current = await LoadVersionAsync(model.Name, version, cancellationToken);
            var subject = AuditData.VersionSubject(current.ModelName, current.Version);
            CheckRevision(current.Revision, options.ExpectedRevision, subject);
            if (automatic is not null && current.Stage != automatic.ExpectedStage)
            {
                throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"Version {current.Version} of '{model.Name}' is in {current.Stage}, no longer in {automatic.ExpectedStage}; the automatic change was not made.", subject);
            }

            if (current.Stage == target)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Version {current.Version} of '{model.Name}' is already in {target}.", subject);
            }

            if (!StageTransitions.IsAllowed(current.Stage, target))
            {
                throw new ModelRegistryException(
                    ErrorCode.InvalidTransition,
                    $"Version {current.Version} of '{model.Name}' is in {current.Stage}; it cannot move to {target}. From {current.Stage} it can move to: {string.Join(", ", StageTransitions.AllowedFrom(current.Stage))}.",
                    subject);
            }

            var serving = target is ModelStage.Staging or ModelStage.Canary or ModelStage.Production;
            if (serving && model.RiskTier == RiskTier.Unacceptable)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Model '{model.Name}' is registered at Unacceptable risk (a prohibited practice under the EU AI Act); its versions can be recorded but never promoted.", subject);
            }

            if (target is ModelStage.Canary or ModelStage.Production && model.Status == ModelStatus.Deprecated)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Model '{model.Name}' is deprecated{(model.ReplacedBy is null ? string.Empty : $" (replaced by '{model.ReplacedBy}')")}; un-deprecate it before putting a version into {target}.", subject);
            }

            var versions = await _store.ListVersionsAsync(model.Name, cancellationToken);
            if (target == ModelStage.Canary && versions.FirstOrDefault(v => v.Stage == ModelStage.Canary && v.Version != current.Version) is { } otherCanary)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, $"Version {otherCanary.Version} of '{model.Name}' is already the canary; promote it, or move it back to Staging, before starting another canary.", subject);
            }

            var actor = automatic?.Actor ?? Actor;
            await CheckGatesAsync(new PromotionContext(model, current, target, percent, actor, options.Reason), subject, cancellationToken);

            var now = _clock.Now();
            var next = current with
            {
                Stage = target,
                CanaryTrafficPercent = percent,
                StageChangedAt = now,
                UpdatedAt = now,
                UpdatedBy = actor,
                Revision = current.Revision + 1,
            };
            var writes = new List<StoreWrite> { new PutVersion(next, current.Revision) };
            var audit = new List<AuditDraft>
            {
                AuditData.Draft(now, actor, "version.stage_changed", subject, new { from = current.Stage, to = target, canaryTrafficPercent = percent, reason = options.Reason }),
            };

            if (target is ModelStage.Production or ModelStage.Canary)
            {
                // "At most one production and one canary" spans several versions, so the write also bumps the model's
                // revision: two racing promotions conflict on it and the loser re-reads and re-checks.
                var history = model.ProductionHistory;
                var previous = target == ModelStage.Production
                    ? versions.FirstOrDefault(v => v.Stage == ModelStage.Production && v.Version != current.Version)
                    : null;
                if (previous is not null)
                {
                    // The previous production version is archived and remembered, so RollbackAsync can restore it in one step.
                    var archived = previous with { Stage = ModelStage.Archived, CanaryTrafficPercent = null, StageChangedAt = now, UpdatedAt = now, UpdatedBy = actor, Revision = previous.Revision + 1 };
                    writes.Add(new PutVersion(archived, previous.Revision));
                    audit.Add(AuditData.Draft(now, actor, "version.stage_changed", AuditData.VersionSubject(previous.ModelName, previous.Version), new { from = ModelStage.Production, to = ModelStage.Archived, reason = $"replaced by {current.Version}" }));
                    history = [.. model.ProductionHistory.Append(previous.Version.ToString()).TakeLast(20)];
                }

                writes.Add(new PutModel(model with { ProductionHistory = history, UpdatedAt = now, UpdatedBy = actor, Revision = model.Revision + 1 }, model.Revision));
            }

            if (target == ModelStage.Production || current.Stage == ModelStage.Production)
            {
                var lineage = await ProductionLineageAsync(model.Name, target == ModelStage.Production ? next : null, now, actor, cancellationToken);
                writes.AddRange(lineage.Writes);
                audit.AddRange(lineage.Audit);
            }

            writes.AddRange(automatic?.Writes ?? Array.Empty<StoreWrite>());
            await CommitProductionChangeAsync(writes, audit, model.Name, cancellationToken);
            if (target == ModelStage.Production)
            {
                LogPromoted(_logger, model.Name, next.Version.ToString(), actor);
            }

            return next;
        });
    }

    public Task<ModelVersion> SetCanaryTrafficAsync(string modelName, string version, int percent, CancellationToken cancellationToken = default)
    {
        var p = Validation.CanaryPercent(percent);
        return MutateVersionAsync(modelName, version, null, "version.canary_traffic_set", (v, _) =>
        {
            if (v.Stage != ModelStage.Canary)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Version {v.Version} of '{v.ModelName}' is in {v.Stage}, not Canary; only a canary has a traffic percentage.", AuditData.VersionSubject(v.ModelName, v.Version));
            }

            return (v with { CanaryTrafficPercent = p }, new { from = v.CanaryTrafficPercent, to = p });
        }, cancellationToken);
    }

    public Task<RollbackResult> RollbackAsync(string modelName, string reason, CancellationToken cancellationToken = default)
        => RollbackAsync(modelName, reason, automatic: null, cancellationToken);

    /// <summary>
    /// Performance addition (automatic rollback by <c>PerformanceTracker</c>): the rollback with the trigger as the actor,
    /// refused unless the production version is still <see cref="AutomaticChange.ExpectedVersion"/> (so two processes
    /// never roll back twice), with the tracker's cool-down document committed in the same transaction.
    /// </summary>
    internal Task<RollbackResult> RollbackAsync(string modelName, string reason, AutomaticChange? automatic, CancellationToken cancellationToken)
    {
        Guard.NotEmpty(modelName);
        Validation.Text(reason, "reason", Validation.MaxTextLength, required: true);
        return RetryAsync(true, async () =>
        {
            var model = await LoadModelAsync(modelName, cancellationToken);
            var versions = await _store.ListVersionsAsync(model.Name, cancellationToken);
            var current = versions.FirstOrDefault(v => v.Stage == ModelStage.Production)
                ?? throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Model '{model.Name}' has no version in production, so there is nothing to roll back.", AuditData.ModelSubject(model.Name));
            if (model.ProductionHistory.Count == 0)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Model '{model.Name}' has no previous production version to restore; version {current.Version} is the first to reach production.", AuditData.ModelSubject(model.Name));
            }

            if (automatic is not null && current.Version != automatic.ExpectedVersion)
            {
                throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"Version {automatic.ExpectedVersion} of '{model.Name}' is no longer in production ({current.Version} is); the automatic rollback was not made.", AuditData.ModelSubject(model.Name));
            }

            var previousText = model.ProductionHistory[^1];
            var previous = versions.FirstOrDefault(v => v.Version == SemanticVersion.Parse(previousText))
                ?? throw new ModelRegistryException(ErrorCode.NotFound, $"The previous production version {previousText} of '{model.Name}' no longer exists.", AuditData.ModelSubject(model.Name));
            if (previous.Stage is ModelStage.Canary)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"The previous production version {previous.Version} of '{model.Name}' is the current canary; promote it instead of rolling back.", AuditData.VersionSubject(model.Name, previous.Version));
            }

            var actor = automatic?.Actor ?? Actor;
            var now = _clock.Now();
            var restored = previous with { Stage = ModelStage.Production, CanaryTrafficPercent = null, StageChangedAt = now, UpdatedAt = now, UpdatedBy = actor, Revision = previous.Revision + 1 };
            var rolledBack = current with { Stage = ModelStage.RolledBack, CanaryTrafficPercent = null, StageChangedAt = now, UpdatedAt = now, UpdatedBy = actor, Revision = current.Revision + 1 };
            var nextModel = model with { ProductionHistory = [.. model.ProductionHistory.Take(model.ProductionHistory.Count - 1)], UpdatedAt = now, UpdatedBy = actor, Revision = model.Revision + 1 };
            var data = new { from = current.Version.ToString(), to = previous.Version.ToString(), reason };
            var lineage = await ProductionLineageAsync(model.Name, restored, now, actor, cancellationToken);
            await CommitProductionChangeAsync(
                [new PutVersion(rolledBack, current.Revision), new PutVersion(restored, previous.Revision), new PutModel(nextModel, model.Revision), .. lineage.Writes, .. automatic?.Writes ?? Array.Empty<StoreWrite>()],
                [AuditData.Draft(now, actor, "model.rolled_back", AuditData.ModelSubject(model.Name), data), .. lineage.Audit],
                model.Name,
                cancellationToken);
            LogRolledBack(_logger, model.Name, current.Version.ToString(), previous.Version.ToString(), reason);
            return new RollbackResult(restored, rolledBack);
        });
    }

    private async Task CheckGatesAsync(PromotionContext context, string subject, CancellationToken cancellationToken)
    {
        foreach (var gate in _gates)
        {
            var decision = await gate.EvaluateAsync(context, cancellationToken);
            if (!decision.IsAllowed)
            {
                throw new ModelRegistryException(
                    ErrorCode.PolicyViolation,
                    $"Moving version {context.Version.Version} of '{context.Model.Name}' from {context.Version.Stage} to {context.TargetStage} was refused by gate '{gate.Name}': {decision.Reason}",
                    subject);
            }
        }
    }

    // ---------------------------------------------------------------- search

    public async Task<Page<RegisteredModel>> SearchModelsAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        var plan = SearchPlan.Create(SearchTarget.Models, Guard.NotNull(request));
        var rows = await _store.QueryModelsAsync(plan.Query, cancellationToken);
        var items = rows.Take(plan.PageSize).ToList();
        return new Page<RegisteredModel>(items, rows.Count > plan.PageSize ? plan.CreateToken(items[^1]) : null);
    }

    public async Task<Page<ModelVersion>> SearchVersionsAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        var plan = SearchPlan.Create(SearchTarget.Versions, Guard.NotNull(request));
        var rows = await _store.QueryVersionsAsync(plan.Query, cancellationToken);
        var items = rows.Take(plan.PageSize).ToList();
        return new Page<ModelVersion>(items, rows.Count > plan.PageSize ? plan.CreateToken(items[^1]) : null);
    }

    // ---------------------------------------------------------------- retention and statistics

    public async Task<RetentionResult> ApplyRetentionAsync(RetentionRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(request);
        var keep = Guard.InRange(request.KeepLast ?? _options.DefaultRetentionKeepLast, 1, 10, "keepLast");
        IReadOnlyList<RegisteredModel> models = request.ModelName is null
            ? await _store.QueryModelsAsync(AllModelsQuery, cancellationToken)
            : [await LoadModelAsync(request.ModelName, cancellationToken)];

        var archived = new List<RetentionDecision>();
        var kept = new List<RetentionDecision>();
        foreach (var model in models)
        {
            var versions = (await _store.ListVersionsAsync(model.Name, cancellationToken)).OrderByDescending(v => v.Version).ToList();
            var aliased = model.Aliases.Values.Select(SemanticVersion.Parse).ToHashSet();
            var toArchive = new List<ModelVersion>();
            for (var i = 0; i < versions.Count; i++)
            {
                var v = versions[i];
                var reason = i < keep ? $"among the last {keep}"
                    : v.Stage is ModelStage.Staging or ModelStage.Canary or ModelStage.Production ? $"in {v.Stage}"
                    : aliased.Contains(v.Version) ? "holds an alias"
                    : v.Stage == ModelStage.Archived ? "already archived"
                    : null;
                if (reason is null)
                {
                    toArchive.Add(v);
                }
                else
                {
                    kept.Add(new RetentionDecision(v.ModelName, v.Version, v.Stage, reason));
                }
            }

            archived.AddRange(toArchive.Select(v => new RetentionDecision(v.ModelName, v.Version, v.Stage, $"beyond the last {keep}")));
            if (!request.DryRun && toArchive.Count > 0)
            {
                var actor = Actor;
                var now = _clock.Now();
                var writes = toArchive.Select(v => (StoreWrite)new PutVersion(v with { Stage = ModelStage.Archived, CanaryTrafficPercent = null, StageChangedAt = now, UpdatedAt = now, UpdatedBy = actor, Revision = v.Revision + 1 }, v.Revision)).ToList();
                var audit = toArchive.Select(v => AuditData.Draft(now, actor, "version.stage_changed", AuditData.VersionSubject(v.ModelName, v.Version), new { from = v.Stage, to = ModelStage.Archived, reason = $"retention: keep last {keep}" })).ToList();
                await CommitAsync(writes, audit, cancellationToken);
            }
        }

        return new RetentionResult(request.DryRun, keep, archived, kept, models.Count);
    }

    public async Task<RegistryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var models = await _store.QueryModelsAsync(AllModelsQuery, cancellationToken);
        var versions = await _store.QueryVersionsAsync(AllVersionsQuery, cancellationToken);
        return new RegistryStatistics(
            models.Count,
            versions.Count,
            models.Count(m => m.Status == ModelStatus.Deprecated),
            Enum.GetValues<ModelStage>().ToDictionary(s => s, s => versions.Count(v => v.Stage == s)),
            versions.SelectMany(v => v.ProviderBindings.Select(b => b.Provider).Distinct(StringComparer.Ordinal))
                .GroupBy(p => p, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            Enum.GetValues<RiskTier>().ToDictionary(t => t, t => models.Count(m => m.RiskTier == t)));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Version {Version} of model {Model} promoted to production by {Actor}")]
    private static partial void LogPromoted(ILogger logger, string model, string version, string actor);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Model {Model} rolled back from {From} to {To}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, string model, string from, string to, string reason);
}

/// <summary>
/// Performance addition: a stage change made by an automatic trigger rather than the current actor. The change is refused
/// with a concurrency conflict unless the version is still where the trigger saw it, and <see cref="Writes"/> (the
/// trigger's own state) commit in the same transaction as the change and its audit record.
/// </summary>
/// <param name="Actor">Who the audit trail records, such as <c>rollback-trigger:ErrorRate</c>.</param>
/// <param name="ExpectedVersion">The version the trigger judged.</param>
/// <param name="ExpectedStage">The stage the trigger saw it in.</param>
/// <param name="Writes">Extra writes for the same transaction.</param>
internal sealed record AutomaticChange(string Actor, SemanticVersion ExpectedVersion, ModelStage ExpectedStage, IReadOnlyList<StoreWrite> Writes);
