using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry;
using ModelRegistry.Storage;
using ModelRegistry.Storage.LiteDb;
using ModelRegistry.Storage.LiteDb.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the LiteDB store for a registry: <c>services.AddModelRegistry().UseLiteDb("Filename=registry.litedb")</c>.</summary>
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
        services.AddSingleton<IRegistryStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LiteDbStoreOptions>>().Value;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.Storage.LiteDb");
            return LiteDbRegistryStoreFactory.Open(options, logger);
        });
        return builder;
    }
}
