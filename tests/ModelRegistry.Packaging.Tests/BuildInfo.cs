using System.Reflection;

namespace ModelRegistry.Packaging.Tests;

/// <summary>Facts about the build that compiled this test assembly, written into it by the project file.</summary>
internal static class BuildInfo
{
    /// <summary>The repository root (where ModelRegistry.sln is).</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>The configuration the packages were built in (they are packed from that output with --no-build).</summary>
    public static string Configuration => Metadata("BuildConfiguration");

    /// <summary>The machine's global packages folder the repository restored into; the consumer app reads its dependencies from it.</summary>
    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    private static string Metadata(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata.");
}
