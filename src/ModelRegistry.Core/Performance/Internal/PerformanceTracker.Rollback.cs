using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>The document the tracker keeps per model about its last automatic rollback (collection <see cref="PerformanceTracker.RollbackCollection"/>).</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version that was rolled back.</param>
/// <param name="FromStage">Canary or Production.</param>
/// <param name="RolledBackAt">When (the tracker's clock); the cool-down runs from here.</param>
/// <param name="Actor">The trigger recorded as the actor.</param>
/// <param name="Reason">The evidence, as written to the audit trail.</param>
/// <param name="FiredTriggers">The triggers that fired, with observed values, thresholds and windows.</param>
internal sealed record AutomaticRollbackRecord(
    string ModelName,
    string Version,
    ModelStage FromStage,
    DateTimeOffset RolledBackAt,
    string Actor,
    string Reason,
    IReadOnlyList<RollbackTriggerCheck> FiredTriggers);

internal sealed partial class PerformanceTracker
{
    /// <summary>Where the last automatic rollback of each model is kept (key: the model name upper-cased), so the cool-down survives restarts.</summary>
    public const string RollbackCollection = "performance.rollback";

    public async Task<RollbackDecision> CheckRollbackAsync(string modelName, string version, RollbackTriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        Validation.ModelName(modelName, nameof(modelName));
        if (!SemanticVersion.TryParse(version, out var semver))
        {
            throw Guard.Invalid(nameof(version), $"'{version}' is not a semantic version (such as 1.2.0).");
        }

        options = RequestValidation.Rollback(options ?? TriggersFor(modelName));

        // Fresh reads (not the resolver's cache): the decision must see the stages as they are now.
        var model = await _registryStore.FindModelAsync(modelName, cancellationToken)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"There is no model named '{modelName}'. Check the name.", $"model:{modelName}");
        var current = await _registryStore.FindVersionAsync(model.Name, semver, cancellationToken)
            ?? throw new ModelRegistryException(ErrorCode.NotFound, $"Model '{model.Name}' has no version {semver}. Check the version.", $"version:{model.Name}/{semver}");
        if (current.Stage is not (ModelStage.Canary or ModelStage.Production))
        {
            throw new ModelRegistryException(
                ErrorCode.InvalidTransition,
                $"Version {current.Version} of '{model.Name}' is in {current.Stage}; rollback triggers apply to the canary or the production version only.",
                $"version:{model.Name}/{current.Version}");
        }

        var now = _time.GetUtcNow();
        var window = new MetricWindow(now - options.Window, now);
        var subject = new MetricSubject(model.Name, current.Version.ToString());
        var (baselineLatency, baselineWindow) = await BaselineAsync(model, current, now, cancellationToken);
        var document = await _registryStore.FindDocumentAsync(RollbackCollection, DocumentKey(model.Name), cancellationToken);
        var last = document is null ? null : StoreSerializer.Deserialize<AutomaticRollbackRecord>(document.Json);

        var observations = new RollbackObservations
        {
            Subject = subject,
            Window = window,
            EvaluatedAt = now,
            ErrorRate = await StatisticsAsync(subject, MetricKey.ErrorRate, window, cancellationToken),
            Latency = await StatisticsAsync(subject, MetricKey.Latency, window, cancellationToken),
            BaselineLatency = baselineLatency,
            BaselineWindow = baselineWindow,
            OodRate = await StatisticsAsync(subject, MetricKey.OodRate, window, cancellationToken),
            Drift = await StatisticsAsync(subject, MetricKey.Drift, window, cancellationToken),
            LastRollbackAt = last?.RolledBackAt,
        };

        var decision = RollbackTriggerEvaluator.Evaluate(observations, options);
        if (!decision.ShouldRollBack || !options.AutomaticRollback || !_options.AutomaticRollbackEnabled)
        {
            return decision;
        }

        await RollBackAsync(model, current, decision, document, cancellationToken);
        return decision with { RolledBack = true };
    }

    /// <summary>
    /// The previous production version's latency. For the production version: the version before it in
    /// <see cref="RegisteredModel.ProductionHistory"/>, over the baseline window just before this one was promoted. For a
    /// canary: the current production version, over the baseline window just before now (it serves beside the canary).
    /// </summary>
    private async Task<(MetricStatistics? Latency, MetricWindow? Window)> BaselineAsync(RegisteredModel model, ModelVersion current, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string? baselineVersion;
        DateTimeOffset end;
        if (current.Stage == ModelStage.Production)
        {
            baselineVersion = model.ProductionHistory.Count > 0 ? model.ProductionHistory[^1] : null;
            end = current.StageChangedAt;
        }
        else
        {
            baselineVersion = (await _registryStore.ListVersionsAsync(model.Name, cancellationToken)).FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version.ToString();
            end = now;
        }

        if (baselineVersion is null)
        {
            return (null, null);
        }

        var window = new MetricWindow(end - _options.RollbackBaselineWindow, end);
        return (await StatisticsAsync(new MetricSubject(model.Name, baselineVersion), MetricKey.Latency, window, cancellationToken), window);
    }

    private async Task<MetricStatistics> StatisticsAsync(MetricSubject subject, MetricKey metric, MetricWindow window, CancellationToken cancellationToken)
        => (await Reader.AccumulateAsync(await SelectAsync(subject, metric, window, cancellationToken), cancellationToken)).ToStatistics();

    /// <summary>
    /// Rolls back through the registry with the trigger as the actor and the evidence as the reason; the cool-down
    /// document is written in the same transaction, and the registry refuses (concurrency conflict) if the version has
    /// moved since it was judged — so two processes never roll back twice.
    /// </summary>
    private async Task RollBackAsync(RegisteredModel model, ModelVersion current, RollbackDecision decision, StoredDocument? document, CancellationToken cancellationToken)
    {
        var fired = decision.FiredTriggers;
        var actor = "rollback-trigger:" + string.Join("+", fired.Select(c => c.Kind));
        var reason = Evidence(current, decision);
        var record = new AutomaticRollbackRecord(model.Name, current.Version.ToString(), current.Stage, decision.EvaluatedAt, actor, reason, fired);
        var put = new PutDocument(RollbackCollection, DocumentKey(model.Name), StoreSerializer.Serialize(record), null, document?.Revision ?? 0);
        var change = new AutomaticChange(actor, current.Version, current.Stage, [put]);
        if (current.Stage == ModelStage.Production)
        {
            await _registry.RollbackAsync(model.Name, reason, change, cancellationToken);
        }
        else
        {
            // A canary has nothing to restore: it is taken out of traffic, back to Staging.
            await _registry.TransitionStageAsync(model.Name, current.Version.ToString(), ModelStage.Staging, new StageTransitionOptions { Reason = reason }, change, cancellationToken);
        }

        PerformanceTelemetry.AutomaticRollbacks.Add(1);
        LogAutomaticRollback(_logger, model.Name, current.Version.ToString(), current.Stage, actor, reason);
    }

    /// <summary>The audit reason: every fired trigger with its observed value, threshold, sample count and window.</summary>
    private static string Evidence(ModelVersion current, RollbackDecision decision)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Automatic rollback of version {current.Version} ({current.Stage}) by the performance tracker's rollback triggers:");
        foreach (var c in decision.FiredTriggers)
        {
            text.Append(CultureInfo.InvariantCulture, $" {c.Kind} observed {c.ObservedValue:G6} > threshold {c.Threshold:G6} over {c.Window} with {c.SampleCount} samples (minimum {c.MinimumSampleCount})");
            if (c.BaselineValue is { } baseline)
            {
                text.Append(CultureInfo.InvariantCulture, $", baseline p95 {baseline:G6} over {c.BaselineWindow}");
            }

            text.Append(';');
        }

        text.Length--;
        text.Append('.');
        return text.ToString();
    }

    private RollbackTriggerOptions TriggersFor(string modelName)
    {
        foreach (var (name, triggers) in _options.RollbackTriggersByModel)
        {
            if (string.Equals(name, modelName, StringComparison.OrdinalIgnoreCase))
            {
                return triggers;
            }
        }

        return _options.RollbackTriggers;
    }

    private static string DocumentKey(string modelName) => modelName.ToUpperInvariant();

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Rollback trigger rolled back version {Version} ({Stage}) of model {Model} as {Actor}: {Reason}")]
    private static partial void LogAutomaticRollback(ILogger logger, string model, string version, ModelStage stage, string actor, string reason);
}
