using System.Globalization;
using ModelRegistry.Performance;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.Concurrency;

/// <summary>
/// Several writers mutate the same models at once — four processes on one SQLite file, and many threads of one process
/// on every backend. Conflicts surface as the concurrency-conflict error and are retried; nothing else escapes; the
/// final state is exactly what was acknowledged; the audit chain verifies with one record per acknowledged mutation.
/// (LiteDB refuses a second process with a clear error: see LiteDb.Tests/MultiProcessTests.)
/// </summary>
public sealed class ConcurrentWriterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new("mr-concurrency");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Four_processes_mutating_one_SQLite_file_lose_nothing_and_keep_one_valid_chain()
    {
        var seed = RunSettings.Seed();
        var perProcess = RunSettings.Scale(250, 1_500);
        var file = _folder.File("shared.db");
        output.WriteLine($"seed {seed}, 4 processes x {perProcess} mutations");
        await using (var setup = Stores.Open(Backend.Sqlite, file))
        {
            await SharedFileWriter.SetUpAsync(setup);
        }

        var random = new Random(seed);
        var children = Enumerable.Range(0, 4)
            .Select(i => ChildEntry.Start("writer", file, $"p{i}", perProcess.ToString(CultureInfo.InvariantCulture), random.Next().ToString(CultureInfo.InvariantCulture)))
            .ToList();
        var outputs = await Task.WhenAll(children.Select(FinishAsync));

        var acknowledged = outputs.SelectMany(o => o.Where(l => !l.StartsWith("retries", StringComparison.Ordinal))).ToList();
        var retries = outputs.Select(o => SharedFileWriter.ParseRetries(o.Single(l => l.StartsWith("retries", StringComparison.Ordinal)))).ToList();
        acknowledged.Should().HaveCount(4 * perProcess);
        await using var check = Stores.Open(Backend.Sqlite, file);
        var summary = await SharedStateCheck.VerifyAsync(check, acknowledged);
        output.WriteLine($"{summary}; conflicts retried {retries.Sum(r => r.Conflicts)}, busy retried {retries.Sum(r => r.Busy)}");
        Stores.CheckEngineIntegrity(Backend.Sqlite, file);
    }

    [Theory]
    [InlineData(Backend.InMemory)]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.LiteDb)]
    public async Task Many_threads_mutating_the_same_models_lose_nothing_and_keep_one_valid_chain(Backend backend)
    {
        var seed = RunSettings.Seed();
        var (threads, perThread) = (8, RunSettings.Scale(40, 400));
        output.WriteLine($"{backend}: seed {seed}, {threads} threads x {perThread} mutations");
        var actor = new FlowActor();
        await using var services = Stores.Open(backend, _folder.File(Stores.FileName(backend)), actor);
        await SharedFileWriter.SetUpAsync(services);

        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var random = new Random(seed);
        var seeds = Enumerable.Range(0, threads).Select(_ => random.Next()).ToList();
        var results = await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            actor.Current = $"t{t}";
            return await SharedFileWriter.WriteAsync(services, $"t{t}", perThread, seeds[t], acknowledged.Enqueue);
        })));

        acknowledged.Should().HaveCount(threads * perThread);
        var summary = await SharedStateCheck.VerifyAsync(services, [.. acknowledged]);
        output.WriteLine($"{summary}; conflicts retried {results.Sum(r => r.Conflicts)}, busy retried {results.Sum(r => r.Busy)}");
    }

    private static async Task<string[]> FinishAsync(System.Diagnostics.Process process)
    {
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
            process.ExitCode.Should().Be(0, "the writer has no unhandled error: {0}", await stderr);
            return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}

/// <summary>Compares the store with the acknowledged operations of <see cref="SharedFileWriter"/>s.</summary>
public static class SharedStateCheck
{
    /// <returns>A one-line summary of what was checked.</returns>
    public static async Task<string> VerifyAsync(ModelRegistryServices services, IReadOnlyList<string> acknowledged)
    {
        var ops = acknowledged.Select(l => l.Split(' ')).ToList();
        for (var i = 0; i < SharedFileWriter.SharedModels; i++)
        {
            var name = SharedFileWriter.SharedModel(i);
            var model = await services.Registry.GetModelAsync(name);
            var tags = ops.Where(o => o[0] == "tag" && o[1] == name).Select(o => o[2]).ToList();
            model.Tags.Keys.Should().BeEquivalentTo(tags, "every acknowledged tag of {0} is there, and nothing else", name);

            var versions = await services.Registry.ListVersionsAsync(name);
            var created = ops.Where(o => o[0] == "version" && o[1] == name).ToList();
            versions.Where(v => v.SourceCommit != "setup").Select(v => $"{v.Version} {v.SourceCommit}")
                .Should().BeEquivalentTo(created.Select(o => $"{o[2]} {o[3]}"), "every acknowledged version of {0}, with the number it was given", name);

            var descriptions = ops.Where(o => o[0] == "describe" && o[1] == name).Select(o => o[2]).ToList();
            if (descriptions.Count > 0)
            {
                descriptions.Should().Contain(model.Description!, "the description is one a writer set");
            }

            var points = ops.Where(o => o[0] == "metrics" && o[1] == name).Sum(o => int.Parse(o[2], CultureInfo.InvariantCulture));
            var statistics = await services.Performance.GetStatisticsAsync(new MetricQuery
            {
                Subject = new MetricSubject(name, "1.0.0"),
                Metric = MetricKey.Custom(SharedFileWriter.MetricName),
                Window = StateProbe.MetricWindow,
            });
            statistics.Count.Should().Be(points, "every acknowledged metric point of {0} is stored once", name);
        }

        foreach (var registered in ops.Where(o => o[0] == "model"))
        {
            (await services.Registry.GetModelAsync(registered[1])).Name.Should().Be(registered[1]);
        }

        var statisticsAll = await services.Registry.GetStatisticsAsync();
        statisticsAll.ModelCount.Should().Be(SharedFileWriter.SharedModels + ops.Count(o => o[0] == "model"));

        var verification = await services.AuditTrail.VerifyAsync();
        verification.IsValid.Should().BeTrue(verification.Problem);
        var mutations = ops.Count(o => o[0] != "metrics");
        verification.RecordsChecked.Should().Be((2 * SharedFileWriter.SharedModels) + mutations, "one audit record per acknowledged mutation, none for a retried attempt");
        return $"{ops.Count} acknowledged operations ({mutations} mutations, {ops.Count - mutations} metric batches) all present, {verification.RecordsChecked} audit records verified";
    }
}
