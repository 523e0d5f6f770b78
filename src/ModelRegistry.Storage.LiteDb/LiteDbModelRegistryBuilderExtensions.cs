using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry;
using ModelRegistry.Storage;
using ModelRegistry.Storage.LiteDb;
using ModelRegistry.Storage.LiteDb.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Chooses the LiteDB store for a registry: <c>services.AddModelRegistry().UseLiteDb("Filename=registry.litedb")</c>.
/// The registry, its audit trail, documents and metric points all live in that one file.
/// </summary>
public static class LiteDbModelRegistryBuilderExtensions
{
    /// <summary>Stores the registry in a LiteDB file, replacing any store registered before.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="connectionString">A LiteDB connection string such as <c>Filename=registry.litedb</c> (see <see cref="LiteDbStoreOptions.ConnectionString"/>).</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder UseLiteDb(this IModelRegistryBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connectionString);
        return builder.UseLiteDb(o => o.ConnectionString = connectionString);
    }

    /// <summary>Stores the registry in a LiteDB file configured by <paramref name="configure"/>, replacing any store registered before.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">Sets <see cref="LiteDbStoreOptions"/>; they are validated at start-up.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder UseLiteDb(this IModelRegistryBuilder builder, Action<LiteDbStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<LiteDbStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiteDbStoreOptions>, LiteDbStoreOptionsValidator>());
        services.RemoveAll<IRegistryStore>();
        services.AddSingleton<IRegistryStore>(sp => LiteDbRegistryStoreFactory.Open(Options(sp), Logger(sp)));

        // Metric points live in the same file (own collections, same write lock); registered before or after the
        // performance services, this replaces their in-memory default.
        services.RemoveAll<IMetricStore>();
        services.AddSingleton<IMetricStore>(sp => LiteDbRegistryStoreFactory.OpenMetrics(Options(sp), Logger(sp)));
        return builder;

        static LiteDbStoreOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<LiteDbStoreOptions>>().Value;

        static ILogger? Logger(IServiceProvider sp) => sp.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.Storage.LiteDb");
    }
}
