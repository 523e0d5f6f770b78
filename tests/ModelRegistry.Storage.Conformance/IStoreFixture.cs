using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// The seam between the conformance suite and a storage adapter: configures a registry to use a fresh, empty store.
/// One fixture instance is created per test; it owns whatever it creates (temporary files) and removes it on dispose.
/// </summary>
public interface IStoreFixture : IAsyncDisposable
{
    /// <summary>Points the registry at this fixture's store. Called once per registry instance the test creates.</summary>
    /// <param name="builder">The registry builder.</param>
    void Configure(IModelRegistryBuilder builder);

    /// <summary>
    /// Whether two registry instances configured by this fixture share one store (as two processes share one SQLite
    /// file), so a write made through one is read through the other. Tests of cross-instance catch-up run only then;
    /// on other fixtures they assert that the instances indeed do not share. Defaults to <see langword="false"/>.
    /// </summary>
    bool SupportsSharedInstances => false;
}

/// <summary>The in-memory store: the default, and the reference every adapter must match.</summary>
public sealed class InMemoryStoreFixture : IStoreFixture
{
    /// <inheritdoc />
    public void Configure(IModelRegistryBuilder builder)
    {
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// EF Core's ComplianceTestBase idea: every abstract conformance base must have a concrete subclass in each adapter's
/// test project, so adding a base forces every adapter to run it.
/// </summary>
public static class ConformanceCompleteness
{
    /// <summary>The conformance bases that have no concrete subclass in <paramref name="testAssembly"/>.</summary>
    /// <param name="testAssembly">An adapter's test assembly.</param>
    /// <returns>Names of the bases that are not run.</returns>
    public static IReadOnlyList<string> MissingSubclasses(Assembly testAssembly)
    {
        var bases = typeof(ConformanceCompleteness).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsGenericTypeDefinition && t.IsPublic && t.Name.EndsWith("Tests`1", StringComparison.Ordinal))
            .ToList();
        var concrete = testAssembly.GetTypes().Where(t => !t.IsAbstract && t.IsClass).ToList();
        return [.. bases
            .Where(b => !concrete.Any(c => Inherits(c, b)))
            .Select(b => b.Name)];
    }

    /// <summary>All conformance bases (for reporting).</summary>
    /// <returns>The generic base type definitions.</returns>
    public static IReadOnlyList<Type> Bases()
        => [.. typeof(ConformanceCompleteness).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsGenericTypeDefinition && t.IsPublic && t.Name.EndsWith("Tests`1", StringComparison.Ordinal))];

    private static bool Inherits(Type type, Type genericBase)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == genericBase)
            {
                return true;
            }
        }

        return false;
    }
}
