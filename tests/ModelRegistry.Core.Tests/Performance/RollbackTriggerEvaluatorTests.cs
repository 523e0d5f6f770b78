using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class RollbackTriggerEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MetricWindow LastHour = new(Now.AddHours(-1), Now);
    private static readonly MetricWindow BaselineWeek = new(Now.AddDays(-8), Now.AddDays(-1));

    /// <summary>Statistics whose mean (rates, drift) or p95 (latency) is the given value.</summary>
    private static MetricStatistics Stats(long count, double mean = 0, double p95 = 0) => count == 0
        ? MetricStatistics.Empty
        : new MetricStatistics { Count = count, Mean = mean, P95 = p95, Min = Math.Min(mean, p95), Max = Math.Max(mean, p95) };

    private static RollbackObservations Healthy() => new()
    {
        Subject = new MetricSubject("fraud-detector", "2.0.0"),
        Window = LastHour,
        EvaluatedAt = Now,
        ErrorRate = Stats(1000, mean: 0.01),
        Latency = Stats(1000, p95: 200),
        BaselineLatency = Stats(5000, p95: 180),
        BaselineWindow = BaselineWeek,
        OodRate = Stats(1000, mean: 0.05),
        Drift = Stats(500, mean: 0.05),
    };

    /// <summary>The decision table: case → observations, options (null = defaults), expected decision, expected outcome per trigger.</summary>
    private static readonly Dictionary<string, (RollbackObservations Observations, RollbackTriggerOptions? Options, bool RollBack, RollbackTriggerOutcome[] Outcomes)> Table = new()
    {
        ["all healthy"] = (Healthy(), null, false,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["error rate 6 % fires"] = (Healthy() with { ErrorRate = Stats(1000, mean: 0.06) }, null, true,
            [RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["error rate exactly 5 % does not fire (strict)"] = (Healthy() with { ErrorRate = Stats(1000, mean: 0.05) }, null, false,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["error rate 50 % on 99 requests is not enough data"] = (Healthy() with { ErrorRate = Stats(99, mean: 0.5) }, null, false,
            [RollbackTriggerOutcome.NotEnoughData, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["p95 latency 60 % slower than baseline fires"] = (Healthy() with { Latency = Stats(1000, p95: 288.1) }, null, true,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["p95 latency exactly 50 % slower does not fire"] = (Healthy() with { Latency = Stats(1000, p95: 270) }, null, false,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["no previous production version means no baseline"] = (Healthy() with { Latency = Stats(1000, p95: 5000), BaselineLatency = null }, null, false,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.NoBaseline, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["a thin baseline is no baseline"] = (Healthy() with { Latency = Stats(1000, p95: 5000), BaselineLatency = Stats(10, p95: 100) }, null, false,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.NoBaseline, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["OOD rate 25 % fires"] = (Healthy() with { OodRate = Stats(1000, mean: 0.25) }, null, true,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold]),
        ["drift 0.31 fires"] = (Healthy() with { Drift = Stats(500, mean: 0.31) }, null, true,
            [RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.Fired]),
        ["no traffic at all"] = (Healthy() with { ErrorRate = Stats(0), Latency = Stats(0), OodRate = Stats(0), Drift = Stats(0) }, null, false,
            [RollbackTriggerOutcome.NotEnoughData, RollbackTriggerOutcome.NotEnoughData, RollbackTriggerOutcome.NotEnoughData, RollbackTriggerOutcome.NotEnoughData]),
        ["a disabled trigger never fires"] = (Healthy() with { ErrorRate = Stats(1000, mean: 0.9) }, new RollbackTriggerOptions { ErrorRateThreshold = null }, false,
            [RollbackTriggerOutcome.Disabled, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["a lower minimum lets a small sample fire"] = (Healthy() with { ErrorRate = Stats(20, mean: 0.5) }, new RollbackTriggerOptions { ErrorRateMinimumSamples = 20 }, true,
            [RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["a stricter custom threshold fires"] = (Healthy() with { ErrorRate = Stats(1000, mean: 0.02) }, new RollbackTriggerOptions { ErrorRateThreshold = 0.01 }, true,
            [RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.WithinThreshold]),
        ["several triggers fire together"] = (Healthy() with { ErrorRate = Stats(1000, mean: 0.2), OodRate = Stats(1000, mean: 0.4) }, null, true,
            [RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold, RollbackTriggerOutcome.Fired, RollbackTriggerOutcome.WithinThreshold]),
    };

    public static TheoryData<string> Decisions => new(Table.Keys);

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Trigger_decisions(string description)
    {
        var (observations, options, rollBack, outcomes) = Table[description];
        var decision = RollbackTriggerEvaluator.Evaluate(observations, options);
        decision.ShouldRollBack.Should().Be(rollBack, description);
        decision.Checks.Select(c => c.Kind).Should().Equal(RollbackTriggerKind.ErrorRate, RollbackTriggerKind.LatencyDegradation, RollbackTriggerKind.OodRate, RollbackTriggerKind.Drift);
        decision.Checks.Select(c => c.Outcome).Should().Equal(outcomes, description);
        decision.FiredTriggers.Should().HaveCount(outcomes.Count(o => o == RollbackTriggerOutcome.Fired));
        decision.CoolDownUntil.Should().BeNull();
        decision.Window.Should().Be(LastHour);
        decision.EvaluatedAt.Should().Be(Now);
    }

    [Fact]
    public void A_fired_trigger_reports_observed_value_threshold_sample_count_and_window()
    {
        var decision = RollbackTriggerEvaluator.Evaluate(Healthy() with { Latency = Stats(1000, p95: 300) }, null);
        var latency = decision.FiredTriggers.Should().ContainSingle().Which;
        latency.Kind.Should().Be(RollbackTriggerKind.LatencyDegradation);
        latency.ObservedValue.Should().Be(300);
        latency.BaselineValue.Should().Be(180);
        latency.Threshold.Should().BeApproximately(270, 1e-9);
        latency.SampleCount.Should().Be(1000);
        latency.MinimumSampleCount.Should().Be(100);
        latency.Window.Should().Be(LastHour);
        latency.BaselineWindow.Should().Be(BaselineWeek);

        var error = decision.Checks[0];
        error.ObservedValue.Should().Be(0.01);
        error.Threshold.Should().Be(0.05);
    }

    [Fact]
    public void A_recent_rollback_holds_the_decision_back_until_the_cool_down_ends()
    {
        var failing = Healthy() with { ErrorRate = Stats(1000, mean: 0.3), LastRollbackAt = Now.AddMinutes(-20) };

        var held = RollbackTriggerEvaluator.Evaluate(failing, null);
        held.ShouldRollBack.Should().BeFalse();
        held.FiredTriggers.Should().ContainSingle();
        held.CoolDownUntil.Should().Be(Now.AddMinutes(40));

        var later = RollbackTriggerEvaluator.Evaluate(failing with { EvaluatedAt = Now.AddMinutes(40) }, null);
        later.ShouldRollBack.Should().BeTrue("the cool-down ends at exactly one hour");
        later.CoolDownUntil.Should().BeNull();

        var noCoolDown = RollbackTriggerEvaluator.Evaluate(failing, new RollbackTriggerOptions { CoolDown = TimeSpan.Zero });
        noCoolDown.ShouldRollBack.Should().BeTrue();
    }

    [Fact]
    public void The_cool_down_is_not_reported_when_nothing_fired()
        => RollbackTriggerEvaluator.Evaluate(Healthy() with { LastRollbackAt = Now.AddMinutes(-5) }, null).CoolDownUntil.Should().BeNull();

    [Fact]
    public void The_defaults_are_those_of_the_issue()
    {
        var d = RollbackTriggerOptions.Default;
        d.ErrorRateThreshold.Should().Be(0.05);
        d.LatencyDegradationThreshold.Should().Be(0.5);
        d.OodRateThreshold.Should().Be(0.2);
        d.DriftThreshold.Should().Be(0.3);
        d.AutomaticRollback.Should().BeFalse();
        d.CoolDown.Should().Be(TimeSpan.FromHours(1));
    }

    public static TheoryData<RollbackTriggerOptions, string> BadOptions => new()
    {
        { new RollbackTriggerOptions { ErrorRateThreshold = 0 }, "options.ErrorRateThreshold" },
        { new RollbackTriggerOptions { ErrorRateThreshold = 1.5 }, "options.ErrorRateThreshold" },
        { new RollbackTriggerOptions { OodRateThreshold = double.NaN }, "options.OodRateThreshold" },
        { new RollbackTriggerOptions { LatencyDegradationThreshold = -0.5 }, "options.LatencyDegradationThreshold" },
        { new RollbackTriggerOptions { DriftThreshold = double.PositiveInfinity }, "options.DriftThreshold" },
        { new RollbackTriggerOptions { LatencyMinimumSamples = 0 }, "options.LatencyMinimumSamples" },
        { new RollbackTriggerOptions { Window = TimeSpan.Zero }, "options.Window" },
        { new RollbackTriggerOptions { CoolDown = TimeSpan.FromSeconds(-1) }, "options.CoolDown" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_naming_the_option(RollbackTriggerOptions options, string parameter)
    {
        var act = () => RollbackTriggerEvaluator.Evaluate(Healthy(), options);
        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be(parameter);
    }
}
