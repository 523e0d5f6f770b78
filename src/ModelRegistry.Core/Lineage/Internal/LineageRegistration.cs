using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>Registers the lineage services; called by <c>AddModelRegistry</c>.</summary>
/// <remarks>
/// The tracker uses the registry's options (<see cref="ModelRegistryOptions.MaxMetadataBytes"/> limits node and edge
/// metadata), so it needs no options of its own. <c>TryAdd</c> lets a host replace it.
/// </remarks>
internal static class LineageRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<ILineageTracker>(sp => new LineageTracker(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IActorAccessor>(),
            sp.GetRequiredService<IOptions<ModelRegistryOptions>>(),
            ModelRegistryServiceCollectionExtensions.LoggerFor<LineageTracker>(sp)));
    }
}
