using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.Conformance;

/// <summary>The storage seam itself: atomic commits, revision checks, keys, round trips.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class StoreContractTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private static AuditDraft Draft(string action) => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "tester", action, "test:x", "{}");

    private static RegisteredModel Model(string name, long revision = 1) => new()
    {
        Name = name,
        Owners = ["o"],
        CreatedBy = "t",
        UpdatedBy = "t",
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero),
        Revision = revision,
    };

    private static ModelVersion Version(string model, string version, long revision = 1) => new()
    {
        ModelName = model,
        Version = SemanticVersion.Parse(version),
        ContentHash = new string('0', 64),
        CreatedBy = "t",
        UpdatedBy = "t",
        Revision = revision,
    };

    [Fact]
    public virtual async Task A_commit_whose_later_write_conflicts_applies_nothing()
    {
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("a"), 0)], [Draft("one")]), Ct);
        var before = await SnapshotAsync();
        var tx = new StoreTransaction([new PutModel(Model("b"), 0), new PutModel(Model("a", 2), 5)], [Draft("two")]);
        var act = async () => await Store.CommitAsync(tx, Ct);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        await ShouldBeUnchangedAsync(before);
        (await Store.FindModelAsync("b", Ct)).Should().BeNull();
    }

    [Fact]
    public virtual async Task Insert_of_an_existing_key_is_already_exists_case_insensitively()
    {
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("Abc"), 0)], [Draft("one")]), Ct);
        var act = async () => await Store.CommitAsync(new StoreTransaction([new PutModel(Model("aBC"), 0)], [Draft("two")]), Ct);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        (await Store.FindModelAsync("ABC", Ct))!.Name.Should().Be("Abc");
    }

    [Fact]
    public virtual async Task Versions_are_keyed_by_precedence_and_listed_in_ascending_order()
    {
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0)], [Draft("m")]), Ct);
        foreach (var v in new[] { "1.0.0-rc.10", "1.0.0", "1.0.0-rc.2", "0.9.0", "1.0.0-alpha" })
        {
            await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", v), 0)], [Draft(v)]), Ct);
        }

        (await Store.ListVersionsAsync("M", Ct)).Select(v => v.Version.ToString()).Should().Equal("0.9.0", "1.0.0-alpha", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0");
        (await Store.FindVersionAsync("m", SemanticVersion.Parse("1.0.0+meta"), Ct))!.Version.ToString().Should().Be("1.0.0");
        var dup = async () => await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", "1.0.0+other"), 0)], [Draft("dup")]), Ct);
        (await dup.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
    }

    [Fact]
    public virtual async Task Latest_version_is_the_highest_precedence_of_that_model_only()
    {
        (await Store.FindLatestVersionAsync("m", Ct)).Should().BeNull("the model does not exist");
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0), new PutModel(Model("m2"), 0), new PutModel(Model("mm"), 0)], [Draft("m")]), Ct);
        (await Store.FindLatestVersionAsync("m", Ct)).Should().BeNull("the model has no versions");
        foreach (var v in new[] { "1.0.0-rc.10", "1.0.0-rc.2", "0.9.0", "1.0.0-alpha" })
        {
            await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", v), 0)], [Draft(v)]), Ct);
        }

        // Neighbouring models (a longer name, a name that sorts after) must not leak into the answer.
        await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m2", "9.0.0"), 0), new PutVersion(Version("mm", "8.0.0"), 0)], [Draft("others")]), Ct);
        (await Store.FindLatestVersionAsync("M", Ct))!.Version.ToString().Should().Be("1.0.0-rc.10");
        await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", "1.0.0"), 0)], [Draft("release")]), Ct);
        (await Store.FindLatestVersionAsync("m", Ct))!.Version.ToString().Should().Be("1.0.0");
        (await Store.FindLatestVersionAsync("m2", Ct))!.Version.ToString().Should().Be("9.0.0");
    }

    [Fact]
    public virtual async Task Version_by_content_hash_is_the_lowest_precedence_match_of_that_model()
    {
        var a = new string('a', 64);
        var b = new string('b', 64);
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0), new PutModel(Model("other"), 0)], [Draft("m")]), Ct);
        (await Store.FindVersionByContentHashAsync("m", a, Ct)).Should().BeNull();
        await Store.CommitAsync(new StoreTransaction(
            [
                new PutVersion(Version("m", "2.0.0") with { ContentHash = a }, 0),
                new PutVersion(Version("m", "1.1.0") with { ContentHash = a }, 0),
                new PutVersion(Version("m", "1.0.0") with { ContentHash = b }, 0),
                new PutVersion(Version("other", "0.1.0") with { ContentHash = new string('c', 64) }, 0),
            ],
            [Draft("versions")]), Ct);
        (await Store.FindVersionByContentHashAsync("M", a, Ct))!.Version.ToString().Should().Be("1.1.0");
        (await Store.FindVersionByContentHashAsync("m", b, Ct))!.Version.ToString().Should().Be("1.0.0");
        (await Store.FindVersionByContentHashAsync("m", new string('c', 64), Ct)).Should().BeNull("that hash belongs to another model");
        (await Store.FindVersionByContentHashAsync("m", new string('A', 64), Ct)).Should().BeNull("hashes compare ordinally");
        (await Store.FindVersionByContentHashAsync("m", new string('a', 32) + new string('f', 32), Ct)).Should().BeNull("the whole hash must match, not a prefix");

        // A version's hash can change with a replace (the store copies it, never caches a stale one).
        await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", "1.1.0", 2) with { ContentHash = b }, 1)], [Draft("rehash")]), Ct);
        (await Store.FindVersionByContentHashAsync("m", a, Ct))!.Version.ToString().Should().Be("2.0.0");
        await Store.CommitAsync(new StoreTransaction([new DeleteModel("m", 1)], [Draft("d")]), Ct);
        (await Store.FindVersionByContentHashAsync("m", a, Ct)).Should().BeNull();
        (await Store.FindLatestVersionAsync("m", Ct)).Should().BeNull();
    }

    [Fact]
    public virtual async Task Stale_version_write_is_a_conflict()
    {
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0"), 0)], [Draft("c")]), Ct);
        await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", "1.0.0", 2) with { Description = "x" }, 1)], [Draft("u")]), Ct);
        var stale = async () => await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", "1.0.0", 2) with { Description = "y" }, 1)], [Draft("u2")]), Ct);
        (await stale.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        (await Store.FindVersionAsync("m", SemanticVersion.Parse("1.0.0"), Ct))!.Description.Should().Be("x");
    }

    [Fact]
    public virtual async Task Delete_model_removes_its_versions_and_idempotency_lookups()
    {
        await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0") with { IdempotencyKey = "k" }, 0)], [Draft("c")]), Ct);
        (await Store.FindVersionByIdempotencyKeyAsync("M", "k", Ct)).Should().NotBeNull();
        (await Store.FindVersionByIdempotencyKeyAsync("m", "K", Ct)).Should().BeNull("idempotency keys are ordinal");
        await Store.CommitAsync(new StoreTransaction([new DeleteModel("m", 1)], [Draft("d")]), Ct);
        (await Store.FindModelAsync("m", Ct)).Should().BeNull();
        (await Store.ListVersionsAsync("m", Ct)).Should().BeEmpty();
        (await Store.FindVersionByIdempotencyKeyAsync("m", "k", Ct)).Should().BeNull();
    }

    [Fact]
    public virtual async Task Commit_returns_sealed_records_and_the_change_sequence_is_monotonic()
    {
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(0);
        var first = await Store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0)], [Draft("a"), Draft("b")]), Ct);
        first.Select(r => r.Sequence).Should().Equal(1, 2);
        first[1].PreviousHash.Should().Be(first[0].Hash);
        first[0].Hash.Should().Be(AuditChain.ComputeHash(first[0]));
        var second = await Store.CommitAsync(new StoreTransaction([], [Draft("c")]), Ct);
        second.Single().PreviousHash.Should().Be(first[1].Hash);
        (await Store.GetChangeSequenceAsync(Ct)).Should().Be(3);
        var read = await Store.QueryAuditAsync(new AuditQuery(), 0, 10, Ct);
        read.Should().BeEquivalentTo(first.Concat(second), o => o.WithStrictOrdering());
    }

    [Fact]
    public virtual async Task A_version_whose_model_is_missing_is_a_conflict_and_nothing_is_written()
    {
        var before = await SnapshotAsync();
        var orphan = async () => await Store.CommitAsync(new StoreTransaction([new PutVersion(Version("ghost", "1.0.0"), 0)], [Draft("orphan")]), Ct);
        (await orphan.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Audit_queries_by_exact_subject_action_and_actor_start_after_the_sequence_and_stop_at_the_limit()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        AuditDraft Record(string actor, string action, string subject) => new(at, actor, action, subject, "{}");
        await Store.CommitAsync(new StoreTransaction([], [Record("ann", "a.made", "model:x"), Record("bob", "a.made", "model:y"), Record("ann", "b.changed", "model:x")]), Ct);
        await Store.CommitAsync(new StoreTransaction([], [Record("bob", "b.changed", "model:x"), Record("ann", "a.made", "model:xy"), Record("ann", "a.made", "model:x")]), Ct);

        async Task<long[]> Sequences(AuditQuery query, long after = 0, int limit = 100)
            => [.. (await Store.QueryAuditAsync(query, after, limit, Ct)).Select(r => r.Sequence)];

        (await Sequences(new AuditQuery { Subject = "model:x" })).Should().Equal(1, 3, 4, 6);
        (await Sequences(new AuditQuery { Subject = "model:x" }, after: 3)).Should().Equal(4, 6);
        (await Sequences(new AuditQuery { Subject = "model:x" }, after: 1, limit: 2)).Should().Equal(3, 4);
        (await Sequences(new AuditQuery { Subject = "model:x*" })).Should().Equal(1, 3, 4, 5, 6);
        (await Sequences(new AuditQuery { Subject = "model:x", Actor = "ann", Action = "a.made" })).Should().Equal(1, 6);
        (await Sequences(new AuditQuery { Actor = "bob" }, after: 2)).Should().Equal(4);
        (await Sequences(new AuditQuery { Action = "b.changed", Actor = "bob" })).Should().Equal(4);
        (await Sequences(new AuditQuery { Actor = "nobody" })).Should().BeEmpty();
        (await Sequences(new AuditQuery { Subject = "MODEL:X" })).Should().BeEmpty("subjects compare ordinally");
        (await Sequences(new AuditQuery { Subject = "model:x" }, after: 6)).Should().BeEmpty();
        (await Sequences(new AuditQuery { Subject = "model:x" }, limit: 0)).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Query_honours_limit_and_order()
    {
        var names = new[] { "b", "a", "c", "e", "d" };
        foreach (var n in names)
        {
            await Store.CommitAsync(new StoreTransaction([new PutModel(Model(n), 0)], [Draft(n)]), Ct);
        }

        var desc = await Store.QueryModelsAsync(new StoreQuery(null, [new SortKey(new FieldRef(SearchField.Name), true)], 3), Ct);
        desc.Select(m => m.Name).Should().Equal("e", "d", "c");
    }
}

/// <summary>Documents: the persistence of lineage, approvals and checkpoints, with revisions and change sequences.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class DocumentStoreTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private static AuditDraft Draft(string action) => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "tester", action, "test:doc", "{}");

    private ValueTask<IReadOnlyList<AuditRecord>> PutAsync(params PutDocument[] documents)
        => Store.CommitAsync(new StoreTransaction(documents, [Draft("put")]), Ct);

    [Fact]
    public virtual async Task Documents_round_trip_verbatim_with_revision_and_change_sequence()
    {
        var json = "{\"b\":1,\"a\":\"ünïcødé 🚀 '; DROP TABLE x; --\",\"n\":1.0000000000000002}";
        var sealedRecords = await PutAsync(new PutDocument("approval", "req-1", json, "Pending", 0));
        var doc = await Store.FindDocumentAsync("approval", "req-1", Ct);
        doc.Should().Be(new StoredDocument("approval", "req-1", json, "Pending", 1, sealedRecords[^1].Sequence));
        (await Store.FindDocumentAsync("approval", "REQ-1", Ct)).Should().BeNull("keys are ordinal");
        (await Store.FindDocumentAsync("other", "req-1", Ct)).Should().BeNull();

        await PutAsync(new PutDocument("approval", "req-1", "{}", null, 1));
        var replaced = await Store.FindDocumentAsync("approval", "req-1", Ct);
        replaced!.Revision.Should().Be(2);
        replaced.Index.Should().BeNull();
        replaced.ChangeSequence.Should().Be(2);
    }

    [Fact]
    public virtual async Task Document_revisions_are_checked_and_a_failed_commit_applies_nothing()
    {
        await PutAsync(new PutDocument("edge", "e1", "{}", null, 0));
        var before = await SnapshotAsync();
        var duplicate = async () => await PutAsync(new PutDocument("edge", "e1", "{}", null, 0));
        (await duplicate.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        var stale = async () => await PutAsync(new PutDocument("edge", "e2", "{}", null, 0), new PutDocument("edge", "e1", "{\"x\":1}", null, 7));
        (await stale.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        await ShouldBeUnchangedAsync(before);
        (await Store.FindDocumentAsync("edge", "e2", Ct)).Should().BeNull();
        (await Store.FindDocumentAsync("edge", "e1", Ct))!.Json.Should().Be("{}");
    }

    [Fact]
    public virtual async Task Documents_are_listed_by_index_and_change_sequence_for_catch_up()
    {
        await PutAsync(new PutDocument("n", "b", "{}", "x", 0), new PutDocument("n", "a", "{}", "y", 0));
        await PutAsync(new PutDocument("n", "c", "{}", "x", 0));
        await PutAsync(new PutDocument("other", "z", "{}", "x", 0));
        await PutAsync(new PutDocument("n", "a", "{\"v\":2}", "x", 1));

        (await Store.ListDocumentsAsync(new DocumentQuery("n"), Ct)).Select(d => (d.Key, d.ChangeSequence)).Should().Equal(("b", 1L), ("c", 2L), ("a", 4L));
        (await Store.ListDocumentsAsync(new DocumentQuery("n", "x"), Ct)).Select(d => d.Key).Should().Equal("b", "c", "a");
        (await Store.ListDocumentsAsync(new DocumentQuery("n", AfterChangeSequence: 1), Ct)).Select(d => d.Key).Should().Equal("c", "a");
        (await Store.ListDocumentsAsync(new DocumentQuery("n", Limit: 2), Ct)).Select(d => d.Key).Should().Equal("b", "c");
        (await Store.ListDocumentsAsync(new DocumentQuery("n", "'; DROP TABLE documents; --"), Ct)).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Listings_follow_rewrites_that_move_a_document_between_index_values_and_sequences()
    {
        // One commit writes several keys: they share its sequence and are listed by key in code-point order.
        await PutAsync(new PutDocument("n", "k3", "{}", "x", 0), new PutDocument("n", "k1", "{}", "x", 0), new PutDocument("n", "k2", "{}", "y", 0));
        await PutAsync(new PutDocument("n", "k4", "{}", "x", 0));
        await PutAsync(new PutDocument("n", "k1", "{}", null, 1));
        await PutAsync(new PutDocument("n", "k2", "{}", "x", 1));

        (await Store.ListDocumentsAsync(new DocumentQuery("n", "x"), Ct)).Select(d => (d.Key, d.ChangeSequence)).Should().Equal(("k3", 1L), ("k4", 2L), ("k2", 4L));
        (await Store.ListDocumentsAsync(new DocumentQuery("n", "y"), Ct)).Should().BeEmpty("k2 left the value y");
        (await Store.ListDocumentsAsync(new DocumentQuery("n", "x", AfterChangeSequence: 2), Ct)).Select(d => d.Key).Should().Equal("k2");
        (await Store.ListDocumentsAsync(new DocumentQuery("n", "x", Limit: 1), Ct)).Select(d => d.Key).Should().Equal("k3");
        (await Store.ListDocumentsAsync(new DocumentQuery("n"), Ct)).Select(d => (d.Key, d.ChangeSequence)).Should().Equal(("k3", 1L), ("k4", 2L), ("k1", 3L), ("k2", 4L));
        (await Store.ListDocumentsAsync(new DocumentQuery("n", AfterChangeSequence: 4), Ct)).Should().BeEmpty();
        (await Store.ListDocumentsAsync(new DocumentQuery("n", AfterChangeSequence: long.MaxValue), Ct)).Should().BeEmpty();
        (await Store.ListDocumentsAsync(new DocumentQuery("n", AfterChangeSequence: -5), Ct)).Should().HaveCount(4);
        (await Store.ListDocumentsAsync(new DocumentQuery("missing"), Ct)).Should().BeEmpty();
    }
}
