namespace ModelRegistry.Performance;

/// <summary>
/// When a canary or production version should be rolled back. A threshold set to <see langword="null"/> disables its
/// trigger; every trigger needs its minimum sample count in the window before it can fire. All comparisons are strict
/// (an error rate of exactly 5 % does not fire the default trigger).
/// </summary>
public sealed record RollbackTriggerOptions
{
    /// <summary>The defaults listed on each property.</summary>
    public static RollbackTriggerOptions Default { get; } = new();

    /// <summary>How far back from "now" the evaluated window reaches; &gt; 0, default 1 hour.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Fires when the error rate exceeds this fraction; in (0, 1), default 0.05.</summary>
    public double? ErrorRateThreshold { get; init; } = 0.05;

    /// <summary>Requests needed before the error-rate trigger can fire; ≥ 1, default 100.</summary>
    public int ErrorRateMinimumSamples { get; init; } = 100;

    /// <summary>
    /// Fires when p95 latency exceeds the previous production version's baseline p95 by more than this fraction
    /// (0.5 = 50 % slower); &gt; 0, default 0.5.
    /// </summary>
    public double? LatencyDegradationThreshold { get; init; } = 0.5;

    /// <summary>Latency values needed, in the window and in the baseline, before the latency trigger can fire; ≥ 1, default 100.</summary>
    public int LatencyMinimumSamples { get; init; } = 100;

    /// <summary>Fires when the out-of-distribution rate exceeds this fraction; in (0, 1), default 0.2.</summary>
    public double? OodRateThreshold { get; init; } = 0.2;

    /// <summary>Requests needed before the OOD trigger can fire; ≥ 1, default 100.</summary>
    public int OodRateMinimumSamples { get; init; } = 100;

    /// <summary>Fires when the drift score (mean of the window's drift values) exceeds this; &gt; 0, default 0.3.</summary>
    public double? DriftThreshold { get; init; } = 0.3;

    /// <summary>Drift values needed before the drift trigger can fire; ≥ 1, default 100.</summary>
    public int DriftMinimumSamples { get; init; } = 100;

    /// <summary>After a rollback, how long no further rollback of the same model is advised (so decisions never flap); ≥ 0, default 1 hour.</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whether the tracker calls the registry's rollback by itself when a decision says so (opt-in; default <see langword="false"/>).</summary>
    public bool AutomaticRollback { get; init; }
}

/// <summary>A condition that can call for a rollback.</summary>
public enum RollbackTriggerKind
{
    /// <summary>Share of failed requests.</summary>
    ErrorRate = 0,

    /// <summary>p95 latency against the previous production version's baseline p95.</summary>
    LatencyDegradation = 1,

    /// <summary>Share of out-of-distribution inputs.</summary>
    OodRate = 2,

    /// <summary>Mean drift score.</summary>
    Drift = 3,
}

/// <summary>What the evaluation of one trigger found.</summary>
public enum RollbackTriggerOutcome
{
    /// <summary>The observed value crossed the threshold with enough samples.</summary>
    Fired = 0,

    /// <summary>Enough samples, and the observed value is within the threshold.</summary>
    WithinThreshold = 1,

    /// <summary>Fewer samples than the trigger's minimum; the trigger cannot fire.</summary>
    NotEnoughData = 2,

    /// <summary>The latency trigger has no baseline (no previous production version, or too few baseline values).</summary>
    NoBaseline = 3,

    /// <summary>The trigger's threshold is <see langword="null"/>.</summary>
    Disabled = 4,
}

/// <summary>The evaluation of one rollback trigger.</summary>
public sealed record RollbackTriggerCheck
{
    /// <summary>Which trigger.</summary>
    public required RollbackTriggerKind Kind { get; init; }

    /// <summary>What was found.</summary>
    public required RollbackTriggerOutcome Outcome { get; init; }

    /// <summary>The observed value (a fraction for rates, milliseconds of p95 for latency, the mean score for drift); <see langword="null"/> without samples.</summary>
    public double? ObservedValue { get; init; }

    /// <summary>The value the observation had to exceed to fire (for latency: baseline p95 × (1 + degradation)); <see langword="null"/> when disabled or without a baseline.</summary>
    public double? Threshold { get; init; }

    /// <summary>The baseline p95 latency in milliseconds (latency trigger only).</summary>
    public double? BaselineValue { get; init; }

    /// <summary>The window the observation was taken over.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>The window the baseline was taken over (latency trigger only).</summary>
    public MetricWindow? BaselineWindow { get; init; }

    /// <summary>Samples in the window.</summary>
    public long SampleCount { get; init; }

    /// <summary>Samples the trigger needs.</summary>
    public int MinimumSampleCount { get; init; }
}

/// <summary>The result of <see cref="IPerformanceTracker.CheckRollbackAsync"/>.</summary>
public sealed record RollbackDecision
{
    /// <summary>The checked version.</summary>
    public required MetricSubject Subject { get; init; }

    /// <summary>Whether a rollback is advised now: at least one trigger fired and no cool-down holds it back.</summary>
    public required bool ShouldRollBack { get; init; }

    /// <summary>When the decision was taken (from the tracker's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The evaluated window.</summary>
    public required MetricWindow Window { get; init; }

    /// <summary>Every trigger's evaluation, in the order of <see cref="RollbackTriggerKind"/>.</summary>
    public required IReadOnlyList<RollbackTriggerCheck> Checks { get; init; }

    /// <summary>The checks that fired.</summary>
    public IReadOnlyList<RollbackTriggerCheck> FiredTriggers => Checks.Where(c => c.Outcome == RollbackTriggerOutcome.Fired).ToArray();

    /// <summary>When a trigger fired but a recent rollback's cool-down holds the decision back: when the cool-down ends.</summary>
    public DateTimeOffset? CoolDownUntil { get; init; }

    /// <summary>Whether the tracker performed the rollback itself (<see cref="RollbackTriggerOptions.AutomaticRollback"/>).</summary>
    public bool RolledBack { get; init; }
}
