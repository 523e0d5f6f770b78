namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddModelRegistry()</c>. Storage backends and extensions add themselves through extension
/// methods on this builder, for example <c>.UseSqlite("Data Source=registry.db")</c>.
/// </summary>
public interface IModelRegistryBuilder
{
    /// <summary>The service collection the registry is registered in.</summary>
    IServiceCollection Services { get; }
}
