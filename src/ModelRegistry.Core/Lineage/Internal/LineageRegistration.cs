using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Lineage;

/// <summary>Registers the lineage services; called by <c>AddModelRegistry</c>.</summary>
internal static class LineageRegistration
{
    public static void Add(IServiceCollection services)
    {
        _ = services;
    }
}
