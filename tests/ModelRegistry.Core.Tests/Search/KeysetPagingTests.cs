using CsCheck;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using static ModelRegistry.Core.Tests.Search.SearchTestData;

namespace ModelRegistry.Core.Tests.Search;

/// <summary>
/// Pages through random data sets with <see cref="SearchPlan"/>, a simulated store (filter with
/// <see cref="FilterEvaluator"/>, sort with <see cref="SearchOrdering"/>, take the limit) and inserts between pages,
/// and checks the pages against one full sort.
/// </summary>
public class KeysetPagingTests
{
    private static readonly string[] ModelOrderFields = ["name", "description", "risk_tier", "status", "created_at", "updated_at", "tags.team", "tags.env"];

    private static readonly string?[] ModelFilters =
    [
        null, "risk_tier >= 'Limited'", "tags.team IS NOT NULL", "owner = 'alice'", "NOT (status = 'Deprecated')",
        "description > 'x' OR tags.env = 'prod'", "name LIKE '%a%'", "tags.team != 'risk'",
    ];

    private static readonly string[] VersionOrderFields =
        ["name", "description", "created_at", "updated_at", "tags.dataset", "version", "stage", "run_id", "commit", "metrics.acc", "params.lr"];

    private static readonly string?[] VersionFilters =
    [
        null, "owner = 'alice'", "risk_tier >= 'High'", "stage IN ('Staging', 'Production')", "metrics.acc > 0.1 OR metrics.acc IS NULL",
        "version >= '1.0.0'", "provider = 'OpenAI'", "NOT tags.dataset = 'q1'", "status = 'Active' AND run_id IS NOT NULL",
    ];

    private static readonly RegisteredModel[] Owners =
    [
        Model("fraud", owners: ["alice"], riskTier: RiskTier.High),
        Model("Churn", owners: ["bob"], riskTier: RiskTier.Minimal),
        Model("a-b", owners: ["alice", "bob"], riskTier: RiskTier.Unacceptable, status: ModelStatus.Deprecated),
    ];

    private static readonly Gen<string> Name = Gen.Char["aAbB0-_."].Array[1, 4].Select(a => new string(a));

    private static readonly Gen<string?> Description = Gen.OneOf<string?>(null, "x", "y", "Y", "😀", "\uFFFD", "a\uD800");

    private static readonly Gen<Func<string, RegisteredModel>> ModelShape = Gen.Select(
        Gen.Select(Description, Gen.OneOf<string[]>(["alice"], ["bob"], ["alice", "bob"], []), Gen.Enum<RiskTier>(), Gen.Enum<ModelStatus>()),
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.OneOf<string?>(null, "risk", "ops", "Risk"), Gen.OneOf<string?>(null, "prod")),
        (a, b) => (Func<string, RegisteredModel>)(name => Model(
            name,
            a.Item1,
            a.Item2,
            a.Item3,
            a.Item4,
            Tags(("team", b.Item3), ("env", b.Item4)),
            Jan1.AddDays(b.Item1),
            Jan1.AddDays(b.Item2))));

    private static readonly Gen<Func<string, SemanticVersion, ModelVersion>> VersionShape = Gen.Select(
        Gen.Select(Description, Gen.Enum<ModelStage>(), Gen.OneOf<string?>(null, "q1", "q2"), Gen.OneOf<double?>(null, 0.5, 0.9, -0.0, 0.0, 1e-300, -7)),
        Gen.Select(Gen.OneOf<string?>(null, "0.1", "0.01"), Gen.OneOf<string[]>([], ["OpenAI"], ["Bedrock", "OpenAI"]), Gen.OneOf<string?>(null, "r1", "r2"), Gen.OneOf<string?>(null, "abc")),
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3]),
        (a, b, days) => (Func<string, SemanticVersion, ModelVersion>)((model, version) => Version(
            model,
            version.ToString(),
            a.Item1,
            a.Item2,
            Tags(("dataset", a.Item3)),
            a.Item4 is { } acc ? new Dictionary<string, double> { ["acc"] = acc } : null,
            Tags(("lr", b.Item1)),
            b.Item2,
            b.Item3,
            b.Item4,
            Jan1.AddDays(days.Item1),
            Jan1.AddDays(days.Item2))));

    private static Gen<string?> OrderBy(string[] fields) => Gen.Select(
        Gen.OneOf(fields).Array[0, 3],
        Gen.Int[0, 2].Array[3],
        (chosen, directions) =>
        {
            var parts = chosen.Distinct().Select((f, i) => f + directions[i] switch { 0 => string.Empty, 1 => " ASC", _ => " DESC" }).ToList();
            return parts.Count == 0 ? null : string.Join(", ", parts);
        });

    private static Dictionary<string, string> Tags(params (string Key, string? Value)[] tags)
        => tags.Where(t => t.Value is not null).ToDictionary(t => t.Key, t => t.Value!);

    private sealed record Scenario<T>(IReadOnlyList<T> Initial, IReadOnlyList<T> Inserts, int[] InsertsPerPage, string? Filter, string? OrderBy, int PageSize)
    {
        public override string ToString()
            => $"filter: {Filter ?? "(none)"}; order_by: {OrderBy ?? "(default)"}; page size {PageSize}; {Initial.Count} items + {Inserts.Count} inserted ({string.Join(",", InsertsPerPage)} per page)";
    }

    private static Gen<Scenario<RegisteredModel>> ModelScenarios(bool withInserts) => Gen.Select(
        Gen.Select(Name.Array[0, 40], ModelShape.Array[40], Gen.Int[0, 40]),
        Gen.Select(Gen.Int[0, 3].Array[1, 4], Gen.OneOf(ModelFilters), OrderBy(ModelOrderFields), Gen.Int[1, 7]),
        (data, query) =>
        {
            var models = data.Item1.Distinct(StringComparer.OrdinalIgnoreCase).Select((n, i) => data.Item2[i](n)).ToList();
            var split = withInserts ? Math.Min(data.Item3, models.Count) : models.Count;
            return new Scenario<RegisteredModel>(models[..split], models[split..], query.Item1, query.Item2, query.Item3, query.Item4);
        });

    private static Gen<Scenario<ModelVersion>> VersionScenarios(bool withInserts) => Gen.Select(
        Gen.Select(Gen.Select(Gen.Int[0, Owners.Length - 1], FilterGenerators.Version).Array[0, 40], VersionShape.Array[40], Gen.Int[0, 40]),
        Gen.Select(Gen.Int[0, 3].Array[1, 4], Gen.OneOf(VersionFilters), OrderBy(VersionOrderFields), Gen.Int[1, 7]),
        (data, query) =>
        {
            // One version per model and precedence, as the store enforces.
            var versions = data.Item1
                .DistinctBy(p => (p.Item1, p.Item2.SortKey))
                .Select((p, i) => data.Item2[i](Owners[p.Item1].Name, p.Item2))
                .ToList();
            var split = withInserts ? Math.Min(data.Item3, versions.Count) : versions.Count;
            return new Scenario<ModelVersion>(versions[..split], versions[split..], query.Item1, query.Item2, query.Item3, query.Item4);
        });

    [Fact]
    public void Paging_through_models_returns_the_full_sort_exactly_once()
        => ModelScenarios(withInserts: false).Sample(CheckModels, iter: 400, threads: 1);

    [Fact]
    public void Paging_through_models_stays_exact_when_models_are_inserted_between_pages()
        => ModelScenarios(withInserts: true).Sample(CheckModels, iter: 400, threads: 1);

    [Fact]
    public void Paging_through_versions_returns_the_full_sort_exactly_once()
        => VersionScenarios(withInserts: false).Sample(CheckVersions, iter: 400, threads: 1);

    [Fact]
    public void Paging_through_versions_stays_exact_when_versions_are_inserted_between_pages()
        => VersionScenarios(withInserts: true).Sample(CheckVersions, iter: 400, threads: 1);

    private static void CheckModels(Scenario<RegisteredModel> scenario)
        => PageThrough(
            SearchTarget.Models,
            scenario,
            FilterEvaluator.Matches,
            SearchOrdering.ForModels,
            (plan, last) => plan.CreateToken(last),
            m => m.Name);

    private static void CheckVersions(Scenario<ModelVersion> scenario)
    {
        var owners = Owners.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        PageThrough(
            SearchTarget.Versions,
            scenario,
            (filter, v) => FilterEvaluator.Matches(filter, v, owners[v.ModelName]),
            SearchOrdering.ForVersions,
            (plan, last) => plan.CreateToken(last),
            v => v.Uri);
    }

    private static void PageThrough<T>(
        SearchTarget target,
        Scenario<T> scenario,
        Func<FilterNode?, T, bool> matches,
        Func<IReadOnlyList<SortKey>, IComparer<T>> comparerFor,
        Func<SearchPlan, T, string> tokenFor,
        Func<T, string> id)
        where T : class
    {
        var first = SearchPlan.Create(target, new SearchRequest { Filter = scenario.Filter, OrderBy = scenario.OrderBy, PageSize = scenario.PageSize });
        var userFilter = first.Query.Filter;
        var comparer = comparerFor(first.Query.OrderBy);

        var store = scenario.Initial.ToList();
        var returned = new List<T>();
        var insertedAfterCursor = new List<T>();
        var nextInsert = 0;
        string? token = null;
        for (var page = 0; ; page++)
        {
            page.Should().BeLessThan(1_000, "paging must terminate");
            var plan = SearchPlan.Create(target, new SearchRequest { Filter = scenario.Filter, OrderBy = scenario.OrderBy, PageSize = scenario.PageSize, ContinuationToken = token });
            plan.Query.Limit.Should().Be(scenario.PageSize + 1);

            // The simulated store: filter, sort, take the limit.
            var rows = store.Where(x => matches(plan.Query.Filter, x)).Order(comparerFor(plan.Query.OrderBy)).Take(plan.Query.Limit).ToList();
            var items = rows.Take(plan.PageSize).ToList();
            if (page > 0)
            {
                items.Should().NotBeEmpty("a token is only handed out when another item follows");
            }

            returned.AddRange(items);
            if (rows.Count <= plan.PageSize)
            {
                break;
            }

            var cursor = items[^1];
            token = tokenFor(plan, cursor);

            // Insert between pages; an insert shows up later exactly when it matches and sorts after the cursor.
            for (var k = 0; k < scenario.InsertsPerPage[page % scenario.InsertsPerPage.Length] && nextInsert < scenario.Inserts.Count; k++)
            {
                var item = scenario.Inserts[nextInsert++];
                store.Add(item);
                if (matches(userFilter, item) && comparer.Compare(item, cursor) > 0)
                {
                    insertedAfterCursor.Add(item);
                }
            }
        }

        var expected = scenario.Initial.Where(x => matches(userFilter, x)).Concat(insertedAfterCursor).Order(comparer).ToList();
        for (var i = 1; i < expected.Count; i++)
        {
            comparer.Compare(expected[i - 1], expected[i]).Should().BeNegative("the completed order is total ({0} vs {1})", id(expected[i - 1]), id(expected[i]));
        }

        returned.Select(id).Should().Equal(expected.Select(id));
    }

    [Fact]
    public void An_example_pages_through_ties_and_missing_values_in_order()
    {
        var models = new[]
        {
            Model("e", description: "b"),
            Model("d"),
            Model("c", description: "a"),
            Model("b", description: "b"),
            Model("a"),
        };
        var scenario = new Scenario<RegisteredModel>(models, [], [0], null, "description DESC", 2);

        CheckModels(scenario);
        models.Order(SearchOrdering.ForModels(SearchPlan.CompleteOrder(SearchTarget.Models, OrderByParser.Parse("description DESC", SearchTarget.Models))))
            .Select(m => m.Name).Should().Equal("b", "e", "c", "a", "d");
    }
}
