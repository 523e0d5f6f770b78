using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ModelRegistry.Benchmarks;

/// <summary>The two configurations: the full run (default job, a process per case) and the quick run.</summary>
public static class BenchmarkConfigs
{
    /// <summary>Whether the run uses <see cref="Quick"/>; set by <c>Program</c> before any benchmark is discovered.</summary>
    public static bool IsQuick { get; set; }

    /// <summary>
    /// Default BenchmarkDotNet job, one process per benchmark case, memory diagnoser, ratio columns.
    /// </summary>
    public static IConfig Full() => Common(DefaultConfig.Instance.AddJob(Job.Default.WithId("Full")));

    /// <summary>
    /// The quick mode: in-process (no per-case build), one launch, 2 warm-up and 5 measured iterations of about
    /// 250 ms. Enough to see the ratios on a shared machine in a few minutes, not for fine comparisons.
    /// </summary>
    public static IConfig Quick() => Common(DefaultConfig.Instance.AddJob(
        Job.Default
            // 30 minutes instead of the in-process default of 5 per case: the 1M-point metric benchmarks (one invocation of
            // tens of seconds per iteration) exceed 5 minutes on a loaded 2-core machine.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("Quick")));

    private static IConfig Common(IConfig config) => config
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Median)
        .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
}
