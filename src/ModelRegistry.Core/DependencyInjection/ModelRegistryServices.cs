using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry;

/// <summary>
/// The registry without a host: one line for tests, scripts and console tools that do not use dependency injection.
/// <code>await using var mr = ModelRegistryServices.Create();</code>
/// Disposing it disposes the store (closing files).
/// </summary>
public sealed class ModelRegistryServices : IAsyncDisposable, IDisposable
{
    private readonly ServiceProvider _provider;

    private ModelRegistryServices(ServiceProvider provider)
    {
        _provider = provider;
        Registry = provider.GetRequiredService<IModelRegistry>();
        AuditTrail = provider.GetRequiredService<IAuditTrail>();
    }

    /// <summary>The model registry.</summary>
    public IModelRegistry Registry { get; }

    /// <summary>The audit trail.</summary>
    public IAuditTrail AuditTrail { get; }

    /// <summary>The lineage tracker.</summary>
    public Lineage.ILineageTracker Lineage => _provider.GetRequiredService<Lineage.ILineageTracker>();

    /// <summary>The performance tracker.</summary>
    public Performance.IPerformanceTracker Performance => _provider.GetRequiredService<Performance.IPerformanceTracker>();

    /// <summary>The compliance manager: checks, approvals, audit verification, model cards and evidence bundles.</summary>
    public Compliance.IComplianceManager Compliance => _provider.GetRequiredService<Compliance.IComplianceManager>();

    /// <summary>Builds the services, in memory unless <paramref name="configure"/> chooses a store.</summary>
    /// <param name="configure">Chooses a store, adds gates, sets the actor (for example <c>b =&gt; b.UseSqlite("Data Source=r.db")</c>).</param>
    /// <param name="options">Configures <see cref="ModelRegistryOptions"/>.</param>
    /// <param name="timeProvider">The clock (tests pass a fake); the system clock when <see langword="null"/>.</param>
    /// <returns>The services; dispose them when done.</returns>
    public static ModelRegistryServices Create(Action<IModelRegistryBuilder>? configure = null, Action<ModelRegistryOptions>? options = null, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        var builder = services.AddModelRegistry(options);
        configure?.Invoke(builder);
        return new ModelRegistryServices(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    /// <summary>Resolves another service registered by an extension (for example the lineage tracker).</summary>
    /// <typeparam name="T">The service type.</typeparam>
    /// <returns>The service.</returns>
    public T GetRequiredService<T>()
        where T : notnull
        => _provider.GetRequiredService<T>();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();
}
