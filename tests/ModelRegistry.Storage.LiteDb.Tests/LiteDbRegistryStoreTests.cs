using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>The store through <see cref="IRegistryStore"/> directly: round trips, keys, revisions, atomicity, the chain.</summary>
public sealed class LiteDbRegistryStoreTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDatabase _database = new();
    private LiteDbRegistryStore _store;

    public LiteDbRegistryStoreTests() => _store = LiteDbRegistryStoreFactory.Open(_database.Path);

    public void Dispose()
    {
        _store.Dispose();
        _database.Dispose();
    }

    private void Reopen()
    {
        _store.Dispose();
        _store = LiteDbRegistryStoreFactory.Open(_database.Path);
    }

    private static RegisteredModel FullModel() => new()
    {
        Name = "Fraud-Detector.v2_x",
        Description = "Detects fraud — ünïcödé, \"quotes\", 'single', NUL:\0, emoji:\U0001F600, tab:\t",
        Owners = ["team-risk", "alice@example.com"],
        RiskTier = RiskTier.High,
        Task = "classification",
        Framework = "pytorch",
        Provider = "SelfHosted",
        Tags = new Dictionary<string, string> { ["team"] = "risk", ["weird key \0 ' \""] = "v", ["empty"] = string.Empty },
        Status = ModelStatus.Deprecated,
        ReplacedBy = "fraud-detector-v3",
        DeprecationReason = "superseded",
        Aliases = new Dictionary<string, string> { ["champion"] = "1.2.3-rc.1+build.7" },
        ProductionHistory = ["1.0.0", "1.1.0"],
        CreatedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567),
        CreatedBy = "alice",
        UpdatedAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero).AddTicks(9),
        UpdatedBy = "bob",
        Revision = 1,
    };

    private static ModelVersion FullVersion(string model) => new()
    {
        ModelName = model,
        Version = SemanticVersion.Parse("1.2.3-rc.1+build.7"),
        Description = "first",
        SourceCommit = "0123456789abcdef",
        RunId = "run-42",
        Parameters = new Dictionary<string, string> { ["lr"] = "0.001", ["layers"] = "12" },
        Metrics = new Dictionary<string, double> { ["auc"] = 0.9123456789012345, ["loss"] = -0.0, ["big"] = 1e300, ["tiny"] = double.Epsilon },
        Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://bucket/w.bin", new string('a', 64), 123456789012, "MIT"), new ModelArtifact(ArtifactType.Config, "file:///c.json")],
        DerivedFrom = "models:/base/1.0.0",
        Tags = new Dictionary<string, string> { ["dataset"] = "2026-q1" },
        Stage = ModelStage.Canary,
        CanaryTrafficPercent = 15,
        ContentHash = new string('f', 64),
        IdempotencyKey = "create-1",
        ProviderBindings =
        [
            new ProviderBinding
            {
                Id = "b1",
                Provider = ModelProviders.AzureOpenAI,
                ProviderModelId = "gpt-4o-2024-08-06",
                Endpoint = "https://example.invalid/openai",
                Region = "eu-west-1",
                CostPer1KInputTokens = 0.0025m,
                CostPer1KOutputTokens = 12345678901234567.0123456789m,
                LatencySloMs = 250.5,
                Status = BindingStatus.Degraded,
                ObservedLatencyMs = 310.25,
                ObservedSuccessRate = 0.9975,
                CreatedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, 1, TimeSpan.Zero).AddTicks(1),
                UpdatedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(-5)),
            },
        ],
        CreatedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero).AddTicks(1),
        CreatedBy = "alice",
        UpdatedAt = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(3),
        UpdatedBy = "bob",
        StageChangedAt = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(5),
        Revision = 1,
    };

    [Fact]
    public void Listing_documents_by_index_value_seeks_the_index_instead_of_reading_the_collection()
    {
        var byValue = _store.DocumentListing(new DocumentQuery("compliance.approval", "FRAUD/0000000001.0000000000.0000000000")).GetPlan();
        var byValueAfter = _store.DocumentListing(new DocumentQuery("lineage.edge", "node-7", AfterChangeSequence: 10, Limit: 5)).GetPlan();
        var byCollection = _store.DocumentListing(new DocumentQuery("lineage.edge", AfterChangeSequence: 10)).GetPlan();

        byValue["index"]["name"].AsString.Should().Be(Schema.DocumentIndexValue, byValue.ToString());
        byValueAfter["index"]["name"].AsString.Should().Be(Schema.DocumentIndexValue, byValueAfter.ToString());
        byCollection["index"]["name"].AsString.Should().Be("cs", byCollection.ToString());
    }

    [Fact]
    public async Task Every_field_of_a_model_and_a_version_reads_back_exactly_after_reopening()
    {
        var model = FullModel();
        var version = FullVersion(model.Name);
        await _store.CommitAsync(Tx([new PutModel(model, 0), new PutVersion(version, 0)], "model.registered", "version.created"), Ct);
        Reopen();

        var readModel = await _store.FindModelAsync("FRAUD-DETECTOR.V2_X", Ct);
        readModel.Should().BeEquivalentTo(model, o => o.RespectingRuntimeTypes());
        readModel!.CreatedAt.Offset.Should().Be(TimeSpan.FromHours(2));
        readModel.CreatedAt.Ticks.Should().Be(model.CreatedAt.Ticks);

        var readVersion = await _store.FindVersionAsync("fraud-detector.V2_X", SemanticVersion.Parse("1.2.3-rc.1"), Ct);
        readVersion.Should().BeEquivalentTo(version, o => o.RespectingRuntimeTypes());
        readVersion!.Version.BuildMetadata.Should().Be("build.7");
        readVersion.ProviderBindings[0].CostPer1KOutputTokens.Should().Be(12345678901234567.0123456789m);
        readVersion.Metrics["tiny"].Should().Be(double.Epsilon);
        double.IsNegative(readVersion.Metrics["loss"]).Should().BeTrue("-0.0 keeps its sign");
        readVersion.CreatedAt.UtcTicks.Should().Be(version.CreatedAt.UtcTicks, "timestamps keep every tick, not LiteDB's milliseconds");
        (await _store.FindVersionByIdempotencyKeyAsync("fraud-detector.v2_x", "create-1", Ct)).Should().BeEquivalentTo(version);
        (await _store.FindVersionByIdempotencyKeyAsync("fraud-detector.v2_x", "CREATE-1", Ct)).Should().BeNull("idempotency keys are ordinal");
    }

    [Fact]
    public async Task Model_names_are_keyed_ignoring_case_and_kept_as_typed()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("Fraud"), 0)), Ct);
        var again = async () => await _store.CommitAsync(Tx(new PutModel(Model("fRAUD"), 0)), Ct);
        (await again.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);

        (await _store.FindModelAsync("fraud", Ct))!.Name.Should().Be("Fraud");
        (await _store.FindModelAsync("FRAUD", Ct))!.Name.Should().Be("Fraud");
        (await _store.FindModelAsync("fraud2", Ct)).Should().BeNull();
        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(1, "the refused insert wrote no audit record");
    }

    [Fact]
    public async Task Stale_and_missing_revisions_are_conflicts_and_change_nothing()
    {
        await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), Ct);
        await _store.CommitAsync(Tx(new PutModel(Model("m", 2) with { Description = "two" }, 1)), Ct);

        var stale = async () => await _store.CommitAsync(Tx(new PutModel(Model("m", 2) with { Description = "stale" }, 1)), Ct);
        (await stale.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        var missing = async () => await _store.CommitAsync(Tx(new PutModel(Model("ghost", 2), 1)), Ct);
        (await missing.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        var staleDelete = async () => await _store.CommitAsync(Tx(new DeleteModel("m", 1)), Ct);
        (await staleDelete.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);

        (await _store.FindModelAsync("m", Ct))!.Description.Should().Be("two");
        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(2);
    }

    [Fact]
    public async Task Versions_are_keyed_by_precedence_and_a_duplicate_is_already_exists()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0+a"), 0)], "c"), Ct);
        var duplicate = async () => await _store.CommitAsync(Tx(new PutVersion(Version("M", "1.0.0+b"), 0)), Ct);
        (await duplicate.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        (await _store.ListVersionsAsync("m", Ct)).Select(v => v.Version.ToString()).Should().Equal("1.0.0+a");
    }

    [Fact]
    public async Task A_second_version_with_the_same_idempotency_key_is_already_exists()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0") with { IdempotencyKey = "k" }, 0)], "c"), Ct);
        var racing = async () => await _store.CommitAsync(Tx(new PutVersion(Version("m", "1.0.1") with { IdempotencyKey = "k" }, 0)), Ct);
        (await racing.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.AlreadyExists);
        (await _store.ListVersionsAsync("m", Ct)).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_version_of_a_missing_model_is_a_conflict_but_may_precede_its_model_in_one_commit()
    {
        var orphan = async () => await _store.CommitAsync(Tx(new PutVersion(Version("nobody", "1.0.0"), 0)), Ct);
        (await orphan.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        var deletedInSameCommit = async () => await _store.CommitAsync(Tx([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0"), 0), new DeleteModel("m", 1)], "c"), Ct);
        (await deletedInSameCommit.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(0);

        // Version first, model second: the version gets the model's owners, risk tier and status.
        await _store.CommitAsync(Tx([new PutVersion(Version("late", "1.0.0"), 0), new PutModel(Model("late") with { Owners = ["o-late"], RiskTier = RiskTier.High }, 0)], "c"), Ct);
        var byOwner = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.Owner), ComparisonOperator.Equal, FilterValue.FromString("o-late")), [Asc(SearchField.Name), Asc(SearchField.Version)], 10);
        (await _store.QueryVersionsAsync(byOwner, Ct)).Should().ContainSingle();
        var byRisk = byOwner with { Filter = new ComparisonFilter(new FieldRef(SearchField.RiskTier), ComparisonOperator.Equal, FilterValue.FromEnum((int)RiskTier.High)) };
        (await _store.QueryVersionsAsync(byRisk, Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Deleting_a_model_deletes_its_versions_but_not_other_models_versions()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("a"), 0), new PutModel(Model("ab"), 0), new PutVersion(Version("a", "1.0.0") with { IdempotencyKey = "k" }, 0), new PutVersion(Version("a", "2.0.0"), 0), new PutVersion(Version("ab", "1.0.0"), 0)], "c"), Ct);
        await _store.CommitAsync(Tx(new DeleteModel("A", 1)), Ct);
        Reopen();

        (await _store.FindModelAsync("a", Ct)).Should().BeNull();
        (await _store.ListVersionsAsync("a", Ct)).Should().BeEmpty();
        (await _store.FindVersionAsync("a", SemanticVersion.Parse("1.0.0"), Ct)).Should().BeNull();
        (await _store.FindVersionByIdempotencyKeyAsync("a", "k", Ct)).Should().BeNull();
        (await _store.ListVersionsAsync("ab", Ct)).Should().HaveCount(1);
        (await _store.QueryVersionsAsync(AllVersions(), Ct)).Select(v => v.ModelName).Should().Equal("ab");

        // The name is free again.
        await _store.CommitAsync(Tx(new PutModel(Model("a"), 0)), Ct);
        (await _store.ListVersionsAsync("a", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_commit_whose_second_write_conflicts_leaves_state_and_audit_unchanged()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("a"), 0), new PutVersion(Version("a", "1.0.0"), 0)], "one"), Ct);
        var beforeModels = await _store.QueryModelsAsync(All(), Ct);
        var beforeVersions = await _store.QueryVersionsAsync(AllVersions(), Ct);

        var tx = new StoreTransaction(
            [new PutModel(Model("b"), 0), new PutVersion(Version("a", "1.0.0", 2) with { Stage = ModelStage.Staging }, 1), new PutModel(Model("a", 2), 7)],
            [Draft("two"), Draft("three")]);
        var act = async () => await _store.CommitAsync(tx, Ct);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        Reopen();

        (await _store.QueryModelsAsync(All(), Ct)).Should().BeEquivalentTo(beforeModels, o => o.WithStrictOrdering());
        (await _store.QueryVersionsAsync(AllVersions(), Ct)).Should().BeEquivalentTo(beforeVersions, o => o.WithStrictOrdering());
        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(1);
        (await _store.QueryAuditAsync(new AuditQuery(), 0, 100, Ct)).Should().ContainSingle();

        // The store still works after the rollback.
        await _store.CommitAsync(Tx(new PutModel(Model("b"), 0)), Ct);
        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(2);
    }

    [Fact]
    public async Task Audit_records_are_sealed_in_order_linked_and_survive_reopening()
    {
        var first = await _store.CommitAsync(new StoreTransaction([new PutModel(Model("a"), 0)], [Draft("model.registered", "model:a")]), Ct);
        var second = await _store.CommitAsync(new StoreTransaction([new PutModel(Model("b"), 0), new PutVersion(Version("b", "1.0.0"), 0)], [Draft("model.registered", "model:b"), Draft("version.created", "version:b/1.0.0")]), Ct);

        first.Select(r => r.Sequence).Should().Equal(1);
        first[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        second.Select(r => r.Sequence).Should().Equal(2, 3);
        second[0].PreviousHash.Should().Be(first[0].Hash);
        second[1].PreviousHash.Should().Be(second[0].Hash);
        second.Should().OnlyContain(r => AuditChain.ComputeHash(r) == r.Hash);
        Reopen();

        (await _store.GetChangeSequenceAsync(Ct)).Should().Be(3);
        var all = await _store.QueryAuditAsync(new AuditQuery(), 0, 10, Ct);
        all.Should().BeEquivalentTo(first.Concat(second), o => o.WithStrictOrdering());
        (await VerifyChainAsync(_store)).Should().Be(3);
        var next = await _store.CommitAsync(Tx(new PutModel(Model("c"), 0)), Ct);
        next[0].Sequence.Should().Be(4);
        next[0].PreviousHash.Should().Be(second[1].Hash);
    }

    [Fact]
    public async Task Audit_queries_filter_by_subject_prefix_action_actor_and_time_window_after_a_sequence()
    {
        var drafts = new List<AuditDraft>();
        for (var i = 0; i < 30; i++)
        {
            var subject = i % 3 == 0 ? $"version:m{i % 2}/1.{i}.0" : $"model:m{i % 2}";
            drafts.Add(Draft(i % 2 == 0 ? "a.even" : "a.odd", subject, T0.AddSeconds(i), i % 5 == 0 ? "bob" : "alice"));
        }

        await _store.CommitAsync(new StoreTransaction([], drafts), Ct);
        var all = await _store.QueryAuditAsync(new AuditQuery(), 0, 1000, Ct);
        all.Should().HaveCount(30);

        foreach (var query in new[]
        {
            new AuditQuery { Subject = "version:m0/*" },
            new AuditQuery { Subject = "version:*" },
            new AuditQuery { Subject = "model:m1" },
            new AuditQuery { Subject = "model:m" },
            new AuditQuery { Subject = "*" },
            new AuditQuery { Action = "a.odd", Actor = "alice" },
            new AuditQuery { From = T0.AddSeconds(5), To = T0.AddSeconds(12) },
            new AuditQuery { Subject = "model:*", From = T0.AddSeconds(3).AddTicks(1) },
        })
        {
            var expected = all.Where(r => Matches(query, r)).ToList();
            (await _store.QueryAuditAsync(query, 0, 1000, Ct)).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering(), query.ToString());
            (await _store.QueryAuditAsync(query, 10, 3, Ct)).Should().BeEquivalentTo(expected.Where(r => r.Sequence > 10).Take(3), o => o.WithStrictOrdering());
        }
    }

    private static bool Matches(AuditQuery q, AuditRecord r)
        => (q.Subject is null || (q.Subject.EndsWith('*') ? r.Subject.StartsWith(q.Subject[..^1], StringComparison.Ordinal) : r.Subject == q.Subject))
           && (q.Action is null || q.Action == r.Action)
           && (q.Actor is null || q.Actor == r.Actor)
           && (q.From is null || r.Timestamp >= q.From)
           && (q.To is null || r.Timestamp < q.To);

    [Fact]
    public async Task Changing_owners_risk_or_status_of_a_model_updates_what_version_searches_see()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("m"), 0), new PutVersion(Version("m", "1.0.0"), 0), new PutVersion(Version("m", "2.0.0"), 0)], "c"), Ct);
        await _store.CommitAsync(Tx(new PutModel(Model("m", 2) with { Owners = ["new-team"], RiskTier = RiskTier.High, Status = ModelStatus.Deprecated }, 1)), Ct);

        var byOwner = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.Owner), ComparisonOperator.Equal, FilterValue.FromString("new-team")), [Asc(SearchField.Name), Asc(SearchField.Version)], 10);
        var byRisk = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.RiskTier), ComparisonOperator.Equal, FilterValue.FromEnum((int)RiskTier.High)), [Asc(SearchField.Name), Asc(SearchField.Version)], 10);
        var oldOwner = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.Owner), ComparisonOperator.Equal, FilterValue.FromString("team-ml")), [Asc(SearchField.Name), Asc(SearchField.Version)], 10);

        // Evaluated by LiteDB only (the reference evaluator needs the search branch); see SearchTests for full semantics.
        LiteDbQueryProbe.Count(_store, byOwner).Should().Be(2);
        LiteDbQueryProbe.Count(_store, byRisk).Should().Be(2);
        LiteDbQueryProbe.Count(_store, oldOwner).Should().Be(0);
    }

    [Fact]
    public async Task Query_limit_and_multi_key_order_are_applied_after_exact_filtering()
    {
        var writes = new List<StoreWrite>();
        for (var i = 0; i < 12; i++)
        {
            writes.Add(new PutModel(Model($"m{i:00}") with { RiskTier = (RiskTier)(i % 3), CreatedAt = T0.AddMinutes(i % 4) }, 0));
        }

        await _store.CommitAsync(new StoreTransaction(writes, [Draft("bulk")]), Ct);
        var all = (await _store.QueryModelsAsync(All(), Ct)).ToList();

        // risk DESC (pushed down), then created ASC and name ASC (finished in memory on ties).
        var order = new[] { Desc(SearchField.RiskTier), Asc(SearchField.CreatedAt), Asc(SearchField.Name) };
        var expected = all.OrderByDescending(m => m.RiskTier).ThenBy(m => m.CreatedAt).ThenBy(m => m.Name, StringComparer.Ordinal).Take(5).Select(m => m.Name).ToList();
        (await _store.QueryModelsAsync(new StoreQuery(null, order, 5), Ct)).Select(m => m.Name).Should().Equal(expected);

        var byName = await _store.QueryModelsAsync(new StoreQuery(null, [Desc(SearchField.Name)], 3), Ct);
        byName.Select(m => m.Name).Should().Equal("m11", "m10", "m09");
        (await _store.QueryModelsAsync(new StoreQuery(null, [Asc(SearchField.Name)], 0), Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Strings_compare_ordinally_and_case_sensitively_not_by_culture()
    {
        await _store.CommitAsync(Tx([new PutModel(Model("apple"), 0), new PutModel(Model("Banana"), 0), new PutModel(Model("cherry"), 0), new PutModel(Model("Apple2"), 0)], "c"), Ct);

        // Ordinal: every upper-case letter sorts before every lower-case one (culture order would interleave them).
        (await _store.QueryModelsAsync(All(), Ct)).Select(m => m.Name).Should().Equal("Apple2", "Banana", "apple", "cherry");
        var eq = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.Name), ComparisonOperator.Equal, FilterValue.FromString("APPLE")), [Asc(SearchField.Name)], 10);
        LiteDbQueryProbe.Count(_store, eq, SearchTarget.Models).Should().Be(0, "= is case-sensitive although the model key is not");
        var lt = new StoreQuery(new ComparisonFilter(new FieldRef(SearchField.Name), ComparisonOperator.LessThan, FilterValue.FromString("a")), [Asc(SearchField.Name)], 10);
        LiteDbQueryProbe.Count(_store, lt, SearchTarget.Models).Should().Be(2);
    }

    [Fact]
    public async Task Cancelled_commit_writes_nothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var act = async () => await _store.CommitAsync(Tx(new PutModel(Model("m"), 0)), cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        (await _store.FindModelAsync("m", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task A_disposed_store_refuses_calls()
    {
        _store.Dispose();
        var act = async () => await _store.FindModelAsync("m", Ct);
        await act.Should().ThrowAsync<ObjectDisposedException>();
    }
}
