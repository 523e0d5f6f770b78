using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Performance.Internal;

/// <summary>Registers the performance services; called by <c>AddModelRegistry</c>.</summary>
internal static class PerformanceRegistration
{
    public static void Add(IServiceCollection services)
    {
        _ = services;
    }
}
