using System.Diagnostics;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests.MultiProcess;

/// <summary>Two real processes share one SQLite file: every acknowledged write is present and the audit chain verifies.</summary>
public sealed class TwoProcessTests : IDisposable
{
    private const int WritesPerChild = 12;
    private readonly TempStoreFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Two_processes_doing_interleaved_mutations_lose_no_acknowledged_write_and_keep_one_valid_chain()
    {
        await using (var setup = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString)))
        {
            await setup.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "shared", Owners = ["parent"] });
        }

        var children = new[] { Start("p1"), Start("p2") };
        var outputs = await Task.WhenAll(children.Select(Finish));

        var acknowledged = outputs.SelectMany(o => o).ToList();
        acknowledged.Should().HaveCount(2 * 3 * WritesPerChild, "each child acknowledges three writes per round");

        await using var check = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString));
        var shared = await check.Registry.GetModelAsync("shared");
        var versions = await check.Registry.ListVersionsAsync("shared");
        foreach (var line in acknowledged)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "model":
                    (await check.Registry.GetModelAsync(parts[1])).Name.Should().Be(parts[1]);
                    break;
                case "tag":
                    shared.Tags.Should().ContainKey(parts[1]);
                    break;
                case "version":
                    versions.Should().ContainSingle(v => v.Version.ToString() == parts[1]).Which.SourceCommit.Should().Be(parts[2]);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected child output '{line}'.");
            }
        }

        versions.Should().HaveCount(2 * WritesPerChild);
        var verification = await check.AuditTrail.VerifyAsync();
        verification.IsValid.Should().BeTrue(verification.Problem);
        verification.RecordsChecked.Should().Be(1 + acknowledged.Count);
    }

    private Process Start(string who)
    {
        var assembly = typeof(ChildWriter).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { assembly, ChildWriter.Command, _file.Path, who, WritesPerChild.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The child process did not start.");
    }

    private static async Task<string[]> Finish(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The child process did not finish: {await stderr}");
            }

            process.ExitCode.Should().Be(0, await stderr);
            return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}
