using ModelRegistry.Performance;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures performance tracking on the registry builder.</summary>
public static class PerformanceBuilderExtensions
{
    /// <summary>
    /// Configures <see cref="PerformanceOptions"/> (raw-point retention, the buffered recorder, rollback triggers). The
    /// options are validated when the tracker or the recorder is first resolved, and at host start-up.
    /// </summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder ConfigurePerformance(this IModelRegistryBuilder builder, Action<PerformanceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
