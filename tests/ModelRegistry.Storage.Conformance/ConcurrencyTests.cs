using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>Many writers at once: no lost update, conflicts are typed, the audit chain stays linear.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class ConcurrencyTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    [Fact]
    public virtual async Task Parallel_tag_writes_on_one_model_are_all_kept()
    {
        await RegisterAsync("m1");
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await Registry.SetModelTagAsync("m1", $"k{i}", $"v{i}", ct);
                    return;
                }
                catch (ModelRegistryException ex) when (ex.Code == ErrorCode.ConcurrencyConflict && attempt < 50)
                {
                }
            }
        });

        var model = await Registry.GetModelAsync("m1", Ct);
        model.Tags.Should().HaveCount(40);
        model.Revision.Should().Be(41);
        var verification = await Audit.VerifyAsync(Ct);
        verification.IsValid.Should().BeTrue(verification.Problem);
        verification.RecordsChecked.Should().Be(41);
    }

    [Fact]
    public virtual async Task Parallel_creates_with_computed_versions_get_distinct_versions()
    {
        await RegisterAsync("m1");
        var created = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 20), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var v = await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = $"c{i}" }, ct);
                    created.Add(v.Version.ToString());
                    return;
                }
                catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.AlreadyExists && attempt < 50)
                {
                }
            }
        });

        created.Should().OnlyHaveUniqueItems().And.HaveCount(20);
        (await Registry.ListVersionsAsync("m1", Ct)).Should().HaveCount(20);
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public virtual async Task Racing_promotions_leave_exactly_one_production_version()
    {
        await RegisterAsync("m1");
        for (var i = 0; i < 6; i++)
        {
            await CreateVersionAsync("m1", $"1.{i}.0");
            await PromoteAsync("m1", $"1.{i}.0", ModelStage.Staging);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, 6), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
        {
            try
            {
                await Registry.TransitionStageAsync("m1", $"1.{i}.0", ModelStage.Production, cancellationToken: ct);
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict)
            {
            }
        });

        var versions = await Registry.ListVersionsAsync("m1", Ct);
        versions.Count(v => v.Stage == ModelStage.Production).Should().Be(1);
        var model = await Registry.GetModelAsync("m1", Ct);
        model.ProductionHistory.Where(h => !versions.Any(v => v.Version.ToString() == h && v.Stage == ModelStage.Archived)).Should().BeEmpty();
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }
}
