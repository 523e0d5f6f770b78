using ModelRegistry.Registry;
using R = ModelRegistry.Storage.Sqlite.Tests.Support.Records;
using ModelRegistry.Search;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.F;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>Filter and ordering translation, checked against hand-computed answers of the reference semantics.</summary>
public sealed class SqliteSearchTests : IAsyncLifetime
{
    private readonly TempStoreFile _file = new();
    private IRegistryStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = _file.Open();
        var alpha = R.Model("alpha", tags: t => t["env"] = "prod", description: "Fraud model", risk: ModelRegistry.Registry.RiskTier.High, owners: ["alice", "bob"]) with { CreatedAt = R.T0.AddDays(1) };
        var beta = R.Model("Beta", tags: t => { t["team"] = "growth"; t.Remove("tier"); }, description: null, risk: ModelRegistry.Registry.RiskTier.Minimal, owners: ["carol"]) with { Status = ModelStatus.Deprecated };
        var gamma = R.Model("gamma", tags: t => t.Clear(), description: "x%_y", owners: ["alice"]) with { CreatedAt = R.T0.AddDays(2) };
        await _store.CommitAsync(R.Tx(
            new PutModel(alpha, 0),
            new PutModel(beta, 0),
            new PutModel(gamma, 0),
            new PutVersion(R.Version("alpha", "1.0.0", stage: ModelStage.Production, metrics: M(("acc", 0.9)), providers: ["OpenAI", "Anthropic"]) with { Parameters = P(("lr", "0.01")) }, 0),
            new PutVersion(R.Version("alpha", "2.0.0-rc.1", stage: ModelStage.Staging, tags: t => t.Clear(), metrics: M(("acc", 0.95), ("f1", 0.5)), providers: []) with { RunId = null, SourceCommit = null, Description = null }, 0),
            new PutVersion(R.Version("Beta", "0.1.0", tags: t => t["team"] = "growth", metrics: M(), providers: ["openai"]), 0),
            new PutVersion(R.Version("gamma", "1.0.0+build", stage: ModelStage.Archived, metrics: M(("acc", -1)), providers: ["SelfHosted"]), 0)), CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _file.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_negated_comparison_matches_items_without_the_value_but_not_equal_does_not()
    {
        (await ModelNames(Eq(Tag("team"), "risk"))).Should().Equal("alpha");
        (await ModelNames(Not(Eq(Tag("team"), "risk")))).Should().Equal("Beta", "gamma");
        (await ModelNames(Ne(Tag("team"), "risk"))).Should().Equal("Beta");
        (await ModelNames(Not(Ne(Tag("team"), "risk")))).Should().Equal("alpha", "gamma");
        (await ModelNames(Not(Not(Eq(Tag("team"), "risk"))))).Should().Equal("alpha");
        (await ModelNames(Ne(Description, "Fraud model"))).Should().Equal("gamma");
        (await ModelNames(Not(Eq(Description, "Fraud model")))).Should().Equal("Beta", "gamma");
    }

    [Fact]
    public async Task Is_null_tests_presence_of_scalars_tags_metrics_and_collections()
    {
        (await ModelNames(IsNull(Description))).Should().Equal("Beta");
        (await ModelNames(NotNull(Description))).Should().Equal("alpha", "gamma");
        (await ModelNames(IsNull(Tag("team")))).Should().Equal("gamma");
        (await ModelNames(IsNull(Owner))).Should().BeEmpty();
        (await ModelNames(IsNull(Name))).Should().BeEmpty();
        (await VersionIds(IsNull(Provider))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(NotNull(Metric("f1")))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(IsNull(RunId))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(IsNull(Commit))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(IsNull(Description))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(IsNull(Param("epochs")))).Should().Equal("alpha/1.0.0");
    }

    [Fact]
    public async Task Collections_match_when_any_element_matches()
    {
        (await ModelNames(Eq(Owner, "alice"))).Should().Equal("alpha", "gamma");
        (await ModelNames(Ne(Owner, "alice"))).Should().Equal("Beta", "alpha");
        (await ModelNames(Not(Eq(Owner, "alice")))).Should().Equal("Beta");
        (await VersionIds(Eq(Owner, "bob"))).Should().Equal("alpha/1.0.0", "alpha/2.0.0-rc.1");
        (await VersionIds(Eq(Provider, "Anthropic"))).Should().Equal("alpha/1.0.0");
        (await VersionIds(Ne(Provider, "OpenAI"))).Should().Equal("Beta/0.1.0", "alpha/1.0.0", "gamma/1.0.0+build");
        (await VersionIds(In(Provider, "SelfHosted", "nope"))).Should().Equal("gamma/1.0.0+build");
    }

    [Fact]
    public async Task Providers_compare_ordinally_and_ILIKE_ignores_case()
    {
        (await VersionIds(Eq(Provider, "OpenAI"))).Should().Equal("alpha/1.0.0");
        (await VersionIds(Eq(Provider, "openai"))).Should().Equal("Beta/0.1.0");
        (await VersionIds(ILike(Provider, "OPENAI"))).Should().Equal("Beta/0.1.0", "alpha/1.0.0");
        (await VersionIds(Like(Provider, "Open%"))).Should().Equal("alpha/1.0.0");
    }

    [Fact]
    public async Task Enums_compare_by_integer_and_versions_read_model_level_fields_from_their_model()
    {
        (await ModelNames(Ge(F.RiskTier, ModelRegistry.Registry.RiskTier.High))).Should().Equal("alpha");
        (await ModelNames(Lt(F.RiskTier, ModelRegistry.Registry.RiskTier.High))).Should().Equal("Beta", "gamma");
        (await VersionIds(Eq(F.RiskTier, ModelRegistry.Registry.RiskTier.High))).Should().Equal("alpha/1.0.0", "alpha/2.0.0-rc.1");
        (await VersionIds(Eq(Status, ModelStatus.Deprecated))).Should().Equal("Beta/0.1.0");
        (await VersionIds(In(Stage, ModelStage.Production, ModelStage.Staging))).Should().Equal("alpha/1.0.0", "alpha/2.0.0-rc.1");
        (await VersionIds(Gt(Stage, ModelStage.Production))).Should().Equal("gamma/1.0.0+build");
    }

    [Fact]
    public async Task Versions_compare_by_precedence_ignoring_build_metadata()
    {
        var v1 = SemanticVersion.Parse("1.0.0+other");
        (await VersionIds(Eq(F.Version, v1))).Should().Equal("alpha/1.0.0", "gamma/1.0.0+build");
        (await VersionIds(Lt(F.Version, v1))).Should().Equal("Beta/0.1.0");
        (await VersionIds(Gt(F.Version, v1))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(Lt(F.Version, SemanticVersion.Parse("2.0.0")))).Should().Equal("Beta/0.1.0", "alpha/1.0.0", "alpha/2.0.0-rc.1", "gamma/1.0.0+build");
    }

    [Fact]
    public async Task Metrics_compare_numerically_and_a_missing_metric_fails_every_comparison()
    {
        (await VersionIds(Gt(Metric("acc"), 0.92))).Should().Equal("alpha/2.0.0-rc.1");
        (await VersionIds(Le(Metric("acc"), 0.9))).Should().Equal("alpha/1.0.0", "gamma/1.0.0+build");
        (await VersionIds(Not(Gt(Metric("acc"), 0)))).Should().Equal("Beta/0.1.0", "gamma/1.0.0+build");
        (await VersionIds(Ne(Metric("missing"), 0))).Should().BeEmpty();
        (await VersionIds(IsNull(Metric("missing")))).Should().HaveCount(4);
    }

    [Fact]
    public async Task Like_and_ILIKE_follow_the_reference_pattern_rules()
    {
        (await ModelNames(Like(Name, "a%"))).Should().Equal("alpha");
        (await ModelNames(Like(Name, "A%"))).Should().BeEmpty();
        (await ModelNames(ILike(Name, "B%"))).Should().Equal("Beta");
        (await ModelNames(ILike(Name, "%A"))).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(Like(Name, "_lpha"))).Should().Equal("alpha");
        (await ModelNames(Like(Name, "%"))).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(Like(Description, "x\\%\\_y"))).Should().Equal("gamma");
        (await ModelNames(Like(Description, "x\\%z"))).Should().BeEmpty();
        (await ModelNames(Like(Description, "%model"))).Should().Equal("alpha");
        (await ModelNames(Not(Like(Description, "%model")))).Should().Equal("Beta", "gamma");
        (await ModelNames(Like(Tag("team"), "ri_k"))).Should().Equal("alpha");
        (await VersionIds(Like(Param("lr"), "0.0_"))).Should().Equal("alpha/1.0.0");
        (await ModelNames(Like(Owner, "c%"))).Should().Equal("Beta");
    }

    [Fact]
    public async Task In_timestamps_and_boolean_combinations()
    {
        (await ModelNames(In(Name, "alpha", "gamma", "nope"))).Should().Equal("alpha", "gamma");
        (await ModelNames(Gt(CreatedAt, R.T0))).Should().Equal("alpha", "gamma");
        (await ModelNames(Eq(CreatedAt, R.T0.ToOffset(TimeSpan.FromHours(2))))).Should().Equal("Beta");
        (await ModelNames(Or(Eq(Name, "Beta"), And(Eq(Owner, "alice"), NotNull(Tag("env")))))).Should().Equal("Beta", "alpha");
        (await ModelNames(And())).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(Or())).Should().BeEmpty();
        (await ModelNames(Not(Or()))).Should().Equal("Beta", "alpha", "gamma");
    }

    [Fact]
    public async Task Fields_that_do_not_apply_and_literals_of_the_wrong_type_are_missing_values_not_errors()
    {
        (await ModelNames(Eq(Stage, ModelStage.Production))).Should().BeEmpty();
        (await ModelNames(IsNull(Stage))).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(IsNull(Metric("acc")))).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(new ComparisonFilter(Name, ComparisonOperator.Equal, FilterValue.FromNumber(5)))).Should().BeEmpty();
        (await ModelNames(Not(new ComparisonFilter(Name, ComparisonOperator.Equal, FilterValue.FromNumber(5))))).Should().Equal("Beta", "alpha", "gamma");
        (await VersionIds(Like(F.Version, "1%"))).Should().BeEmpty();
        (await ModelNames(new ComparisonFilter(new FieldRef(SearchField.Tag), ComparisonOperator.Equal, FilterValue.FromString("risk")))).Should().BeEmpty();
    }

    [Fact]
    public async Task Ordering_puts_missing_values_lowest_and_strings_in_code_point_order()
    {
        (await ModelNames(null, [Asc(Name)])).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(null, [Desc(Name)])).Should().Equal("gamma", "alpha", "Beta");
        (await ModelNames(null, [Asc(Tag("team")), Asc(Name)])).Should().Equal("gamma", "Beta", "alpha");
        (await ModelNames(null, [Desc(Tag("team")), Asc(Name)])).Should().Equal("alpha", "Beta", "gamma");
        (await ModelNames(null, [Asc(Description), Asc(Name)])).Should().Equal("Beta", "alpha", "gamma");
        (await ModelNames(null, [Desc(F.RiskTier), Asc(Name)])).Should().Equal("alpha", "gamma", "Beta");
        (await VersionIds(null, [Desc(Metric("acc")), Asc(Name), Asc(F.Version)])).Should().Equal("alpha/2.0.0-rc.1", "alpha/1.0.0", "gamma/1.0.0+build", "Beta/0.1.0");
        (await VersionIds(null, [Desc(F.Version), Asc(Name)])).Should().Equal("alpha/2.0.0-rc.1", "alpha/1.0.0", "gamma/1.0.0+build", "Beta/0.1.0");
        (await VersionIds(null, [Asc(Stage), Asc(Name), Asc(F.Version)])).Should().Equal("Beta/0.1.0", "alpha/2.0.0-rc.1", "alpha/1.0.0", "gamma/1.0.0+build");
    }

    [Fact]
    public async Task Keys_without_a_value_for_the_target_do_not_affect_the_order()
    {
        (await VersionIds(null, [Desc(F.RiskTier), Asc(Name), Asc(F.Version)])).Should().Equal("Beta/0.1.0", "alpha/1.0.0", "alpha/2.0.0-rc.1", "gamma/1.0.0+build");
        (await ModelNames(null, [Asc(Stage), Desc(Name)])).Should().Equal("gamma", "alpha", "Beta");
        (await ModelNames(null, [Asc(Owner), Asc(Name)])).Should().Equal("Beta", "alpha", "gamma");
    }

    [Fact]
    public async Task The_limit_is_honoured()
    {
        (await ModelNames(null, [Asc(Name)], limit: 2)).Should().Equal("Beta", "alpha");
        (await ModelNames(null, [Asc(Name)], limit: 0)).Should().BeEmpty();
        (await VersionIds(Gt(F.Version, SemanticVersion.Parse("0.0.1")), [Asc(Name), Asc(F.Version)], limit: 1)).Should().Equal("Beta/0.1.0");
    }

    private static IReadOnlyDictionary<string, double> M(params (string Key, double Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, string> P(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private async Task<string[]> ModelNames(FilterNode? filter, IReadOnlyList<SortKey>? order = null, int limit = 1000)
        => [.. (await StoreSearch.Models(_store, filter, order, limit)).Select(m => m.Name)];

    private async Task<string[]> VersionIds(FilterNode? filter, IReadOnlyList<SortKey>? order = null, int limit = 1000)
        => [.. (await StoreSearch.Versions(_store, filter, order, limit)).Select(v => $"{v.ModelName}/{v.Version}")];
}
