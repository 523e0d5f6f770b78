using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// A cross-check for a shared, loaded machine: runs each registry benchmark and its baseline alternately, round after
/// round, in one process, and reports the median of the per-round ratios. BenchmarkDotNet measures one case after the
/// other, so a change in background load between two cases shows up as a false ratio; alternating cancels most of it.
/// Uses the benchmark classes themselves (their setup and cleanup methods), so it measures exactly the same code.
/// </summary>
internal static class PairedRunner
{
    private static readonly TimeSpan MinimumBatch = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs every pair whose name contains <paramref name="filter"/>.</summary>
    /// <param name="filter">A substring of the class or method name, or <see langword="null"/> for all.</param>
    /// <param name="rounds">Rounds for fast operations; pairs that need a fresh database per invocation run a quarter as many (at least 3).</param>
    public static int Run(string? filter, int rounds)
    {
        var classes = typeof(PairedRunner).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        var rows = new List<string>();
        foreach (var type in classes)
        {
            foreach (var (baseline, candidate) in Pairs(type))
            {
                var name = $"{type.Name}.{candidate.Name}";
                if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase) && !type.FullName!.Contains(filter, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var slow = type.GetMethods().Any(m => m.GetCustomAttribute<IterationSetupAttribute>() is not null);
                var n = slow ? Math.Max(3, rounds / 4) : rounds;
                Console.WriteLine($"// paired: {name} against {baseline.Name}, {n} rounds");
                rows.Add(Measure(type, baseline, candidate, n));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| pair | baseline median | registry median | ratio (median of rounds) | ratio min–max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        return 0;
    }

    private static IEnumerable<(MethodInfo Baseline, MethodInfo Candidate)> Pairs(Type type)
    {
        var methods = type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).ToList();
        string Category(MethodInfo m) => string.Join(",", m.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories ?? []);
        foreach (var group in methods.GroupBy(Category))
        {
            var baseline = group.FirstOrDefault(m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline);
            if (baseline is null)
            {
                continue;
            }

            foreach (var candidate in group.Where(m => m != baseline))
            {
                yield return (baseline, candidate);
            }
        }
    }

    private static string Measure(Type type, MethodInfo baseline, MethodInfo candidate, int rounds)
    {
        var instance = Activator.CreateInstance(type)!;
        var sides = new[] { new Side(instance, baseline), new Side(instance, candidate) };
        foreach (var side in sides)
        {
            side.GlobalSetup();
        }

        try
        {
            // Warm-up (JIT, caches, connection pools), then rounds that alternate which side goes first.
            foreach (var side in sides)
            {
                side.Batch(side.CalibrateBatch());
            }

            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var order = round % 2 == 0 ? sides : [sides[1], sides[0]];
                foreach (var side in order)
                {
                    side.Times.Add(side.Batch(side.BatchSize));
                }

                ratios.Add(sides[1].Times[^1] / sides[0].Times[^1]);
            }

            ratios.Sort();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// {type.Name}.{candidate.Name}: CPU per op raw {Show(Median(sides[0].CpuTimes))}, registry {Show(Median(sides[1].CpuTimes))}; written per op raw {Median(sides[0].Writes) / 1024:F1} KiB, registry {Median(sides[1].Writes) / 1024:F1} KiB"));
            return string.Create(
                CultureInfo.InvariantCulture,
                $"| {type.Name}.{candidate.Name} | {Show(Median(sides[0].Times))} | {Show(Median(sides[1].Times))} | {Median(ratios):F2} | {ratios[0]:F2}–{ratios[^1]:F2} |");
        }
        finally
        {
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null))
            {
                method.Invoke(instance, null);
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Show(double seconds) => seconds >= 1e-3
        ? (seconds * 1e3).ToString("F3", CultureInfo.InvariantCulture) + " ms"
        : (seconds * 1e6).ToString("F1", CultureInfo.InvariantCulture) + " µs";

    /// <summary>One benchmark method with its setup and cleanup, timed per operation.</summary>
    private sealed class Side(object instance, MethodInfo method)
    {
        private readonly int _operationsPerInvoke = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
        private readonly MethodInfo[] _iterationSetup = Targeted<IterationSetupAttribute>(instance.GetType(), method.Name, a => a.Targets);
        private readonly MethodInfo[] _iterationCleanup = Targeted<IterationCleanupAttribute>(instance.GetType(), method.Name, a => a.Targets);

        /// <summary>Benchmarks with an iteration setup run one invocation per batch (it prepares a fresh database).</summary>
        private bool OneInvocationPerBatch => _iterationSetup.Length > 0;

        public int BatchSize { get; private set; } = 1;

        /// <summary>Seconds per operation, one entry per measured batch.</summary>
        public List<double> Times { get; } = [];

        /// <summary>Process CPU seconds per operation (all threads), one entry per batch: less sensitive to fsync latency and load than <see cref="Times"/>.</summary>
        public List<double> CpuTimes { get; } = [];

        /// <summary>Bytes the process wrote (Linux <c>/proc/self/io</c> wchar) per operation, one entry per batch; 0 elsewhere.</summary>
        public List<double> Writes { get; } = [];

        private static long WrittenBytes()
        {
            const string path = "/proc/self/io";
            if (!File.Exists(path))
            {
                return 0;
            }

            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
        }

        public void GlobalSetup()
        {
            foreach (var setup in Targeted<GlobalSetupAttribute>(instance.GetType(), method.Name, a => a.Targets))
            {
                setup.Invoke(instance, null);
            }
        }

        public int CalibrateBatch()
        {
            if (OneInvocationPerBatch)
            {
                return BatchSize = 1;
            }

            var count = 1;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    Invoke();
                }

                if (Stopwatch.GetElapsedTime(started) >= MinimumBatch || count >= 1 << 20)
                {
                    return BatchSize = count;
                }

                count *= 2;
            }
        }

        /// <summary>Runs <paramref name="invocations"/> invocations and returns the seconds per operation.</summary>
        public double Batch(int invocations)
        {
            foreach (var setup in _iterationSetup)
            {
                setup.Invoke(instance, null);
            }

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var written = WrittenBytes();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < invocations; i++)
            {
                Invoke();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var operations = (double)invocations * _operationsPerInvoke;
            CpuTimes.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / operations);
            Writes.Add((WrittenBytes() - written) / operations);
            foreach (var cleanup in _iterationCleanup)
            {
                cleanup.Invoke(instance, null);
            }

            return elapsed.TotalSeconds / ((double)invocations * _operationsPerInvoke);
        }

        private void Invoke()
        {
            if (method.Invoke(instance, null) is Task task)
            {
                task.GetAwaiter().GetResult();
            }
        }

        private static MethodInfo[] Targeted<TAttribute>(Type type, string target, Func<TAttribute, string[]> targets)
            where TAttribute : Attribute
            => [.. type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is { } a && (targets(a).Length == 0 || targets(a).Contains(target)))];
    }
}
