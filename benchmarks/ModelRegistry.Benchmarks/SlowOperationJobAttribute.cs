using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// For benchmarks whose one invocation is long (seconds: 1,000 durable commits) and needs a fresh database: one
/// invocation per iteration (so the iteration setup runs before each), and a fixed, small number of iterations —
/// 1 warm-up and 3 measured in the quick mode, 2 and 10 in the full run — instead of BenchmarkDotNet's adaptive count.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SlowOperationJobAttribute : JobMutatorConfigBaseAttribute
{
    public SlowOperationJobAttribute()
        : base(new Job()
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithWarmupCount(BenchmarkConfigs.IsQuick ? 1 : 2)
            .WithIterationCount(BenchmarkConfigs.IsQuick ? 3 : 10))
    {
    }
}
