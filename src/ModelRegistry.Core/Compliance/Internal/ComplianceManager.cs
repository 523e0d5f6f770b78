using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// The compliance rules. Mutations follow the registry's shape: validate arguments, authorise the actor, read current
/// state, decide, then commit the documents and their audit records in one store transaction (retrying on a concurrent
/// writer with fresh state), and finally hand the committed records to the event dispatcher.
/// </summary>
internal sealed partial class ComplianceManager : IComplianceManager
{
    private const int MaxAttempts = 4;
    private readonly IRegistryStore _store;
    private readonly RegistryClock _clock;
    private readonly IActorAccessor _actor;
    private readonly IComplianceRoleProvider _roles;
    private readonly ComplianceOptions _options;
    private readonly IAuditTrail _auditTrail;
    private readonly IServiceProvider _services;
    private readonly AuditAnchor _anchor;
    private readonly GovernanceEventDispatcher _events;
    private readonly ApprovalDocuments _approvals;
    private readonly ILogger _logger;

    public ComplianceManager(
        IRegistryStore store,
        TimeProvider time,
        IActorAccessor actor,
        IComplianceRoleProvider roles,
        IEnumerable<IComplianceCheck> checks,
        IOptions<ComplianceOptions> options,
        IAuditTrail auditTrail,
        IServiceProvider services,
        AuditAnchor anchor,
        GovernanceEventDispatcher events,
        ILogger<ComplianceManager> logger)
    {
        _store = store;
        _clock = new RegistryClock(time);
        _actor = actor;
        _roles = roles;
        _options = options.Value;
        _auditTrail = auditTrail;
        _services = services;
        _anchor = anchor;
        _events = events;
        _approvals = new ApprovalDocuments(store);
        _logger = logger;
        var enabled = checks.Where(c => !_options.DisabledChecks.Contains(c.Name, StringComparer.Ordinal)).ToList();
        if (enabled.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, $"Two compliance checks are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(c => c.GetType().Name))}); check names must be unique because waivers refer to them.");
        }

        Checks = enabled;
    }

    public IReadOnlyList<IComplianceCheck> Checks { get; }

    private ILineageTracker? Lineage => _services.GetService<ILineageTracker>();

    private IPerformanceTracker? Performance => _services.GetService<IPerformanceTracker>();

    private string Actor
    {
        get
        {
            var actor = _actor.CurrentActor;
            return string.IsNullOrWhiteSpace(actor)
                ? throw new ModelRegistryException(ErrorCode.Forbidden, "The actor accessor returned no actor; every compliance action must be attributable. Configure IActorAccessor to return the current user.")
                : actor;
        }
    }

    // ---------------------------------------------------------------- checks

    public async Task<ComplianceReport> EvaluateAsync(string modelName, string version, ModelStage targetStage, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        Guard.Defined(targetStage);
        var actor = await AuthorizeAsync(ComplianceRoles.Viewer, modelName, "evaluate compliance checks", cancellationToken);
        var (model, current) = await LoadVersionAsync(modelName, semver, cancellationToken);
        return await EvaluateCoreAsync(model, current, targetStage, actor, _clock.Now(), cancellationToken);
    }

    private Task<ComplianceReport> EvaluateCoreAsync(RegisteredModel model, ModelVersion version, ModelStage target, string actor, DateTimeOffset now, CancellationToken cancellationToken)
        => EvaluateCoreAsync(new ComplianceContext(model, version, target, actor, now, _auditTrail, Lineage, Performance), cancellationToken);

    /// <summary>Runs every registered check in <paramref name="context"/> (whose cached reads and observed group comparisons the caller may use afterwards).</summary>
    private async Task<ComplianceReport> EvaluateCoreAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var (model, version, target, now) = (context.Model, context.Version, context.TargetStage, context.EvaluatedAt);
        var results = new List<ComplianceCheckResult>(Checks.Count);
        foreach (var check in Checks)
        {
            ComplianceEvaluation evaluation;
            var (tiers, stages) = _options.CheckScopes.TryGetValue(check.Name, out var scope) ? (scope.RiskTiers, scope.TargetStages) : (check.RiskTiers, check.TargetStages);
            if (!tiers.Contains(model.RiskTier))
            {
                evaluation = ComplianceEvaluation.NotApplicable($"'{check.Name}' applies to {string.Join(", ", tiers)} risk, not {model.RiskTier}.");
            }
            else if (!stages.Contains(target))
            {
                evaluation = ComplianceEvaluation.NotApplicable($"'{check.Name}' applies on the way to {string.Join(", ", stages)}, not {target}.");
            }
            else
            {
                try
                {
                    evaluation = await check.EvaluateAsync(context, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(_logger, check.Name, ex);
                    evaluation = new ComplianceEvaluation(ComplianceOutcome.Fail, [new ComplianceFinding(FindingSeverity.Error, "check.error", $"The check '{check.Name}' failed to run ({ex.GetType().Name}: {ex.Message}); a check that cannot run does not pass.")], []);
                }
            }

            results.Add(Normalize(check, evaluation, now));
        }

        return new ComplianceReport(model.Name, version.Version, target, model.RiskTier, now, results);
    }

    /// <summary>Makes a check's result honest: the outcome is at least what its findings say, and a pass must cite evidence.</summary>
    private static ComplianceCheckResult Normalize(IComplianceCheck check, ComplianceEvaluation evaluation, DateTimeOffset now)
    {
        var findings = evaluation.Findings ?? [];
        var evidence = evaluation.Evidence ?? [];
        var outcome = evaluation.Outcome;
        if (outcome != ComplianceOutcome.NotApplicable)
        {
            var derived = ComplianceEvaluation.FromFindings(findings, evidence).Outcome;
            outcome = (ComplianceOutcome)Math.Max((int)outcome, (int)derived);
        }

        if (outcome == ComplianceOutcome.Pass && evidence.Count == 0)
        {
            outcome = ComplianceOutcome.Warn;
            findings = [.. findings, new ComplianceFinding(FindingSeverity.Warning, "check.no_evidence", $"The check '{check.Name}' passed without citing any evidence; a pass must show what it looked at.")];
        }

        return new ComplianceCheckResult(check.Name, check.Version, outcome, findings, evidence, now);
    }

    // ---------------------------------------------------------------- shared helpers

    private async Task<string> AuthorizeAsync(ComplianceRoles needed, string? modelName, string action, CancellationToken cancellationToken)
    {
        var actor = Actor;
        var roles = await RolesOfAsync(actor, modelName, cancellationToken);
        if ((roles & needed) != needed)
        {
            throw Forbidden(actor, needed & ~roles, action, roles);
        }

        return actor;
    }

    private async Task<ComplianceRoles> RolesOfAsync(string actor, string? modelName, CancellationToken cancellationToken)
        => RoleRules.Expand(await _roles.GetRolesAsync(actor, modelName, cancellationToken));

    private static ModelRegistryException Forbidden(string actor, ComplianceRoles missing, string action, ComplianceRoles has)
        => new(ErrorCode.Forbidden, $"'{actor}' may not {action}: that needs the {missing} role{(missing.ToString().Contains(',', StringComparison.Ordinal) ? "s" : string.Empty)}, and '{actor}' has {(has == ComplianceRoles.None ? "none" : has.ToString())}. Ask an administrator to grant it (ComplianceOptions.Roles, or the host's IComplianceRoleProvider).");

    private async Task<(RegisteredModel Model, ModelVersion Version)> LoadVersionAsync(string modelName, SemanticVersion version, CancellationToken cancellationToken)
    {
        var model = await _store.FindModelAsync(modelName, cancellationToken)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"There is no model named '{Validation.Show(modelName)}'. Register it with RegisterModelAsync, or check the name.", AuditData.ModelSubject(modelName));
        var current = await _store.FindVersionAsync(model.Name, version, cancellationToken)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no version {version}. List its versions with ListVersionsAsync.", AuditData.VersionSubject(model.Name, version));
        return (model, current);
    }

    /// <summary>Commits writes and audit records atomically; a store conflict becomes <see cref="RetryableConflict"/> for <see cref="RetryAsync{T}"/>.</summary>
    private async Task<IReadOnlyList<AuditRecord>> CommitAsync(IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditRecord> committed;
        try
        {
            committed = await InstrumentedCommit.CommitAsync(_store, writes, audit, cancellationToken);
        }
        catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.AlreadyExists)
        {
            throw new RetryableConflict(ex);
        }

        await _events.OnCommittedAsync(committed, cancellationToken);
        return committed;
    }

    /// <summary>Re-runs a read-decide-commit attempt when a concurrent writer got there first; the rules are re-checked on fresh state.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (RetryableConflict conflict)
            {
                if (i >= MaxAttempts)
                {
                    throw new ModelRegistryException(ErrorCode.ConcurrencyConflict, $"{conflict.InnerException!.Message} Other writers kept changing the same approval; try again.", (conflict.InnerException as ModelRegistryException)?.Subject, conflict.InnerException);
                }
            }
        }
    }

    private sealed class RetryableConflict(Exception inner) : Exception(inner.Message, inner);

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Compliance check {Check} threw; it is recorded as failed")]
    private static partial void LogCheckFailed(ILogger logger, string check, Exception exception);
}

/// <summary>What each role includes.</summary>
internal static class RoleRules
{
    public const ComplianceRoles All = ComplianceRoles.Viewer | ComplianceRoles.Contributor | ComplianceRoles.Reviewer | ComplianceRoles.Approver | ComplianceRoles.Waiver | ComplianceRoles.Admin;

    public static ComplianceRoles Expand(ComplianceRoles roles)
    {
        if (roles.HasFlag(ComplianceRoles.Admin))
        {
            return All;
        }

        if (roles.HasFlag(ComplianceRoles.Approver))
        {
            roles |= ComplianceRoles.Reviewer;
        }

        if (roles != ComplianceRoles.None)
        {
            roles |= ComplianceRoles.Viewer;
        }

        return roles;
    }
}

/// <summary>The default role provider: <see cref="ComplianceOptions.Roles"/> by actor (ordinal), else <see cref="ComplianceOptions.DefaultRoles"/>.</summary>
internal sealed class DefaultComplianceRoleProvider(IOptions<ComplianceOptions> options) : IComplianceRoleProvider
{
    private readonly ComplianceOptions _options = options.Value;

    public ValueTask<ComplianceRoles> GetRolesAsync(string actor, string? modelName, CancellationToken cancellationToken)
        => ValueTask.FromResult(_options.Roles.TryGetValue(actor, out var roles) ? roles : _options.DefaultRoles);
}
