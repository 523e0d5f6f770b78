namespace ModelRegistry.Packaging.Tests;

/// <summary>
/// Packs ModelRegistry.Core, ModelRegistry.Storage.Sqlite and ModelRegistry.Storage.LiteDb once per test run into a
/// temporary local feed, with a prerelease version of their own so no package cache can hold a stale copy.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static readonly string[] Ids = ["ModelRegistry.Core", "ModelRegistry.Storage.Sqlite", "ModelRegistry.Storage.LiteDb"];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "modelregistry-packaging-" + Guid.NewGuid().ToString("N"));

    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The version every package was packed with (VersionPrefix from Directory.Build.props, plus a unique suffix).</summary>
    public string Version { get; private set; } = "";

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.snupkg");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var suffix = "consumer.t" + Guid.NewGuid().ToString("N");

        // One pack of the three projects through a solution filter. --no-build: the project references of this test
        // project guarantee the build output of this configuration exists, so nothing is compiled a second time.
        var filter = Path.Combine(Root, "packages.slnf");
        var projects = string.Join(",", Ids.Select(id => $"\"src/{id}/{id}.csproj\""));
        var solution = Path.Combine(BuildInfo.RepositoryRoot, "ModelRegistry.sln").Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(filter, $$"""{ "solution": { "path": "{{solution}}", "projects": [{{projects}}] } }""");

        await DotnetCli.RunCheckedAsync(
            Root,
            ["pack", filter, "--no-build", "-c", BuildInfo.Configuration, "-o", Feed, $"-p:VersionSuffix={suffix}", "-nodeReuse:false"],
            TimeSpan.FromMinutes(4));

        var core = Directory.GetFiles(Feed, $"ModelRegistry.Core.*-{suffix}.nupkg").Should().ContainSingle(
            "dotnet pack should have written ModelRegistry.Core into {0}", Feed).Subject;
        Version = Path.GetFileNameWithoutExtension(core)["ModelRegistry.Core.".Length..];
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a virus scanner or a lingering build process may still hold a file; the folder is in temp.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>Every test class that needs the packed packages shares one pack.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}
