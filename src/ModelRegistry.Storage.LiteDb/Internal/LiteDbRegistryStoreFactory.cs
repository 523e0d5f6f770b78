using Microsoft.Extensions.Logging;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>Opens a LiteDB store without dependency injection (tests, benchmarks, tools).</summary>
internal static class LiteDbRegistryStoreFactory
{
    /// <summary>Validates options and opens the store.</summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for bad options; storage errors when the file cannot be used.</exception>
    public static LiteDbRegistryStore Open(LiteDbStoreOptions options, ILogger? logger = null)
        => LiteDbRegistryStore.Open(Settings(options), logger);

    /// <summary>Validates options and opens the metric store (on the same database as the registry store).</summary>
    public static LiteDbMetricStore OpenMetrics(LiteDbStoreOptions options, ILogger? logger = null)
        => LiteDbMetricStore.Open(Settings(options), logger);

    private static LiteDbStoreSettings Settings(LiteDbStoreOptions options)
    {
        var errors = LiteDbStoreSettings.Validate(options, out var settings);
        if (errors.Count > 0 || settings is null)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, string.Join(" ", errors)) { ParameterName = nameof(options) };
        }

        return settings;
    }

    /// <summary>Opens a store on a file path.</summary>
    public static LiteDbRegistryStore Open(string filename, ILogger? logger = null)
        => Open(new LiteDbStoreOptions { Filename = filename }, logger);
}
