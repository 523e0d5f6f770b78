using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Compliance;

/// <summary>Registers the compliance services; called by <c>AddModelRegistry</c>.</summary>
internal static class ComplianceRegistration
{
    public static void Add(IServiceCollection services)
    {
        _ = services;
    }
}
