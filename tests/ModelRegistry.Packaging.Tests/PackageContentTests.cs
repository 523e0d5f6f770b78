using System.IO.Compression;
using System.Xml.Linq;

namespace ModelRegistry.Packaging.Tests;

/// <summary>What a NuGet user downloads: each package carries its readme, XML docs, licence and symbols.</summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PackageContentTests(PackedPackages packages)
{
    public static TheoryData<string> Ids => new(PackedPackages.Ids);

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_carries_its_assembly_xml_docs_and_readme(string id)
    {
        using var zip = ZipFile.OpenRead(packages.PackagePath(id));
        var entries = zip.Entries.Select(e => e.FullName).ToList();

        entries.Should().Contain([$"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml", "README.md"]);
        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        readme.ReadToEnd().Should().StartWith($"# {id}", "each package ships its own project's README.md");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_metadata_names_licence_readme_description_tags_and_repository(string id)
    {
        var metadata = Nuspec(id);
        string? Value(string name) => metadata.Element(metadata.Name.Namespace + name)?.Value;

        var license = metadata.Element(metadata.Name.Namespace + "license");
        license.Should().NotBeNull("the licence is declared as an expression");
        license!.Attribute("type")?.Value.Should().Be("expression");
        license.Value.Should().Be("MIT");
        Value("readme").Should().Be("README.md");
        Value("version").Should().Be(packages.Version);
        Value("description").Should().NotBeNullOrWhiteSpace().And.NotContainEquivalentOf("package description");
        Value("tags").Should().Contain("model-registry");

        var repository = metadata.Element(metadata.Name.Namespace + "repository");
        repository.Should().NotBeNull("SourceLink records the repository");
        repository!.Attribute("type")?.Value.Should().Be("git");
        if (Directory.Exists(Path.Combine(BuildInfo.RepositoryRoot, ".git")) || File.Exists(Path.Combine(BuildInfo.RepositoryRoot, ".git")))
        {
            repository.Attribute("commit")?.Value.Should().MatchRegex("^[0-9a-f]{40}$", "the package names the commit it was built from");
        }
    }

    [Theory]
    [InlineData("ModelRegistry.Storage.Sqlite")]
    [InlineData("ModelRegistry.Storage.LiteDb")]
    public void Storage_package_depends_on_the_core_package_of_the_same_version(string id)
    {
        var metadata = Nuspec(id);
        var dependencies = metadata.Descendants(metadata.Name.Namespace + "dependency")
            .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);

        dependencies.Should().Contain("ModelRegistry.Core", packages.Version);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Symbol_package_holds_the_portable_pdb(string id)
    {
        File.Exists(packages.SymbolPackagePath(id)).Should().BeTrue("a .snupkg is published beside every package");
        using var zip = ZipFile.OpenRead(packages.SymbolPackagePath(id));
        zip.Entries.Select(e => e.FullName).Should().Contain($"lib/net10.0/{id}.pdb");
    }

    private XElement Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(packages.PackagePath(id));
        using var stream = zip.GetEntry($"{id}.nuspec")!.Open();
        var document = XDocument.Load(stream);
        return document.Root!.Element(document.Root.Name.Namespace + "metadata")!;
    }
}
