namespace ModelRegistry.Performance.Internal;

/// <summary>The window statistics a rollback decision is taken on; the service reads them from the store.</summary>
internal sealed record RollbackObservations
{
    public required MetricSubject Subject { get; init; }

    /// <summary>The evaluated window, [now − options.Window, now).</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>"Now", from the tracker's <see cref="TimeProvider"/>.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>Error-rate values (0/1 per request, or fractions) in the window; the observed rate is their mean.</summary>
    public MetricStatistics ErrorRate { get; init; } = MetricStatistics.Empty;

    /// <summary>Latency in the window; the observed value is its p95.</summary>
    public MetricStatistics Latency { get; init; } = MetricStatistics.Empty;

    /// <summary>Latency of the previous production version over its baseline window; <see langword="null"/> when there is no previous production version.</summary>
    public MetricStatistics? BaselineLatency { get; init; }

    /// <summary>The window <see cref="BaselineLatency"/> was taken over.</summary>
    public MetricWindow? BaselineWindow { get; init; }

    /// <summary>OOD-rate values in the window; the observed rate is their mean.</summary>
    public MetricStatistics OodRate { get; init; } = MetricStatistics.Empty;

    /// <summary>Drift values in the window; the observed drift is their mean.</summary>
    public MetricStatistics Drift { get; init; } = MetricStatistics.Empty;

    /// <summary>When the model was last rolled back, for the cool-down.</summary>
    public DateTimeOffset? LastRollbackAt { get; init; }
}

/// <summary>
/// Decides whether a version should be rolled back. A pure function of explicit inputs — no clock, no store — so every
/// rule is tested on fixed data.
/// </summary>
internal static class RollbackTriggerEvaluator
{
    /// <summary>
    /// Evaluates every trigger in <see cref="RollbackTriggerKind"/> order. A trigger is Disabled when its threshold is
    /// null; NotEnoughData below its minimum sample count; for latency NoBaseline when there is no previous production
    /// version or its baseline has too few values; else Fired when the observed value is strictly above the threshold.
    /// The decision is to roll back when any trigger fired, unless the last rollback is less than the cool-down ago —
    /// then <see cref="RollbackDecision.CoolDownUntil"/> says when advice resumes.
    /// </summary>
    public static RollbackDecision Evaluate(RollbackObservations observations, RollbackTriggerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(observations);
        options = RequestValidation.Rollback(options);
        var window = observations.Window;
        var checks = new[]
        {
            Simple(RollbackTriggerKind.ErrorRate, options.ErrorRateThreshold, options.ErrorRateMinimumSamples, observations.ErrorRate, window),
            Latency(observations, options),
            Simple(RollbackTriggerKind.OodRate, options.OodRateThreshold, options.OodRateMinimumSamples, observations.OodRate, window),
            Simple(RollbackTriggerKind.Drift, options.DriftThreshold, options.DriftMinimumSamples, observations.Drift, window),
        };

        var fired = checks.Any(c => c.Outcome == RollbackTriggerOutcome.Fired);
        DateTimeOffset? coolDownUntil = null;
        if (fired && observations.LastRollbackAt is { } last && options.CoolDown > TimeSpan.Zero)
        {
            var until = last + options.CoolDown;
            if (observations.EvaluatedAt < until)
            {
                coolDownUntil = until;
            }
        }

        return new RollbackDecision
        {
            Subject = observations.Subject,
            ShouldRollBack = fired && coolDownUntil is null,
            EvaluatedAt = observations.EvaluatedAt,
            Window = window,
            Checks = checks,
            CoolDownUntil = coolDownUntil,
        };
    }

    private static RollbackTriggerCheck Simple(RollbackTriggerKind kind, double? threshold, int minimum, MetricStatistics statistics, MetricWindow window)
    {
        var observed = statistics.Count > 0 ? statistics.Mean : (double?)null;
        var outcome = threshold is null ? RollbackTriggerOutcome.Disabled
            : statistics.Count < minimum ? RollbackTriggerOutcome.NotEnoughData
            : observed > threshold ? RollbackTriggerOutcome.Fired
            : RollbackTriggerOutcome.WithinThreshold;
        return new RollbackTriggerCheck
        {
            Kind = kind,
            Outcome = outcome,
            ObservedValue = observed,
            Threshold = threshold,
            Window = window,
            SampleCount = statistics.Count,
            MinimumSampleCount = minimum,
        };
    }

    private static RollbackTriggerCheck Latency(RollbackObservations o, RollbackTriggerOptions options)
    {
        var minimum = options.LatencyMinimumSamples;
        var observed = o.Latency.Count > 0 ? o.Latency.P95 : (double?)null;
        var baseline = o.BaselineLatency is { Count: > 0 } b ? b.P95 : (double?)null;
        var hasBaseline = o.BaselineLatency is not null && o.BaselineLatency.Count >= minimum;
        double? threshold = options.LatencyDegradationThreshold is { } degradation && hasBaseline ? baseline * (1 + degradation) : null;
        var outcome = options.LatencyDegradationThreshold is null ? RollbackTriggerOutcome.Disabled
            : o.Latency.Count < minimum ? RollbackTriggerOutcome.NotEnoughData
            : !hasBaseline ? RollbackTriggerOutcome.NoBaseline
            : observed > threshold ? RollbackTriggerOutcome.Fired
            : RollbackTriggerOutcome.WithinThreshold;
        return new RollbackTriggerCheck
        {
            Kind = RollbackTriggerKind.LatencyDegradation,
            Outcome = outcome,
            ObservedValue = observed,
            Threshold = threshold,
            BaselineValue = baseline,
            BaselineWindow = o.BaselineWindow,
            Window = o.Window,
            SampleCount = o.Latency.Count,
            MinimumSampleCount = minimum,
        };
    }
}
