using CsCheck;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>One data set written to both the LiteDB store and the in-memory reference store.</summary>
public sealed class SearchDataSet : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly ModelRegistryServices _referenceServices = ModelRegistryServices.Create();

    public SearchDataSet()
    {
        Store = LiteDbRegistryStoreFactory.Open(new LiteDbStoreOptions { Filename = _database.Path, FlushToDisk = false });
        Reference = _referenceServices.GetRequiredService<IRegistryStore>();
        var rng = new Random(4711);
        var writes = new List<StoreWrite>();
        for (var m = 0; m < ModelNames.Length; m++)
        {
            var name = ModelNames[m];
            writes.Add(new PutModel(Model(name) with
            {
                Description = rng.Next(4) == 0 ? null : Pick(rng, Strings),
                Owners = [.. Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => Pick(rng, Owners)).Distinct()],
                RiskTier = (RiskTier)rng.Next(4),
                Status = (ModelStatus)rng.Next(2),
                Tags = Map(rng, TagKeys, Strings),
                CreatedAt = T0.AddMinutes(rng.Next(100)),
                UpdatedAt = T0.AddMinutes(rng.Next(100)).AddTicks(rng.Next(10_000)),
            }, 0));
            foreach (var version in Versions.Where(_ => rng.Next(3) != 0))
            {
                writes.Add(new PutVersion(Version(name, version) with
                {
                    Description = rng.Next(3) == 0 ? null : Pick(rng, Strings),
                    RunId = rng.Next(3) == 0 ? null : Pick(rng, Strings),
                    SourceCommit = rng.Next(3) == 0 ? null : Pick(rng, Strings),
                    Stage = (ModelStage)rng.Next(7),
                    Tags = Map(rng, TagKeys, Strings),
                    Parameters = Map(rng, ParamKeys, Strings),
                    Metrics = MetricKeys.Where(_ => rng.Next(2) == 0).ToDictionary(k => k, _ => Pick(rng, Numbers)),
                    ProviderBindings = [.. Providers.Where(_ => rng.Next(3) == 0).Select((p, i) => new ProviderBinding { Id = $"b{i}", Provider = p, ProviderModelId = "x" })],
                    CreatedAt = T0.AddMinutes(rng.Next(100)),
                    UpdatedAt = T0.AddMinutes(rng.Next(100)),
                    IdempotencyKey = rng.Next(5) == 0 ? Pick(rng, Strings) + version : null,
                }, 0));
            }
        }

        var tx = new StoreTransaction(writes, [Draft("seed")]);
        Store.CommitAsync(tx, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Reference.CommitAsync(tx, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Names are ASCII (as the registry validates) and differ in case, prefix and punctuation.</summary>
    public static readonly string[] ModelNames = ["alpha", "Alpha2", "beta", "Beta-1", "gamma.x", "gamma_x", "a", "B", "zeta", "Zeta9", "m-01", "m-02", "m-10", "eta"];

    public static readonly string[] Versions = ["1.0.0", "1.0.0-rc.1", "1.0.0-rc.10", "0.9.0", "2.0.0-alpha.1", "1.10.0", "1.2.0+build.5"];

    /// <summary>Text that is hostile to query languages, LIKE, collations and UTF-16 ordering.</summary>
    public static readonly string[] Strings =
    [
        "", "a", "A", "ab", "aB", "b", "risk", "Risk", "RISK", "%", "_", "\\", "'", "''", "\"", "a%b", "a_b", "x\0y", "\0",
        "ünï", "ÜNÏ", "🚀", "🚀x", "\uE000", "\uFFFF", "\uD7FF", "zz", "@p0", "$.name", "'; DROP TABLE models; --", ") OR (1 = 1",
        "Robert'); DELETE FROM versions;--", new string('l', 300), new string('l', 239) + "m", "ß", "ı", "İ", "ﬀ",
    ];

    public static readonly string[] Owners = ["team-a", "Team-A", "b", "%", "ünï", "🚀"];

    public static readonly string[] TagKeys = ["team", "Team", "t", "odd key", "k\0", "", "🚀", new string('k', 245)];

    public static readonly string[] ParamKeys = ["lr", "opt", "LR"];

    public static readonly string[] MetricKeys = ["auc", "loss", "AUC"];

    public static readonly double[] Numbers = [-1.5, -0.0, 0.0, 0.5, 0.9, 0.9000000000000001, 1e300, -1e-300, double.Epsilon, 42, double.MaxValue, double.MinValue];

    public static readonly string[] Providers = ["OpenAI", "openai", "Bedrock", "Custom %", "Vertex"];

    internal LiteDbRegistryStore Store { get; }

    public IRegistryStore Reference { get; }

    public void Dispose()
    {
        Store.Dispose();
        _referenceServices.Dispose();
        _database.Dispose();
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> values) => values[rng.Next(values.Count)];

    private static Dictionary<string, string> Map(Random rng, string[] keys, string[] values)
        => keys.Where(_ => rng.Next(3) == 0).ToDictionary(k => k, _ => Pick(rng, values), StringComparer.Ordinal);
}

/// <summary>
/// Search on LiteDB against the in-memory reference, with generated filters over every field and operator and hostile
/// text: the same items in the same order, and the LiteDB expression alone is always a superset (never loses a match).
/// </summary>
public sealed class SearchTranslationTests(SearchDataSet data) : IClassFixture<SearchDataSet>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly SearchField[] ModelFields = [SearchField.Name, SearchField.Description, SearchField.Owner, SearchField.RiskTier, SearchField.Status, SearchField.CreatedAt, SearchField.UpdatedAt, SearchField.Tag];

    private static readonly SearchField[] VersionFields = Enum.GetValues<SearchField>();

    private static readonly string[] Patterns = ["%", "a%", "%a", "_", "\\%", "\\_%", "A%", "%ü%", "r_sk", "🚀%", "\uE000%", "%\0%", "'%", "l%m", "%%b", "\\\\", ""];

    private static Gen<FieldRef> FieldGen(SearchTarget target) =>
        Gen.OneOf(target == SearchTarget.Models ? ModelFields : VersionFields).SelectMany(f => f switch
        {
            SearchField.Tag => Gen.OneOf(SearchDataSet.TagKeys).Select(k => new FieldRef(f, k)),
            SearchField.Param => Gen.OneOf(SearchDataSet.ParamKeys).Select(k => new FieldRef(f, k)),
            SearchField.Metric => Gen.OneOf(SearchDataSet.MetricKeys).Select(k => new FieldRef(f, k)),
            _ => Gen.Const(new FieldRef(f)),
        });

    private static Gen<FilterValue> LiteralGen(SearchField field) => SearchFields.TypeOf(field) switch
    {
        SearchFieldType.String => Gen.OneOf(SearchDataSet.Strings.Concat(SearchDataSet.Owners).Concat(SearchDataSet.Providers).Concat(SearchDataSet.ModelNames).ToArray()).Select(FilterValue.FromString),
        SearchFieldType.Number => Gen.OneOf(SearchDataSet.Numbers).Select(FilterValue.FromNumber),
        SearchFieldType.Timestamp => Gen.Int[-5, 105].Select(m => FilterValue.FromTimestamp(T0.AddMinutes(m))),
        SearchFieldType.Version => Gen.OneOf(SearchDataSet.Versions).Select(v => FilterValue.FromVersion(SemanticVersion.Parse(v))),
        _ => Gen.Int[-1, 7].Select(FilterValue.FromEnum),
    };

    private static Gen<FilterNode> LeafGen(SearchTarget target) => FieldGen(target).SelectMany(field => Gen.Int[0, 9].SelectMany(kind => kind switch
    {
        <= 3 => Gen.Enum<ComparisonOperator>().SelectMany(op => LiteralGen(field.Field).Select(v => (FilterNode)new ComparisonFilter(field, op, v))),
        4 => LiteralGen(field.Field).Array[1, 3].Select(vs => (FilterNode)new InFilter(field, vs)),
        5 or 6 => Gen.OneOf(Patterns).SelectMany(p => Gen.Bool.Select(ci => (FilterNode)new LikeFilter(field, p, ci))),
        7 => Gen.Bool.Select(negated => (FilterNode)new IsNullFilter(field, negated)),

        // A literal of the wrong type (only possible in hand-built trees) never matches.
        _ => Gen.OneOf(FilterValue.FromString("1.0.0"), FilterValue.FromNumber(1), FilterValue.FromEnum(1)).Select(v => (FilterNode)new ComparisonFilter(field, ComparisonOperator.NotEqual, v)),
    }));

    private static Gen<FilterNode> FilterGen(SearchTarget target, int depth) => depth == 0
        ? LeafGen(target)
        : Gen.Int[0, 5].SelectMany(kind => kind switch
        {
            0 => FilterGen(target, depth - 1).Array[2, 3].Select(a => (FilterNode)new AndFilter(a)),
            1 => FilterGen(target, depth - 1).Array[2, 3].Select(a => (FilterNode)new OrFilter(a)),
            2 => FilterGen(target, depth - 1).Select(f => (FilterNode)new NotFilter(f)),
            _ => LeafGen(target),
        });

    private static Gen<IReadOnlyList<SortKey>> OrderGen(SearchTarget target)
    {
        var orderable = (target == SearchTarget.Models ? ModelFields : VersionFields).Where(SearchFields.IsOrderable).ToArray();
        var key = Gen.OneOf(orderable).SelectMany(f => f switch
        {
            SearchField.Tag => Gen.OneOf(SearchDataSet.TagKeys).Select(k => new FieldRef(f, k)),
            SearchField.Param => Gen.OneOf(SearchDataSet.ParamKeys).Select(k => new FieldRef(f, k)),
            SearchField.Metric => Gen.OneOf(SearchDataSet.MetricKeys).Select(k => new FieldRef(f, k)),
            _ => Gen.Const(new FieldRef(f)),
        }).SelectMany(f => Gen.Bool.Select(d => new SortKey(f, d)));
        IReadOnlyList<SortKey> identity = target == SearchTarget.Models
            ? [new SortKey(new FieldRef(SearchField.Name), false)]
            : [new SortKey(new FieldRef(SearchField.Name), false), new SortKey(new FieldRef(SearchField.Version), false)];
        return key.Array[0, 2].Select(keys => (IReadOnlyList<SortKey>)[.. keys, .. identity]);
    }

    private static Gen<int> LimitGen => Gen.OneOf(Gen.Int[1, 12], Gen.Const(int.MaxValue));

    [Fact]
    public void Generated_model_searches_equal_the_reference_and_the_LiteDB_expression_never_loses_a_match()
        => Gen.Select(FilterGen(SearchTarget.Models, 3), OrderGen(SearchTarget.Models), LimitGen).Sample((filter, order, limit) =>
        {
            var query = new StoreQuery(filter, order, limit);
            var expected = data.Reference.QueryModelsAsync(query, Ct).AsTask().GetAwaiter().GetResult().Select(m => m.Name).ToList();
            var actual = data.Store.QueryModelsAsync(query, Ct).AsTask().GetAwaiter().GetResult().Select(m => m.Name).ToList();
            actual.Should().Equal(expected, "filter {0}, order {1}, limit {2}", filter, string.Join(",", order), limit);

            var all = data.Reference.QueryModelsAsync(query with { Limit = int.MaxValue }, Ct).AsTask().GetAwaiter().GetResult();
            var candidates = LiteDbQueryProbe.Ids(data.Store, filter, SearchTarget.Models).ToHashSet(StringComparer.Ordinal);
            all.Where(m => !candidates.Contains(m.Name.ToUpperInvariant())).Should().BeEmpty("the LiteDB expression is a superset of {0}", filter);
        }, iter: 400);

    [Fact]
    public void Generated_version_searches_equal_the_reference_and_the_LiteDB_expression_never_loses_a_match()
        => Gen.Select(FilterGen(SearchTarget.Versions, 3), OrderGen(SearchTarget.Versions), LimitGen).Sample((filter, order, limit) =>
        {
            var query = new StoreQuery(filter, order, limit);
            var expected = data.Reference.QueryVersionsAsync(query, Ct).AsTask().GetAwaiter().GetResult().Select(v => v.Uri).ToList();
            var actual = data.Store.QueryVersionsAsync(query, Ct).AsTask().GetAwaiter().GetResult().Select(v => v.Uri).ToList();
            actual.Should().Equal(expected, "filter {0}, order {1}, limit {2}", filter, string.Join(",", order), limit);

            var all = data.Reference.QueryVersionsAsync(query with { Limit = int.MaxValue }, Ct).AsTask().GetAwaiter().GetResult();
            var candidates = LiteDbQueryProbe.Ids(data.Store, filter, SearchTarget.Versions).ToHashSet(StringComparer.Ordinal);
            all.Where(v => !candidates.Contains(RecordDocuments.VersionId(v.ModelName.ToUpperInvariant(), v.Version))).Select(v => v.Uri).Should().BeEmpty("the LiteDB expression is a superset of {0}", filter);
        }, iter: 400);

    [Fact]
    public async Task Hostile_text_through_every_field_and_operator_matches_the_reference_is_never_part_of_the_expression_and_changes_nothing()
    {
        var before = await data.Store.GetChangeSequenceAsync(Ct);
        var hostile = SearchDataSet.Strings.Concat(["'; DROP TABLE versions; --", "\")) OR 1=1 --", "%_%\\", "$", "@", "@p1", "[*]", "$.tagkv[*] ANY = 'x'"]).ToArray();
        foreach (var target in new[] { SearchTarget.Models, SearchTarget.Versions })
        {
            foreach (var field in (target == SearchTarget.Models ? ModelFields : VersionFields).Where(f => SearchFields.TypeOf(f) == SearchFieldType.String))
            {
                foreach (var text in hostile)
                {
                    var fields = SearchFields.IsKeyed(field) ? [new FieldRef(field, text), new FieldRef(field, "team")] : new[] { new FieldRef(field) };
                    foreach (var f in fields)
                    {
                        FilterNode[] filters =
                        [
                            new ComparisonFilter(f, ComparisonOperator.Equal, FilterValue.FromString(text)),
                            new ComparisonFilter(f, ComparisonOperator.NotEqual, FilterValue.FromString(text)),
                            new ComparisonFilter(f, ComparisonOperator.LessThan, FilterValue.FromString(text)),
                            new ComparisonFilter(f, ComparisonOperator.GreaterThanOrEqual, FilterValue.FromString(text)),
                            new InFilter(f, [FilterValue.FromString(text), FilterValue.FromString("a")]),
                            new LikeFilter(f, text, false),
                            new LikeFilter(f, text + "%", true),
                            new NotFilter(new IsNullFilter(f, false)),
                        ];
                        foreach (var filter in filters)
                        {
                            await ShouldMatchReferenceAsync(target, filter);
                            var source = FilterTranslator.Translate(filter, target).Where?.Source ?? string.Empty;
                            if (text.Contains("DROP", StringComparison.Ordinal) || text.Contains("DELETE", StringComparison.Ordinal) || text.Contains("OR 1", StringComparison.Ordinal) || text.Contains("ünï", StringComparison.Ordinal) || text.Contains("🚀", StringComparison.Ordinal))
                            {
                                source.Should().NotContain(text, "user text is passed as parameters only");
                            }
                        }
                    }
                }
            }
        }

        (await data.Store.GetChangeSequenceAsync(Ct)).Should().Be(before);
    }

    [Fact]
    public async Task Queries_of_the_same_shape_with_different_keys_do_not_share_parameters()
    {
        // LiteDB caches compiled expressions by their text; a parameter inside an array filter would keep the first
        // query's value. Two tag keys in a row must each find their own matches.
        foreach (var key in new[] { "team", "t", "Team", "team" })
        {
            var filter = new NotFilter(new IsNullFilter(new FieldRef(SearchField.Tag, key), false));
            var expected = await data.Reference.QueryModelsAsync(new StoreQuery(filter, [Asc(SearchField.Name)], int.MaxValue), Ct);
            LiteDbQueryProbe.Ids(data.Store, filter, SearchTarget.Models).Should().BeEquivalentTo(expected.Select(m => m.Name.ToUpperInvariant()), key);
        }
    }

    [Fact]
    public async Task An_IN_filter_on_the_ordering_field_still_returns_rows_in_order()
    {
        // LiteDB's IN lookup yields rows in IN-list order and the planner then skips the sort for ORDER BY name.
        var filter = new InFilter(new FieldRef(SearchField.Name), [FilterValue.FromString("zeta"), FilterValue.FromString("m-01"), FilterValue.FromString("beta")]);
        (await data.Store.QueryModelsAsync(new StoreQuery(filter, [Asc(SearchField.Name)], 2), Ct)).Select(m => m.Name).Should().Equal("beta", "m-01");
        (await data.Store.QueryModelsAsync(new StoreQuery(filter, [Desc(SearchField.Name)], 2), Ct)).Select(m => m.Name).Should().Equal("zeta", "m-01");
    }

    [Fact]
    public async Task Common_filters_are_translated_exactly_so_LiteDB_alone_returns_the_matches()
    {
        FilterNode[] exact =
        [
            new ComparisonFilter(new FieldRef(SearchField.Tag, "team"), ComparisonOperator.Equal, FilterValue.FromString("risk")),
            new AndFilter([new ComparisonFilter(new FieldRef(SearchField.Tag, "team"), ComparisonOperator.Equal, FilterValue.FromString("risk")), new ComparisonFilter(new FieldRef(SearchField.Stage), ComparisonOperator.Equal, FilterValue.FromEnum((int)ModelStage.Production))]),
            new ComparisonFilter(new FieldRef(SearchField.Metric, "auc"), ComparisonOperator.GreaterThan, FilterValue.FromNumber(0.5)),
            new ComparisonFilter(new FieldRef(SearchField.Metric, "auc"), ComparisonOperator.LessThan, FilterValue.FromNumber(0.9)),
            new ComparisonFilter(new FieldRef(SearchField.Param, "lr"), ComparisonOperator.LessThanOrEqual, FilterValue.FromString("b")),
            new NotFilter(new ComparisonFilter(new FieldRef(SearchField.Description), ComparisonOperator.LessThan, FilterValue.FromString("b"))),
            new InFilter(new FieldRef(SearchField.Owner), [FilterValue.FromString("team-a"), FilterValue.FromString("b")]),
        ];
        foreach (var filter in exact)
        {
            var expected = await data.Reference.QueryVersionsAsync(new StoreQuery(filter, [Asc(SearchField.Name), Asc(SearchField.Version)], int.MaxValue), Ct);
            LiteDbQueryProbe.Ids(data.Store, filter, SearchTarget.Versions).Should().BeEquivalentTo(expected.Select(v => RecordDocuments.VersionId(v.ModelName.ToUpperInvariant(), v.Version)), filter.ToString());
        }
    }

    private async Task ShouldMatchReferenceAsync(SearchTarget target, FilterNode filter)
    {
        if (target == SearchTarget.Models)
        {
            var query = new StoreQuery(filter, [Asc(SearchField.Name)], int.MaxValue);
            (await data.Store.QueryModelsAsync(query, Ct)).Select(m => m.Name).Should().Equal((await data.Reference.QueryModelsAsync(query, Ct)).Select(m => m.Name), filter.ToString());
        }
        else
        {
            var query = new StoreQuery(filter, [Asc(SearchField.Name), Asc(SearchField.Version)], int.MaxValue);
            (await data.Store.QueryVersionsAsync(query, Ct)).Select(v => v.Uri).Should().Equal((await data.Reference.QueryVersionsAsync(query, Ct)).Select(v => v.Uri), filter.ToString());
        }
    }
}
