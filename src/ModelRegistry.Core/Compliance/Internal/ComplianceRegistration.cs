using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRegistry.Audit;
using ModelRegistry.Compliance.Checks;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance;

/// <summary>Registers the compliance services; called by <c>AddModelRegistry</c>.</summary>
internal static class ComplianceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptions<ComplianceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ComplianceOptions>, ComplianceOptionsValidator>());
        services.TryAddSingleton<IComplianceRoleProvider, DefaultComplianceRoleProvider>();

        // Built-in checks, in the order they run; a host adds its own with AddComplianceCheck<T>().
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, EuAiActCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, GdprCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, FairnessCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, BiasCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, SecurityCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, EvaluationThresholdsCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IComplianceCheck, DocumentationCheck>());

        // Factories, so logging stays optional (a NullLogger when the host registers none), as for the registry.
        services.TryAddSingleton(sp => new AuditAnchor(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ComplianceOptions>>(),
            ModelRegistryServiceCollectionExtensions.LoggerFor<AuditAnchor>(sp)));
        services.TryAddSingleton(sp => new GovernanceEventDispatcher(
            sp,
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<AuditAnchor>(),
            sp.GetRequiredService<IActorAccessor>(),
            ModelRegistryServiceCollectionExtensions.LoggerFor<GovernanceEventDispatcher>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommitObserver, GovernanceEventDispatcher>(sp => sp.GetRequiredService<GovernanceEventDispatcher>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPromotionGate, ComplianceApprovalGate>());
        services.TryAddSingleton<IComplianceManager>(sp => new ComplianceManager(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IActorAccessor>(),
            sp.GetRequiredService<IComplianceRoleProvider>(),
            sp.GetServices<IComplianceCheck>(),
            sp.GetRequiredService<IOptions<ComplianceOptions>>(),
            sp.GetRequiredService<IAuditTrail>(),
            sp,
            sp.GetRequiredService<AuditAnchor>(),
            sp.GetRequiredService<GovernanceEventDispatcher>(),
            ModelRegistryServiceCollectionExtensions.LoggerFor<ComplianceManager>(sp)));
    }
}
