namespace ModelRegistry.Packaging.Tests;

/// <summary>
/// Builds and runs a console app that references the packed packages from a local folder feed (never the projects),
/// the way a NuGet user gets them: proves the packages are complete and usable.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ConsumerAppTests(PackedPackages packages)
{
    private const string Program = """
        using Microsoft.Extensions.DependencyInjection;
        using ModelRegistry.Registry;

        var services = new ServiceCollection();
        services.AddModelRegistry().UseSqlite($"Data Source={Path.Combine(AppContext.BaseDirectory, "consumer.db")}");
        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<IModelRegistry>();
            await registry.RegisterModelAsync(new RegisterModelRequest { Name = "consumer-model", Owners = ["packaging-test"] });
            var created = await registry.CreateVersionAsync("consumer-model", new CreateVersionRequest { SourceCommit = "abc1234" });
            var read = await registry.GetVersionAsync("consumer-model", created.Version.ToString());
            Console.WriteLine($"sqlite: {read.ModelName} {read.Version} {read.Stage} by {read.CreatedBy}");
        }

        var liteDb = new ServiceCollection();
        liteDb.AddModelRegistry().UseLiteDb(o => o.Filename = Path.Combine(AppContext.BaseDirectory, "consumer.litedb"));
        await using (var provider = liteDb.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<IModelRegistry>();
            var model = await registry.RegisterModelAsync(new RegisterModelRequest { Name = "consumer-model", Owners = ["packaging-test"] });
            Console.WriteLine($"litedb: {model.Name} owned by {string.Join(",", model.Owners)}");
        }
        """;

    [Fact]
    public async Task Console_app_built_from_the_packed_packages_registers_creates_and_reads_a_version_on_sqlite()
    {
        var app = Path.Combine(packages.Root, "consumer");
        Directory.CreateDirectory(app);
        await WriteConsumerAsync(app);

        // The consumer's own packages folder, so the packed packages never land in (or come from) the machine's cache;
        // every other dependency is read from the machine's folder (a fallback folder) or its configured registry.
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(packages.Root, "packages") };
        await DotnetCli.RunCheckedAsync(
            app,
            // A hiccup of a remote source must not fail the test: every dependency is in the fallback folder.
            ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:RestoreIgnoreFailedSources=true"],
            TimeSpan.FromMinutes(5),
            environment);

        var run = await DotnetCli.RunAsync(
            app,
            [Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll")],
            TimeSpan.FromMinutes(1),
            environment);

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("sqlite: consumer-model 1.0.0 Development by system")
            .And.Contain("litedb: consumer-model owned by packaging-test");
        File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")).Should()
            .Contain($"\"ModelRegistry.Storage.Sqlite/{packages.Version}\"", "the app restored the packed package, not a project");
    }

    private async Task WriteConsumerAsync(string app)
    {
        var root = packages.Root;

        // Stop MSBuild's upward search: nothing of the temp folder's parents (or the repository) may shape the app.
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Packages.props"), "<Project />");

        // Adds the local feed to the machine's configured sources (no <clear/>: the dependencies come from those).
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="modelregistry-local" value="{packages.Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{BuildInfo.NuGetPackageRoot}" />
              </fallbackPackageFolders>
            </configuration>
            """);

        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <WarningsNotAsErrors>NU1603;NU1801;NU1901;NU1902;NU1903;NU1904</WarningsNotAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelRegistry.Core" Version="{packages.Version}" />
                <PackageReference Include="ModelRegistry.Storage.Sqlite" Version="{packages.Version}" />
                <PackageReference Include="ModelRegistry.Storage.LiteDb" Version="{packages.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);
    }
}
