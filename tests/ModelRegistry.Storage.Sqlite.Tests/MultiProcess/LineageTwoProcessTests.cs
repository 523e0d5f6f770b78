using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Lineage;
using ModelRegistry.Storage.Conformance;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests.MultiProcess;

/// <summary>
/// Two real processes on one SQLite file link the two halves of the same cycles at the same moment. How their calls
/// interleave is up to the machine, so the test only asserts what must hold under every interleaving: of each pair of
/// edges exactly one is stored, the other call was refused with the cycle named, and the audit chain verifies. (The
/// deterministic races are in the conformance suite's LineageTests.)
/// </summary>
public sealed class LineageTwoProcessTests : IDisposable
{
    private const int Pairs = 30;
    private readonly TempStoreFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Two_processes_linking_the_halves_of_cycles_at_once_never_store_both_halves()
    {
        await using (var setup = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString)))
        {
            for (var i = 0; i < Pairs; i++)
            {
                await setup.Lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Dataset($"a{i}"), LineageNodeKind.Dataset, $"a{i}"));
                await setup.Lineage.RecordNodeAsync(new RecordNodeRequest(LineageNodeIds.Dataset($"b{i}"), LineageNodeKind.Dataset, $"b{i}"));
            }
        }

        var forward = Start("p1", "forward");
        var backward = Start("p2", "backward");
        using (forward.Process)
        using (backward.Process)
        {
            // Both have loaded the graph before either links: from here on they race.
            await ReadyAsync(forward);
            await ReadyAsync(backward);
            await forward.Process.StandardInput.WriteLineAsync("go");
            await backward.Process.StandardInput.WriteLineAsync("go");
            await forward.Process.StandardInput.FlushAsync();
            await backward.Process.StandardInput.FlushAsync();
            var outputs = await Task.WhenAll(FinishAsync(forward), FinishAsync(backward));

            var p1 = Outcomes(outputs[0]);
            var p2 = Outcomes(outputs[1]);
            p1.Keys.Should().BeEquivalentTo(Enumerable.Range(0, Pairs), "the forward process answers every pair");
            p2.Keys.Should().BeEquivalentTo(Enumerable.Range(0, Pairs), "the backward process answers every pair");

            await using var check = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString));
            for (var i = 0; i < Pairs; i++)
            {
                (p1[i] is null ^ p2[i] is null).Should().BeTrue($"exactly one process links pair {i} (p1: {p1[i] ?? "linked"}; p2: {p2[i] ?? "linked"})");
                p1[i]?.Should().Contain($"dataset:a{i} -> dataset:b{i} -> dataset:a{i}");
                p2[i]?.Should().Contain($"dataset:b{i} -> dataset:a{i} -> dataset:b{i}");

                var upstreamOfA = await check.Lineage.GetUpstreamAsync($"dataset:a{i}");
                var upstreamOfB = await check.Lineage.GetUpstreamAsync($"dataset:b{i}");
                upstreamOfA.Edges.Should().HaveCount(p1[i] is null ? 1 : 0, $"pair {i}: a{i} -> b{i} is stored exactly when p1 linked it");
                upstreamOfB.Edges.Should().HaveCount(p2[i] is null ? 1 : 0, $"pair {i}: b{i} -> a{i} is stored exactly when p2 linked it");
            }

            var linked = await check.AuditTrail.QueryAsync(new ModelRegistry.Audit.AuditQuery { Action = "lineage.linked", PageSize = 1000 });
            linked.Items.Should().HaveCount(Pairs);
            var verification = await check.AuditTrail.VerifyAsync();
            verification.IsValid.Should().BeTrue(verification.Problem);
        }
    }

    /// <summary>Per pair: <see langword="null"/> when the process linked it, else the refusal's message.</summary>
    private static Dictionary<int, string?> Outcomes(string[] lines)
    {
        var outcomes = new Dictionary<int, string?>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 3);
            var pair = int.Parse(parts[1], CultureInfo.InvariantCulture);
            outcomes.Add(pair, parts[0] switch
            {
                "linked" => null,
                "refused" => parts[2],
                _ => throw new InvalidOperationException($"Unexpected child output '{line}'."),
            });
        }

        return outcomes;
    }

    private Child Start(string who, string direction)
    {
        var process = ChildProcesses.Start(
            typeof(ChildWriter).Assembly,
            LineageRaceChild.Command,
            _file.Path,
            who,
            Pairs.ToString(CultureInfo.InvariantCulture),
            direction);
        return new Child(process, process.StandardError.ReadToEndAsync());
    }

    private static async Task ReadyAsync(Child child)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string? line;
        try
        {
            line = await child.Process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Process.Kill(entireProcessTree: true);
            throw new TimeoutException("The child process never became ready.");
        }

        line.Should().Be("ready", $"the child loads the graph first; its error output: {(line is null ? await child.Stderr : string.Empty)}");
    }

    private static async Task<string[]> FinishAsync(Child child)
    {
        var stdout = child.Process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await child.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child process did not finish: {await child.Stderr}");
        }

        child.Process.ExitCode.Should().Be(0, await child.Stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private sealed record Child(Process Process, Task<string> Stderr);
}
