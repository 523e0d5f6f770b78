using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRegistry;
using ModelRegistry.Audit;
using ModelRegistry.DependencyInjection;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ModelRegistry in a service collection.</summary>
public static class ModelRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the registry services (<see cref="IModelRegistry"/>, <see cref="IAuditTrail"/>) with the in-memory store.
    /// Chain <c>.UseSqlite(...)</c> or <c>.UseLiteDb(...)</c> for a persistent store. Every piece is registered with
    /// <c>TryAdd</c>, so a host can replace the <see cref="TimeProvider"/>, the <see cref="IActorAccessor"/> or the store.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="ModelRegistryOptions"/>; validated at start-up.</param>
    /// <returns>A builder for choosing the store and adding gates.</returns>
    public static IModelRegistryBuilder AddModelRegistry(this IServiceCollection services, Action<ModelRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ModelRegistryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelRegistryOptions>, ModelRegistryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IActorAccessor, DefaultActorAccessor>();
        services.TryAddSingleton<IRegistryStore, InMemoryRegistryStore>();
        services.TryAddSingleton<IModelRegistry>(sp => new RegistryService(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IActorAccessor>(),
            sp.GetServices<IPromotionGate>(),
            sp.GetRequiredService<IOptions<ModelRegistryOptions>>(),
            LoggerFor<RegistryService>(sp),
            () => sp.GetServices<ICommitObserver>()));
        services.TryAddSingleton<IAuditTrail>(sp => new AuditTrailService(sp.GetRequiredService<IRegistryStore>()));
        ModelRegistry.Lineage.LineageRegistration.Add(services);
        ModelRegistry.Performance.Internal.PerformanceRegistration.Add(services);
        ModelRegistry.Compliance.ComplianceRegistration.Add(services);
        return new ModelRegistryBuilder(services);
    }

    /// <summary>Adds a promotion gate that every stage transition must pass.</summary>
    /// <typeparam name="TGate">The gate type, resolved from the container.</typeparam>
    /// <param name="builder">The registry builder.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder AddPromotionGate<TGate>(this IModelRegistryBuilder builder)
        where TGate : class, IPromotionGate
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPromotionGate, TGate>());
        return builder;
    }

    /// <summary>Uses a fixed actor name for every change (scripts, batch jobs, tests). Web hosts should register their own <see cref="IActorAccessor"/>.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="actor">The actor recorded in the audit trail.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder UseActor(this IModelRegistryBuilder builder, string actor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        builder.Services.Replace(ServiceDescriptor.Singleton<IActorAccessor>(new FixedActorAccessor(actor)));
        return builder;
    }

    internal static ILogger<T> LoggerFor<T>(IServiceProvider sp)
        => sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger<T>.Instance;
}
