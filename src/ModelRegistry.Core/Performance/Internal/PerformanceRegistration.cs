using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>Registers the performance services; called by <c>AddModelRegistry</c>.</summary>
/// <remarks>
/// Every piece is added with <c>TryAdd</c>: a storage adapter replaces <see cref="IMetricStore"/> (with
/// <c>Replace</c>, since this runs first). The buffered recorder depends on the tracker, which depends on the stores, so
/// the container disposes it first and its last batch reaches a store that is still open.
/// </remarks>
internal static class PerformanceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptions<PerformanceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PerformanceOptions>, PerformanceOptionsValidator>());
        services.TryAddSingleton<IMetricStore, InMemoryMetricStore>();
        services.TryAddSingleton(sp => new PerformanceTracker(
            sp.GetRequiredService<IMetricStore>(),
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<IModelRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PerformanceOptions>>(),
            ModelRegistryServiceCollectionExtensions.LoggerFor<PerformanceTracker>(sp)));
        services.TryAddSingleton<IPerformanceTracker>(sp => sp.GetRequiredService<PerformanceTracker>());
        services.TryAddSingleton(sp => new BufferedMetricWriter(
            sp.GetRequiredService<IMetricStore>(),
            sp.GetRequiredService<PerformanceTracker>().Resolver,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PerformanceOptions>>().Value,
            ModelRegistryServiceCollectionExtensions.LoggerFor<BufferedMetricWriter>(sp)));
        services.TryAddSingleton<IInferenceRecorder>(sp => sp.GetRequiredService<BufferedMetricWriter>());
    }
}

/// <summary>Checks <see cref="PerformanceOptions"/> once; every message names the option and the bad value.</summary>
internal sealed class PerformanceOptionsValidator : IValidateOptions<PerformanceOptions>
{
    public ValidateOptionsResult Validate(string? name, PerformanceOptions options)
    {
        var failures = new List<string>();
        if (options.RawRetentionDays is < 1 or > 3650)
        {
            failures.Add($"PerformanceOptions.RawRetentionDays is {options.RawRetentionDays}; it must be between 1 and 3650.");
        }

        if (options.RollupRetentionDays is { } rollup && (rollup < options.RawRetentionDays || rollup > 36500))
        {
            failures.Add($"PerformanceOptions.RollupRetentionDays is {rollup}; it must be at least RawRetentionDays ({options.RawRetentionDays}) and at most 36500, or null to keep roll-ups forever.");
        }

        if (options.BufferCapacity is < 1 or > 10_000_000)
        {
            failures.Add($"PerformanceOptions.BufferCapacity is {options.BufferCapacity}; it must be between 1 and 10000000.");
        }

        if (options.FlushBatchSize is < 1 or > 10_000)
        {
            failures.Add($"PerformanceOptions.FlushBatchSize is {options.FlushBatchSize}; it must be between 1 and 10000.");
        }

        if (options.FlushInterval < TimeSpan.FromMilliseconds(1) || options.FlushInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"PerformanceOptions.FlushInterval is {options.FlushInterval}; it must be between 1 millisecond and 1 hour.");
        }

        if (!Enum.IsDefined(options.BufferFullMode))
        {
            failures.Add($"PerformanceOptions.BufferFullMode has the undefined value {(int)options.BufferFullMode}; use Wait or DropNewest.");
        }

        if (options.RollbackBaselineWindow < TimeSpan.FromMinutes(1) || options.RollbackBaselineWindow > TimeSpan.FromDays(90))
        {
            failures.Add($"PerformanceOptions.RollbackBaselineWindow is {options.RollbackBaselineWindow}; it must be between 1 minute and 90 days.");
        }

        if (options.RegistryCacheDuration < TimeSpan.Zero || options.RegistryCacheDuration > TimeSpan.FromHours(1))
        {
            failures.Add($"PerformanceOptions.RegistryCacheDuration is {options.RegistryCacheDuration}; it must be between 0 (no cache) and 1 hour.");
        }

        Triggers(options.RollbackTriggers, "PerformanceOptions.RollbackTriggers", failures);
        if (options.RollbackTriggersByModel is null)
        {
            failures.Add("PerformanceOptions.RollbackTriggersByModel must not be null; leave it empty when no model has its own triggers.");
        }
        else
        {
            foreach (var (model, triggers) in options.RollbackTriggersByModel)
            {
                Triggers(triggers, $"PerformanceOptions.RollbackTriggersByModel[{model}]", failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Triggers(RollbackTriggerOptions? triggers, string name, List<string> failures)
    {
        if (triggers is null)
        {
            failures.Add($"{name} must not be null.");
            return;
        }

        try
        {
            RequestValidation.Rollback(triggers, name);
        }
        catch (ModelRegistryException ex)
        {
            failures.Add(ex.Message);
        }
    }
}
