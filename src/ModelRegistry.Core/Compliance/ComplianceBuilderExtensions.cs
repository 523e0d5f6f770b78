using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelRegistry.Compliance;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the compliance services on the registry builder.</summary>
public static class ComplianceBuilderExtensions
{
    /// <summary>Configures <see cref="ComplianceOptions"/> (validated when first resolved).</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder ConfigureCompliance(this IModelRegistryBuilder builder, Action<ComplianceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds a compliance check that runs with every approval request (after the built-in ones).</summary>
    /// <typeparam name="TCheck">The check type, resolved from the container as a singleton.</typeparam>
    /// <param name="builder">The registry builder.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder AddComplianceCheck<TCheck>(this IModelRegistryBuilder builder)
        where TCheck : class, IComplianceCheck
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, TCheck>());
        return builder;
    }

    /// <summary>Replaces the role provider, mapping the host's identity system onto <see cref="ComplianceRoles"/>.</summary>
    /// <typeparam name="TProvider">The provider type, resolved from the container as a singleton.</typeparam>
    /// <param name="builder">The registry builder.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder UseComplianceRoles<TProvider>(this IModelRegistryBuilder builder)
        where TProvider : class, IComplianceRoleProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IComplianceRoleProvider, TProvider>());
        return builder;
    }

    /// <summary>Adds a handler of governance events (promotions, rollbacks, approvals, deprecations).</summary>
    /// <typeparam name="THandler">The handler type, resolved from the container as a singleton.</typeparam>
    /// <param name="builder">The registry builder.</param>
    /// <returns>The same builder.</returns>
    public static IModelRegistryBuilder AddRegistryEventHandler<THandler>(this IModelRegistryBuilder builder)
        where THandler : class, IRegistryEventHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRegistryEventHandler, THandler>());
        return builder;
    }
}
