using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Lineage;
using ModelRegistry.Search;
using ModelRegistry.Storage;

namespace ModelRegistry.Registry.Internal;

/// <summary>
/// The rules of the registry. Every mutation follows the same shape: read current state, validate, compute the new
/// state, ask the promotion gates when a stage changes, then commit writes and audit records in one store transaction.
/// </summary>
internal sealed partial class RegistryService : IModelRegistry
{
    private const int MaxAttempts = 4;
    private readonly IRegistryStore _store;
    private readonly RegistryClock _clock;
    private readonly IActorAccessor _actor;
    private readonly IEnumerable<IPromotionGate> _gates;
    private readonly ModelRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly Func<IEnumerable<ICommitObserver>> _observers;

    public RegistryService(IRegistryStore store, TimeProvider time, IActorAccessor actor, IEnumerable<IPromotionGate> gates, IOptions<ModelRegistryOptions> options, ILogger<RegistryService> logger, Func<IEnumerable<ICommitObserver>>? observers = null)
    {
        // Observers are resolved lazily, at the first commit: they may depend on services that depend on the registry.
        _observers = observers ?? (static () => []);
        _store = store;
        _clock = new RegistryClock(time);
        _actor = actor;
        _gates = gates;
        _options = options.Value;
        _logger = logger;
    }

    private string Actor
    {
        get
        {
            var actor = _actor.CurrentActor;
            return string.IsNullOrWhiteSpace(actor)
                ? throw new ModelRegistryException(ErrorCode.Forbidden, "The actor accessor returned no actor; every change must be attributable. Configure IActorAccessor to return the current user.")
                : actor;
        }
    }

    // ---------------------------------------------------------------- models

    public async Task<RegisteredModel> RegisterModelAsync(RegisterModelRequest request, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(request);
        var name = Validation.ModelName(request.Name);
        var owners = Validation.Owners(request.Owners);
        Guard.Defined(request.RiskTier);
        var tags = Validation.Tags(request.Tags, _options.MaxMetadataBytes);
        var actor = Actor;
        var now = _clock.Now();
        var model = new RegisteredModel
        {
            Name = name,
            Description = Validation.Text(request.Description, "description"),
            Owners = owners,
            RiskTier = request.RiskTier,
            Task = Validation.Text(request.Task, "task", Validation.MaxShortTextLength),
            Framework = Validation.Text(request.Framework, "framework", Validation.MaxShortTextLength),
            Provider = Validation.Text(request.Provider, "provider", Validation.MaxShortTextLength),
            Tags = tags,
            CreatedAt = now,
            CreatedBy = actor,
            UpdatedAt = now,
            UpdatedBy = actor,
            Revision = 1,
        };

        if (await _store.FindModelAsync(name, cancellationToken) is { } existing)
        {
            throw AlreadyExists(existing.Name, name);
        }

        try
        {
            await CommitAsync([new PutModel(model, 0)], [AuditData.Draft(now, actor, "model.registered", AuditData.ModelSubject(name), model)], cancellationToken);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.AlreadyExists)
        {
            throw AlreadyExists(name, name);
        }

        return model;

        static ModelRegistryException AlreadyExists(string existing, string requested)
            => new(ErrorCode.AlreadyExists, $"A model named '{existing}' already exists (names are unique ignoring case); choose another name than '{requested}' or update the existing model.", AuditData.ModelSubject(existing));
    }

    public async Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default)
        => await LoadModelAsync(Guard.NotEmpty(name), cancellationToken);

    public Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        Guard.NotNull(update);
        var owners = update.Owners is null ? null : Validation.Owners(update.Owners);
        if (update.RiskTier is { } tier)
        {
            Guard.Defined(tier, "riskTier");
        }

        Validation.Text(update.Description, "description");
        Validation.Text(update.Task, "task", Validation.MaxShortTextLength);
        Validation.Text(update.Framework, "framework", Validation.MaxShortTextLength);
        Validation.Text(update.Provider, "provider", Validation.MaxShortTextLength);

        return MutateModelAsync(name, update.ExpectedRevision, "model.updated", (m, _) =>
        {
            var next = m with
            {
                Description = update.Description ?? m.Description,
                Owners = owners ?? m.Owners,
                RiskTier = update.RiskTier ?? m.RiskTier,
                Task = update.Task ?? m.Task,
                Framework = update.Framework ?? m.Framework,
                Provider = update.Provider ?? m.Provider,
            };
            return (next, (object)new { update.Description, Owners = owners, update.RiskTier, update.Task, update.Framework, update.Provider });
        }, cancellationToken);
    }

    public async Task<RegisteredModel> DeprecateModelAsync(string name, string reason, string? replacedBy = null, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        Validation.Text(reason, "reason", Validation.MaxTextLength, required: true);
        string? replacement = null;
        if (replacedBy is not null)
        {
            var target = await LoadModelAsync(Validation.ModelName(replacedBy, nameof(replacedBy)), cancellationToken);
            if (string.Equals(target.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw Guard.Invalid(nameof(replacedBy), $"A model cannot be replaced by itself ('{name}'); name the model that takes over.");
            }

            replacement = target.Name;
        }

        return await MutateModelAsync(name, null, "model.deprecated", (m, _) =>
        {
            if (m.Status == ModelStatus.Deprecated)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Model '{m.Name}' is already deprecated; un-deprecate it first to change the reason or replacement.", AuditData.ModelSubject(m.Name));
            }

            return (m with { Status = ModelStatus.Deprecated, DeprecationReason = reason, ReplacedBy = replacement }, new { reason, replacedBy = replacement });
        }, cancellationToken, lineage: (_, next, now, actor) => ReplacedByLineageAsync(next, now, actor, cancellationToken));
    }

    public Task<RegisteredModel> UndeprecateModelAsync(string name, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        return MutateModelAsync(name, null, "model.undeprecated", (m, _) =>
        {
            if (m.Status != ModelStatus.Deprecated)
            {
                throw new ModelRegistryException(ErrorCode.InvalidTransition, $"Model '{m.Name}' is not deprecated.", AuditData.ModelSubject(m.Name));
            }

            return (m with { Status = ModelStatus.Active, DeprecationReason = null, ReplacedBy = null }, new { });
        }, cancellationToken, lineage: (before, _, now, actor) => ReplacementEndedLineageAsync(before, now, actor, cancellationToken));
    }

    public async Task DeleteModelAsync(string name, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        await RetryAsync(expectedRevision is null, async () =>
        {
            var model = await LoadModelAsync(name, cancellationToken);
            CheckRevision(model.Revision, expectedRevision, AuditData.ModelSubject(model.Name));
            var versions = await _store.ListVersionsAsync(model.Name, cancellationToken);
            var serving = versions.Where(v => v.Stage is ModelStage.Canary or ModelStage.Production).ToList();
            if (serving.Count > 0)
            {
                throw new ModelRegistryException(
                    ErrorCode.PolicyViolation,
                    $"Model '{model.Name}' cannot be deleted while {string.Join(" and ", serving.Select(v => $"version {v.Version} is in {v.Stage}"))}; archive or deprecate those versions first.",
                    AuditData.ModelSubject(model.Name));
            }

            // The version nodes stay in the lineage graph with the edges pointing to them; a version re-created later
            // with one of these numbers inherits them, so their ids are recorded for its cycle check.
            var retired = await AutomaticLineage.RetiredAsync(_store, model.Name, versions, cancellationToken);
            var now = _clock.Now();
            await CommitAsync(
                [new DeleteModel(model.Name, model.Revision), .. retired is null ? Array.Empty<StoreWrite>() : [retired]],
                [AuditData.Draft(now, Actor, "model.deleted", AuditData.ModelSubject(model.Name), new { revision = model.Revision, versions = versions.Select(v => v.Version.ToString()).ToList() })],
                cancellationToken);
            return true;
        });
    }

    public Task<RegisteredModel> SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        Validation.TagKey(key);
        Validation.TagValue(value);
        return MutateModelAsync(name, null, "model.tag_set", (m, _) =>
        {
            var tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal) { [key] = value };
            return (m with { Tags = Validation.Tags(tags, _options.MaxMetadataBytes) }, new { key, value });
        }, cancellationToken);
    }

    public Task<RegisteredModel> DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(name);
        Validation.TagKey(key);
        return MutateModelAsync(name, null, "model.tag_deleted", (m, _) =>
        {
            if (!m.Tags.ContainsKey(key))
            {
                throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{m.Name}' has no tag '{key}'.", AuditData.ModelSubject(m.Name));
            }

            var tags = new Dictionary<string, string>(m.Tags, StringComparer.Ordinal);
            tags.Remove(key);
            return (m with { Tags = tags }, new { key });
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- helpers

    private async Task<RegisteredModel> LoadModelAsync(string name, CancellationToken cancellationToken)
        => await _store.FindModelAsync(name, cancellationToken)
           ?? throw new ModelRegistryException(ErrorCode.NotFound, $"There is no model named '{Validation.Show(name)}'. Register it with RegisterModelAsync, or check the name.", AuditData.ModelSubject(name));

    private async Task<ModelVersion> LoadVersionAsync(string modelName, string version, CancellationToken cancellationToken)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));

        // One lookup on the hot path; the model is read only to say precisely what is missing.
        if (await _store.FindVersionAsync(modelName, semver, cancellationToken) is { } found)
        {
            return found;
        }

        var model = await LoadModelAsync(modelName, cancellationToken);
        return await _store.FindVersionAsync(model.Name, semver, cancellationToken)
               ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no version {semver}. List its versions with ListVersionsAsync.", AuditData.VersionSubject(model.Name, semver));
    }

    private static void CheckRevision(long stored, long? expected, string subject)
    {
        if (expected is { } e && e != stored)
        {
            throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"{subject} is at revision {stored}, not {e}; it was changed by another writer. Read it again and retry.", subject);
        }
    }

    /// <summary>
    /// Runs a read-validate-commit attempt; when the caller did not pin a revision, a conflict caused by a concurrent
    /// writer is retried on fresh state (the rules are re-checked, nothing is overwritten blindly).
    /// </summary>
    private static async Task<T> RetryAsync<T>(bool retryOnConflict, Func<Task<T>> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (ModelRegistryException ex) when (retryOnConflict && ex.Code == ErrorCode.ConcurrencyConflict && i < MaxAttempts)
            {
            }
        }
    }

    private Task<RegisteredModel> MutateModelAsync(string name, long? expectedRevision, string action, Func<RegisteredModel, DateTimeOffset, (RegisteredModel Next, object Data)> change, CancellationToken cancellationToken, Func<RegisteredModel, RegisteredModel, DateTimeOffset, string, Task<Lineage.LineageWrites>>? lineage = null)
        => RetryAsync(expectedRevision is null, async () =>
        {
            var model = await LoadModelAsync(name, cancellationToken);
            CheckRevision(model.Revision, expectedRevision, AuditData.ModelSubject(model.Name));
            var now = _clock.Now();
            var (next, data) = change(model, now);
            var actor = Actor;
            next = next with { UpdatedAt = now, UpdatedBy = actor, Revision = model.Revision + 1 };
            var edges = lineage is null ? Lineage.LineageWrites.None : await lineage(model, next, now, actor);
            await CommitAsync([new PutModel(next, model.Revision), .. edges.Writes], [AuditData.Draft(now, actor, action, AuditData.ModelSubject(model.Name), data), .. edges.Audit], cancellationToken);
            return next;
        });

    private Task<ModelVersion> MutateVersionAsync(string modelName, string version, long? expectedRevision, string action, Func<ModelVersion, DateTimeOffset, (ModelVersion Next, object Data)> change, CancellationToken cancellationToken)
        => RetryAsync(expectedRevision is null, async () =>
        {
            var current = await LoadVersionAsync(modelName, version, cancellationToken);
            var subject = AuditData.VersionSubject(current.ModelName, current.Version);
            CheckRevision(current.Revision, expectedRevision, subject);
            var now = _clock.Now();
            var (next, data) = change(current, now);
            var actor = Actor;
            next = next with { UpdatedAt = now, UpdatedBy = actor, Revision = current.Revision + 1 };
            await CommitAsync([new PutVersion(next, current.Revision)], [AuditData.Draft(now, actor, action, subject, data)], cancellationToken);
            return next;
        });

    private async Task CommitAsync(IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, CancellationToken cancellationToken)
    {
        var committed = await InstrumentedCommit.CommitAsync(_store, writes, audit, cancellationToken);
        await NotifyObserversAsync(committed, cancellationToken);
    }

    private async Task NotifyObserversAsync(IReadOnlyList<AuditRecord> committed, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers())
        {
            try
            {
                await observer.OnCommittedAsync(committed, cancellationToken);
            }
            catch (Exception ex)
            {
                // The commit is durable; an observer's failure must not turn it into an error for the caller.
                LogObserverFailed(_logger, observer.GetType().Name, ex);
            }
        }
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Commit observer {Observer} failed after a commit; the commit stands")]
    private static partial void LogObserverFailed(ILogger logger, string observer, Exception exception);
}
