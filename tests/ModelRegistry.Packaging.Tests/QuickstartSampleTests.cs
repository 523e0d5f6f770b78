namespace ModelRegistry.Packaging.Tests;

/// <summary>
/// The README's first command runs <c>samples/Quickstart</c>: a whole lifecycle on an embedded SQLite file. This runs that
/// build of the sample from a private copy of its output folder (it writes its database, model card and evidence bundle
/// next to itself), twice, as a newcomer would.
/// </summary>
public sealed class QuickstartSampleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mr-quickstart-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_quickstart_runs_the_whole_lifecycle_and_runs_again_on_its_own_file()
    {
        var output = Path.Combine(BuildInfo.RepositoryRoot, "samples", "Quickstart", "bin", BuildInfo.Configuration, "net10.0");
        File.Exists(Path.Combine(output, "Quickstart.dll")).Should().BeTrue($"the sample is built with this test project ({output})");
        CopyDirectory(output, _directory);
        foreach (var stale in new[] { "registry.db", "registry.db-wal", "registry.db-shm" })
        {
            File.Delete(Path.Combine(_directory, stale));
        }

        var first = await DotnetCli.RunCheckedAsync(_directory, [Path.Combine(_directory, "Quickstart.dll")], Patience);
        first.Should().Contain("(new file)");
        ShouldHaveToldTheWholeStory(first);

        var second = await DotnetCli.RunCheckedAsync(_directory, [Path.Combine(_directory, "Quickstart.dll")], Patience);
        second.Should().Contain("(reset the file from the previous run)");
        ShouldHaveToldTheWholeStory(second);

        File.Exists(Path.Combine(_directory, "registry.db")).Should().BeTrue();
        new FileInfo(Path.Combine(_directory, "model-card-fraud-detector-1.1.0.md")).Length.Should().BePositive();
        new FileInfo(Path.Combine(_directory, "evidence-fraud-detector-1.1.0.zip")).Length.Should().BePositive();
    }

    private static void ShouldHaveToldTheWholeStory(string output)
    {
        output.Should().Contain("flowchart", "the lineage is shown as a Mermaid diagram");
        output.Should().Contain("A/B on quality:", "inference traffic for two versions is compared");
        output.Should().Contain("Rollback check on the canary:");
        output.Should().Contain("Rolled back:");
        output.Should().Contain("approval.approved", "an approval is requested and granted");
        output.Should().Contain("reviewer-anna").And.Contain("reviewer-ben", "two reviewers approve");
        output.Should().MatchRegex(@"Audit trail: \d+ records, chain and \d+ checkpoint\(s\) verified");
        output.Should().Contain("Evidence bundle verified offline: valid");
        output.Should().NotContain("Unhandled exception");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal), overwrite: true);
        }
    }
}
