using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>The audit trail: one record per mutation in the same commit, a verifiable chain, queries with paging.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class AuditTrailTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private async Task<IReadOnlyList<AuditRecord>> AllAsync(AuditQuery? query = null)
    {
        var all = new List<AuditRecord>();
        string? token = null;
        do
        {
            var page = await Audit.QueryAsync((query ?? new AuditQuery()) with { PageSize = 7, ContinuationToken = token }, Ct);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }

    [Fact]
    public virtual async Task Every_mutation_writes_one_chained_record_with_time_actor_subject_and_data()
    {
        await RegisterAsync("m1");
        Time.Advance(TimeSpan.FromSeconds(1));
        await CreateVersionAsync("m1", "1.0.0");
        await Registry.SetAliasAsync("m1", "champion", "1.0.0", Ct);
        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, new StageTransitionOptions { Reason = "ready for QA" }, Ct);

        var records = await AllAsync();
        records.Select(r => r.Action).Should().Equal("model.registered", "version.created", "alias.set", "version.stage_changed");
        records.Select(r => r.Sequence).Should().Equal(1, 2, 3, 4);
        records[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        for (var i = 1; i < records.Count; i++)
        {
            records[i].PreviousHash.Should().Be(records[i - 1].Hash);
        }

        records.Should().OnlyContain(r => r.Actor == "alice");
        records[1].Subject.Should().Be("version:m1/1.0.0");
        records[1].Timestamp.Should().Be(Time.GetUtcNow());
        records[3].Data.Should().Contain("ready for QA");
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(4);

        var verification = await Audit.VerifyAsync(Ct);
        verification.IsValid.Should().BeTrue(verification.Problem);
        verification.RecordsChecked.Should().Be(4);
        verification.HeadHash.Should().Be(records[^1].Hash);
    }

    [Fact]
    public virtual async Task Refused_mutations_write_no_audit_record()
    {
        await RegisterAsync("m1");
        await ShouldFailAsync(() => RegisterAsync("M1"), ErrorCode.AlreadyExists);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, cancellationToken: Ct), ErrorCode.NotFound);
        (await AllAsync()).Should().ContainSingle();
    }

    [Fact]
    public virtual async Task Query_filters_by_subject_prefix_action_actor_and_window_with_paging()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        Time.Advance(TimeSpan.FromHours(1));
        var windowStart = Time.GetUtcNow();
        await CreateVersionAsync("m1", "1.1.0");
        Actor.Current = "bob";
        await Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m2", Owners = ["bob"] }, Ct);
        Actor.Current = "alice";
        for (var i = 0; i < 20; i++)
        {
            await Registry.SetModelTagAsync("m2", $"k{i}", "v", Ct);
        }

        (await AllAsync(new AuditQuery { Subject = "version:m1/*" })).Should().HaveCount(2);
        (await AllAsync(new AuditQuery { Subject = "model:m2" })).Should().HaveCount(21);
        (await AllAsync(new AuditQuery { Actor = "bob" })).Should().ContainSingle().Which.Subject.Should().Be("model:m2");
        (await AllAsync(new AuditQuery { Action = "version.created", From = windowStart })).Should().ContainSingle().Which.Subject.Should().Be("version:m1/1.1.0");
        (await AllAsync(new AuditQuery { To = windowStart })).Should().HaveCount(2);
        var everything = await AllAsync();
        everything.Should().HaveCount(24);
        everything.Select(r => r.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();

        await ShouldFailAsync(() => Audit.QueryAsync(new AuditQuery { PageSize = 0 }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Audit.QueryAsync(new AuditQuery { ContinuationToken = "garbage" }, Ct), ErrorCode.InvalidArgument);
    }

    [Fact]
    public virtual async Task Verification_of_an_empty_trail_succeeds()
    {
        var result = await Audit.VerifyAsync(Ct);
        result.IsValid.Should().BeTrue();
        result.RecordsChecked.Should().Be(0);
        result.HeadHash.Should().Be(AuditChain.GenesisHash);
    }

    [Fact]
    public virtual async Task Deleting_a_model_keeps_its_history()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await Registry.DeleteModelAsync("m1", cancellationToken: Ct);
        var records = await AllAsync(new AuditQuery { Subject = "model:m1" });
        records.Select(r => r.Action).Should().Equal("model.registered", "model.deleted");
        (await Audit.VerifyAsync(Ct)).IsValid.Should().BeTrue();
    }
}
