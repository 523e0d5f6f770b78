using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Storage;
using ModelRegistry.Storage.Sqlite;
using ModelRegistry.Storage.Sqlite.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store: <c>services.AddModelRegistry().UseSqlite("Data Source=registry.db")</c>.</summary>
public static class SqliteModelRegistryBuilderExtensions
{
    /// <summary>Stores the registry and its metric points in a SQLite file, replacing any store registered before.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="connectionString">The connection string, for example <c>Data Source=registry.db</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IModelRegistryBuilder UseSqlite(this IModelRegistryBuilder builder, string connectionString)
        => builder.UseSqlite(o => o.ConnectionString = connectionString);

    /// <summary>Stores the registry in a SQLite file configured by a delegate, replacing any store registered before.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">Sets the options; they are validated at start-up.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IModelRegistryBuilder UseSqlite(this IModelRegistryBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqliteStoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());
        services.Replace(ServiceDescriptor.Singleton(sp => SqliteRegistryStore.Open(
            sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.Storage.Sqlite"))));
        services.RemoveAll<IRegistryStore>();
        services.AddSingleton<IRegistryStore>(sp => sp.GetRequiredService<SqliteRegistryStore>());

        // Metric points live in the same file, on the registry store's connections (never its audit trail).
        services.Replace(ServiceDescriptor.Singleton<IMetricStore>(sp => new SqliteMetricStore(sp.GetRequiredService<SqliteRegistryStore>())));
        return builder;
    }
}
