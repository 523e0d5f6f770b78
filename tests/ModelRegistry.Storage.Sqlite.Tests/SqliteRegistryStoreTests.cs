using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>The store through <see cref="IRegistryStore"/>: persistence, revisions, atomicity, the audit chain.</summary>
public sealed class SqliteRegistryStoreTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly IRegistryStore _store;
    private readonly CancellationToken _ct = CancellationToken.None;

    public SqliteRegistryStoreTests() => _store = _file.Open();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_model_and_a_version_read_back_exactly_as_written()
    {
        var model = Model("fraud-detector") with { Description = "Detects fraud \u2014 \U0001F600 'quoted' \"double\" \0 nul" };
        var version = Version("fraud-detector", "2.1.0-rc.1+build.5") with { IdempotencyKey = "idem-1", CanaryTrafficPercent = 25, Stage = ModelStage.Canary };
        await _store.CommitAsync(Tx(new PutModel(model, 0), new PutVersion(version, 0)), _ct);

        (await _store.FindModelAsync("fraud-detector", _ct)).ShouldRoundTrip(model);
        (await _store.FindVersionAsync("fraud-detector", SemanticVersion.Parse("2.1.0-rc.1"), _ct)).ShouldRoundTrip(version);
        (await _store.FindVersionByIdempotencyKeyAsync("FRAUD-detector", "idem-1", _ct)).ShouldRoundTrip(version);
        (await _store.ListVersionsAsync("fraud-detector", _ct)).Should().ContainSingle().Which.ShouldRoundTrip(version);
    }

    [Fact]
    public async Task Values_survive_a_reopen_of_the_file()
    {
        var model = Model("persisted") with { UpdatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(5.5)) };
        await _store.CommitAsync(Tx(new PutModel(model, 0)), _ct);
        ((IDisposable)_store).Dispose();

        using var reopened = _file.Open();
        (await reopened.FindModelAsync("PERSISTED", _ct)).ShouldRoundTrip(model);
        (await reopened.GetChangeSequenceAsync(_ct)).Should().Be(1);
    }

    [Fact]
    public async Task Absent_records_are_null_or_empty()
    {
        (await _store.FindModelAsync("nope", _ct)).Should().BeNull();
        (await _store.FindVersionAsync("nope", SemanticVersion.Parse("1.0.0"), _ct)).Should().BeNull();
        (await _store.FindVersionByIdempotencyKeyAsync("nope", "k", _ct)).Should().BeNull();
        (await _store.ListVersionsAsync("nope", _ct)).Should().BeEmpty();
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(0);
        (await _store.QueryAuditAsync(new AuditQuery(), 0, 100, _ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Model_names_match_case_insensitively_and_keep_their_case()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("Fraud-Detector"), 0)), _ct);

        (await _store.FindModelAsync("fraud-DETECTOR", _ct))!.Name.Should().Be("Fraud-Detector");
        var duplicate = async () => await _store.CommitAsync(Tx(new PutModel(Model("FRAUD-DETECTOR"), 0)), _ct);
        (await duplicate.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(1);
    }

    [Fact]
    public async Task Versions_are_keyed_by_precedence_so_build_metadata_does_not_distinguish_them()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0+a"), 0)), _ct);

        var duplicate = async () => await _store.CommitAsync(Tx(new PutVersion(Version("M", "1.0.0+b"), 0)), _ct);
        (await duplicate.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        (await _store.FindVersionAsync("m", SemanticVersion.Parse("1.0.0+zzz"), _ct))!.Version.ToString().Should().Be("1.0.0+a");
    }

    [Fact]
    public async Task Versions_are_listed_in_precedence_order()
    {
        string[] written = ["1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-rc.1", "0.9.9", "10.0.0", "2.0.0", "1.0.0-alpha.beta", "1.0.0-beta"];
        await _store.CommitAsync(Tx([new PutModel(Model("m"), 0), .. written.Select(v => new PutVersion(Version("m", v), 0))]), _ct);

        var listed = await _store.ListVersionsAsync("m", _ct);
        listed.Select(v => v.Version.ToString()).Should().Equal(
            "0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "10.0.0");
    }

    [Fact]
    public async Task An_update_with_the_stored_revision_succeeds_and_a_stale_one_conflicts_and_changes_nothing()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        var v2 = Model("m", revision: 2) with { Description = "second" };
        await _store.CommitAsync(Tx(new PutModel(v2, 1)), _ct);

        var stale = async () => await _store.CommitAsync(Tx(new PutModel(Model("m", revision: 2) with { Description = "lost update" }, 1)), _ct);
        var error = (await stale.Should().ThrowAsync<ModelRegistryException>()).Which;
        error.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        error.Subject.Should().Be("model:m");

        (await _store.FindModelAsync("m", _ct)).ShouldRoundTrip(v2);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(2);
    }

    [Fact]
    public async Task Updating_or_deleting_a_missing_record_is_a_conflict()
    {
        var update = async () => await _store.CommitAsync(Tx(new PutModel(Model("ghost", 2), 1)), _ct);
        (await update.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        var delete = async () => await _store.CommitAsync(Tx(new DeleteModel("ghost", 1)), _ct);
        (await delete.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        var version = async () => await _store.CommitAsync(Tx(new PutVersion(Version("ghost", "1.0.0", 2), 1)), _ct);
        (await version.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(0);
    }

    [Fact]
    public async Task A_version_may_precede_its_model_in_one_commit_but_a_version_of_a_missing_model_is_a_conflict()
    {
        await _store.CommitAsync(Tx(new PutVersion(Version("m", "1.0.0"), 0), new PutModel(Model("m"), 0)), _ct);
        (await _store.ListVersionsAsync("m", _ct)).Should().ContainSingle();

        var orphan = async () => await _store.CommitAsync(Tx(new PutVersion(Version("gone", "1.0.0"), 0)), _ct);
        var error = (await orphan.Should().ThrowAsync<ModelRegistryException>()).Which;
        error.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        error.Subject.Should().Be("version:gone/1.0.0");
        (await _store.ListVersionsAsync("gone", _ct)).Should().BeEmpty();
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(2);
    }

    [Fact]
    public async Task A_stage_change_keeps_the_versions_tags_metrics_params_and_providers_searchable()
    {
        var created = Version("m", "1.0.0");
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0), new PutVersion(created, 0)), _ct);
        var promoted = created with { Stage = ModelStage.Staging, Revision = 2 };
        await _store.CommitAsync(Tx(new PutVersion(promoted, 1)), _ct);

        (await _store.FindVersionAsync("m", created.Version, _ct)).ShouldRoundTrip(promoted);
        (await Versions(F.And(F.Eq(F.Tag("team"), "risk"), F.Gt(F.Metric("accuracy"), 0.9), F.Eq(F.Param("lr"), "0.001"), F.Eq(F.Provider, "OpenAI"), F.Eq(F.Stage, ModelStage.Staging))))
            .Should().ContainSingle();
        (await Versions(F.Eq(F.Stage, ModelStage.Development))).Should().BeEmpty();
    }

    [Fact]
    public async Task A_version_update_replaces_its_searchable_fields()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0"), 0)), _ct);
        var updated = Version("m", "1.0.0", revision: 2, stage: ModelStage.Staging, tags: t => { t.Remove("team"); t["env"] = "prod"; }, providers: ["Anthropic"]);
        await _store.CommitAsync(Tx(new PutVersion(updated, 1)), _ct);

        (await _store.FindVersionAsync("m", updated.Version, _ct)).ShouldRoundTrip(updated);
        (await Versions(F.NotNull(F.Tag("team")))).Should().BeEmpty();
        (await Versions(F.Eq(F.Tag("env"), "prod"))).Should().ContainSingle();
        (await Versions(F.Eq(F.Stage, ModelStage.Staging))).Should().ContainSingle();
        (await Versions(F.Eq(F.Provider, "OpenAI"))).Should().BeEmpty();
        (await Versions(F.Eq(F.Provider, "Anthropic"))).Should().ContainSingle();
        (await Versions(F.Eq(F.Provider, "anthropic"))).Should().BeEmpty("providers compare ordinally, like every string");
    }

    [Fact]
    public async Task Deleting_a_model_deletes_its_versions_and_their_searchable_rows_but_not_the_audit_trail()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0"), 0), new PutVersion(Version("m", "2.0.0"), 0)), _ct);
        await _store.CommitAsync(Tx(new PutModel(Model("other"), 0), new PutVersion(Version("other", "1.0.0"), 0)), _ct);

        await _store.CommitAsync(Tx(new DeleteModel("M", 1)), _ct);

        (await _store.FindModelAsync("m", _ct)).Should().BeNull();
        (await _store.ListVersionsAsync("m", _ct)).Should().BeEmpty();
        (await Versions(F.Eq(F.Tag("team"), "risk"))).Select(v => v.ModelName).Should().Equal("other");
        (await _store.FindModelAsync("other", _ct)).Should().NotBeNull();
        (await _store.QueryAuditAsync(new AuditQuery { Subject = "model:*" }, 0, 100, _ct)).Select(r => r.Subject).Should().Equal("model:m", "model:other", "model:M");

        // The name is free again, and a re-registered model starts without the old versions.
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        (await _store.ListVersionsAsync("m", _ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_commit_whose_second_write_conflicts_leaves_state_and_audit_unchanged()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("a"), 0), new PutModel(Model("b"), 0)), _ct);
        var before = await _store.QueryAuditAsync(new AuditQuery(), 0, 100, _ct);

        var tx = Tx(
            new PutModel(Model("a", revision: 2) with { Description = "changed" }, 1),
            new PutVersion(Version("a", "1.0.0"), 0),
            new PutModel(Model("b", revision: 3), 2)); // stale
        var commit = async () => await _store.CommitAsync(tx, _ct);
        (await commit.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);

        (await _store.FindModelAsync("a", _ct)).ShouldRoundTrip(Model("a"));
        (await _store.ListVersionsAsync("a", _ct)).Should().BeEmpty();
        (await _store.QueryAuditAsync(new AuditQuery(), 0, 100, _ct)).Should().BeEquivalentTo(before, Equivalence.Members);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(2);

        // The store is still usable after the rollback.
        await _store.CommitAsync(Tx(new PutModel(Model("a", revision: 2), 1)), _ct);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(3);
    }

    [Fact]
    public async Task A_commit_cancelled_before_it_starts_writes_nothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var commit = async () => await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), cts.Token);
        await commit.Should().ThrowAsync<OperationCanceledException>();
        (await _store.FindModelAsync("m", _ct)).Should().BeNull();
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(0);
    }

    [Fact]
    public async Task Audit_records_are_sealed_in_order_and_chained_across_commits()
    {
        var first = await _store.CommitAsync(Tx(new PutModel(Model("a"), 0), new PutModel(Model("b"), 0)), _ct);
        var second = await _store.CommitAsync(Tx(new PutVersion(Version("a", "1.0.0"), 0)), _ct);

        first.Select(r => r.Sequence).Should().Equal(1, 2);
        second.Select(r => r.Sequence).Should().Equal(3);
        first[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        first[1].PreviousHash.Should().Be(first[0].Hash);
        second[0].PreviousHash.Should().Be(first[1].Hash);

        var all = await _store.QueryAuditAsync(new AuditQuery(), 0, 100, _ct);
        all.Should().BeEquivalentTo(first.Concat(second), Equivalence.Members);
        var previous = AuditChain.GenesisHash;
        for (var i = 0; i < all.Count; i++)
        {
            AuditChain.Check(all[i], i + 1, previous).Should().BeNull();
            previous = all[i].Hash;
        }

        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(3);
    }

    [Fact]
    public async Task A_commit_with_only_audit_records_advances_the_chain()
    {
        var sealedRecords = await _store.CommitAsync(new StoreTransaction([], [Draft("compliance.checked", "version:m/1.0.0")]), _ct);
        sealedRecords.Should().ContainSingle().Which.Sequence.Should().Be(1);
        (await _store.GetChangeSequenceAsync(_ct)).Should().Be(1);
    }

    [Fact]
    public async Task Audit_queries_filter_by_subject_prefix_action_actor_time_and_sequence()
    {
        var drafts = new List<AuditDraft>
        {
            Draft("model.registered", "model:fraud", "alice", 0),
            Draft("version.created", "version:fraud/1.0.0", "bob", 1),
            Draft("version.created", "version:fraud/2.0.0", "alice", 2),
            Draft("version.created", "version:fraudster/1.0.0", "alice", 3),
            Draft("version.created", "version:fraud%/1.0.0", "alice", 4),
            Draft("model.registered", "model:other", "carol", 5),
        };
        await _store.CommitAsync(new StoreTransaction([], drafts), _ct);

        async Task<long[]> Seq(AuditQuery q, long after = 0, int limit = 100)
            => [.. (await _store.QueryAuditAsync(q, after, limit, _ct)).Select(r => r.Sequence)];

        (await Seq(new AuditQuery { Subject = "version:fraud/*" })).Should().Equal(2, 3);
        (await Seq(new AuditQuery { Subject = "version:fraud*" })).Should().Equal(2, 3, 4, 5);
        (await Seq(new AuditQuery { Subject = "version:fraud%/*" })).Should().Equal(5);
        (await Seq(new AuditQuery { Subject = "model:fraud" })).Should().Equal(1);
        (await Seq(new AuditQuery { Subject = "model:FRAUD" })).Should().BeEmpty();
        (await Seq(new AuditQuery { Subject = "*" })).Should().Equal(1, 2, 3, 4, 5, 6);
        (await Seq(new AuditQuery { Action = "version.created", Actor = "alice" })).Should().Equal(3, 4, 5);
        (await Seq(new AuditQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(3) })).Should().Equal(2, 3);
        (await Seq(new AuditQuery(), after: 4)).Should().Equal(5, 6);
        (await Seq(new AuditQuery(), after: 1, limit: 2)).Should().Equal(2, 3);
        (await Seq(new AuditQuery(), limit: 0)).Should().BeEmpty();
    }

    [Fact]
    public async Task Parallel_commits_in_one_process_are_serialised_into_one_linear_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await _store.CommitAsync(Tx(new PutModel(Model("m" + i), 0)), _ct))));

        var all = await _store.QueryAuditAsync(new AuditQuery(), 0, 1000, _ct);
        all.Select(r => r.Sequence).Should().Equal(Enumerable.Range(1, 40).Select(i => (long)i));
        var previous = AuditChain.GenesisHash;
        foreach (var record in all)
        {
            AuditChain.Check(record, record.Sequence, previous).Should().BeNull();
            previous = record.Hash;
        }
    }

    [Fact]
    public async Task Reads_run_in_parallel_with_writes()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await _store.CommitAsync(Tx(new PutVersion(Version("m", $"1.0.{i}"), 0)), _ct);
            }
        });
        var reads = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                (await _store.FindModelAsync("m", _ct)).Should().NotBeNull();
                await _store.ListVersionsAsync("m", _ct);
            }
        }));
        await Task.WhenAll([writes, .. reads]);
        (await _store.ListVersionsAsync("m", _ct)).Should().HaveCount(30);
    }

    [Fact]
    public async Task A_disposed_store_refuses_calls()
    {
        ((IDisposable)_store).Dispose();
        var find = async () => await _store.FindModelAsync("m", _ct);
        await find.Should().ThrowAsync<ObjectDisposedException>();
    }

    private Task<IReadOnlyList<ModelVersion>> Versions(ModelRegistry.Search.FilterNode filter) => StoreSearch.Versions(_store, filter);
}
