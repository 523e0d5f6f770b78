using CsCheck;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>
/// Property tests: on generated data, generated filters and orderings give exactly the answer of Core's in-memory
/// store, the reference. Values are drawn from small pools full of edge cases (case, NUL, escapes, wildcards,
/// non-BMP characters, -0.0, equal instants in different offsets) so that collisions and corner cases are common.
/// </summary>
public sealed class SqliteSearchReferenceTests
{
    private static readonly string[] Strings =
    [
        "", "a", "A", "ab", "b", "a%b", "a_b", "a\\b", "x\0y", "\0", "é", "E", "É", "\U0001F600", "\uFB00", "ß", "\u01C5",
        "\uE000", "'; DROP TABLE models; --", "risk", "Risk", "\"q\"", "it's",
    ];

    private static readonly string[] Patterns =
    [
        "%", "_", "a%", "A%", "%b", "a_b", "a\\_b", "a\\%b", "%\U0001F600%", "_%_", "x%y", "", "\\", "ab\\", "\u00C9%", "e%", "%\0%", "\u00DF",
        "'%", "%'; DROP TABLE models; --", "__", "%a%", "RISK", "r_sk", "\\\\%",
    ];

    private static readonly string[] ModelNames = ["alpha", "Beta", "b2", "c_d", "e%f", "Zeta", "\u00FCn\u00EF", "\U0001F600x", "it's"];
    private static readonly string[] VersionTexts = ["0.1.0", "1.0.0-rc.1", "1.0.0", "2.0.0-alpha.2", "2.0.0-alpha.10", "10.0.0"];
    private static readonly string[] Owners = ["alice", "Alice", "bob", "\U0001F600", "a%b"];
    private static readonly string[] Providers = ["OpenAI", "openai", "Anthropic", "x\0"];
    private static readonly string[] TagKeys = ["team", "Team", "a b", "\U0001F600", "'; DROP TABLE model_tags; --"];
    private static readonly string[] MetricKeys = ["acc", "f1"];
    private static readonly string[] ParamKeys = ["lr", "opt"];
    private static readonly double[] Numbers = [-1, 0, -0.0, 0.5, 1e300, 3, double.Epsilon];

    private static readonly DateTimeOffset[] Instants =
    [
        Records.T0, Records.T0.AddMilliseconds(1), Records.T0.ToOffset(TimeSpan.FromHours(2)), Records.T0.AddDays(1), Records.T0.AddTicks(-1),
    ];

    private static readonly Gen<string> AnyString = Gen.OneOf(Strings);
    private static readonly Gen<string?> MaybeString = Gen.Frequency((1, Gen.Const((string?)null)), (3, AnyString.Select(s => (string?)s)));

    private static Gen<Dictionary<string, T>> Map<T>(string[] keys, Gen<T> values)
        => Gen.Select(Gen.Bool.Array[keys.Length], values.Array[keys.Length], (include, vals) =>
        {
            var map = new Dictionary<string, T>(StringComparer.Ordinal);
            for (var i = 0; i < keys.Length; i++)
            {
                if (include[i])
                {
                    map[keys[i]] = vals[i];
                }
            }

            return map;
        });

    private static Gen<RegisteredModel> ModelGen(string name)
        => Gen.Select(
            MaybeString,
            Gen.OneOf(Owners).Array[1, 3],
            Gen.Int[0, 3],
            Gen.Int[0, 1],
            Map(TagKeys, AnyString),
            Gen.OneOf(Instants),
            Gen.OneOf(Instants),
            (description, owners, risk, status, tags, created, updated) => new RegisteredModel
            {
                Name = name,
                Description = description,
                Owners = owners,
                RiskTier = (RiskTier)risk,
                Status = (ModelStatus)status,
                Tags = tags,
                CreatedAt = created,
                UpdatedAt = updated,
                CreatedBy = "t",
                UpdatedBy = "t",
                Revision = 1,
            });

    private static Gen<ModelVersion> VersionGen(string model, string version)
        => Gen.Select(
            Gen.Select(MaybeString, Gen.Int[0, 6], MaybeString, MaybeString, Gen.Bool),
            Map(TagKeys, AnyString),
            Map(MetricKeys, Gen.OneOf(Numbers)),
            Map(ParamKeys, AnyString),
            Gen.OneOf(Providers).Array[0, 2],
            Gen.OneOf(Instants),
            (scalars, tags, metrics, parameters, providers, created) => new ModelVersion
            {
                ModelName = model,
                Version = SemanticVersion.Parse(scalars.Item5 ? version + "+build.7" : version),
                Description = scalars.Item1,
                Stage = (ModelStage)scalars.Item2,
                RunId = scalars.Item3,
                SourceCommit = scalars.Item4,
                Tags = tags,
                Metrics = metrics,
                Parameters = parameters,
                ProviderBindings = [.. providers.Select((p, i) => new ProviderBinding { Id = "b" + i, Provider = p, ProviderModelId = "m" })],
                ContentHash = new string('0', 64),
                CreatedAt = created,
                UpdatedAt = created,
                CreatedBy = "t",
                UpdatedBy = "t",
                Revision = 1,
            });

    /// <summary>Models and versions, and updates of some of them (new values at revision 2), so the update path is compared too.</summary>
    private static readonly Gen<(RegisteredModel[] Models, ModelVersion[] Versions, StoreWrite[] Updates)> Data =
        Gen.Select(
            Gen.Bool.Array[ModelNames.Length],
            ModelGen("?").Array[ModelNames.Length],
            Gen.Bool.Array[ModelNames.Length * VersionTexts.Length],
            VersionGen("?", "0.0.0").Array[ModelNames.Length * VersionTexts.Length],
            Gen.Select(ModelGen("?"), VersionGen("?", "0.0.0"), Gen.Int[0, 3], (m, v, what) => (m, v, what)).Array[ModelNames.Length * VersionTexts.Length],
            (include, models, take, versions, changes) =>
            {
                var chosenModels = new List<RegisteredModel>();
                var chosenVersions = new List<ModelVersion>();
                var updates = new List<StoreWrite>();
                for (var m = 0; m < ModelNames.Length; m++)
                {
                    if (!include[m])
                    {
                        continue;
                    }

                    chosenModels.Add(models[m] with { Name = ModelNames[m] });
                    var change = changes[m * VersionTexts.Length];
                    if (change.what == 0)
                    {
                        updates.Add(new PutModel(change.m with { Name = ModelNames[m], Revision = 2 }, 1));
                    }
                    else if (change.what == 1)
                    {
                        // Same side-table values, other columns changed: the side tables must be left as they are.
                        updates.Add(new PutModel(models[m] with { Name = ModelNames[m], RiskTier = change.m.RiskTier, Description = change.m.Description, Revision = 2 }, 1));
                    }

                    for (var v = 0; v < VersionTexts.Length; v++)
                    {
                        var i = (m * VersionTexts.Length) + v;
                        if (take[i])
                        {
                            var text = versions[i].Version.BuildMetadata is null ? VersionTexts[v] : VersionTexts[v] + "+build.7";
                            var version = versions[i] with { ModelName = ModelNames[m], Version = SemanticVersion.Parse(text) };
                            chosenVersions.Add(version);
                            if (changes[i].what == 2)
                            {
                                updates.Add(new PutVersion(changes[i].v with { ModelName = ModelNames[m], Version = version.Version, Revision = 2 }, 1));
                            }
                            else if (changes[i].what == 3)
                            {
                                updates.Add(new PutVersion(version with { Stage = changes[i].v.Stage, Description = changes[i].v.Description, Revision = 2 }, 1));
                            }
                        }
                    }
                }

                return (chosenModels.ToArray(), chosenVersions.ToArray(), updates.ToArray());
            });

    private static readonly Gen<FieldRef> Field = Gen.OneOf(
        Gen.OneOf(Enum.GetValues<SearchField>()).Where(f => !SearchFields.IsKeyed(f)).Select(f => new FieldRef(f)),
        Gen.OneOf(TagKeys).Select(k => new FieldRef(SearchField.Tag, k)),
        Gen.OneOf(MetricKeys).Select(k => new FieldRef(SearchField.Metric, k)),
        Gen.OneOf(ParamKeys).Select(k => new FieldRef(SearchField.Param, k)),
        Gen.Const(new FieldRef(SearchField.Tag)));

    private static readonly Gen<FilterValue> AnyLiteral = Gen.OneOf(
        AnyString.Select(FilterValue.FromString),
        Gen.OneOf(Numbers).Select(FilterValue.FromNumber),
        Gen.OneOf(Instants).Select(FilterValue.FromTimestamp),
        Gen.OneOf(VersionTexts).Select(v => FilterValue.FromVersion(SemanticVersion.Parse(v))),
        Gen.Int[-1, 7].Select(FilterValue.FromEnum));

    private static Gen<FilterValue> Literal(FieldRef field)
    {
        var fitting = SearchFields.TypeOf(field.Field) switch
        {
            SearchFieldType.String => AnyString.Select(FilterValue.FromString),
            SearchFieldType.Number => Gen.OneOf(Numbers).Select(FilterValue.FromNumber),
            SearchFieldType.Timestamp => Gen.OneOf(Instants).Select(FilterValue.FromTimestamp),
            SearchFieldType.Version => Gen.OneOf(VersionTexts).Select(v => FilterValue.FromVersion(SemanticVersion.Parse(v))),
            _ => Gen.Int[-1, 7].Select(FilterValue.FromEnum),
        };
        return Gen.Frequency((9, fitting), (1, AnyLiteral));
    }

    private static readonly Gen<FilterNode> Leaf = Field.SelectMany(field => Gen.OneOf(
        Gen.Select(Gen.OneOf(Enum.GetValues<ComparisonOperator>()), Literal(field), (op, v) => (FilterNode)new ComparisonFilter(field, op, v)),
        Gen.Select(Gen.OneOf(Patterns), Gen.Bool, (p, ci) => (FilterNode)new LikeFilter(field, p, ci)),
        Literal(field).Array[1, 3].Select(vs => (FilterNode)new InFilter(field, vs)),
        Gen.Bool.Select(n => (FilterNode)new IsNullFilter(field, n))));

    private static Gen<FilterNode> Tree(int depth)
        => depth == 0
            ? Leaf
            : Gen.Frequency(
                (4, Leaf),
                (2, Tree(depth - 1).Array[0, 3].Select(ops => (FilterNode)new AndFilter(ops))),
                (2, Tree(depth - 1).Array[0, 3].Select(ops => (FilterNode)new OrFilter(ops))),
                (1, Tree(depth - 1).Select(op => (FilterNode)new NotFilter(op))));

    private static readonly Gen<(FilterNode? Filter, SortKey[] Order, int Limit)> Query = Gen.Select(
        Gen.Frequency((1, Gen.Const((FilterNode?)null)), (9, Tree(3).Select(t => (FilterNode?)t))),
        Gen.Select(Field, Gen.Bool, (f, d) => new SortKey(f, d)).Array[0, 2],
        Gen.Int[1, 40]);

    private static string Print(FilterNode? filter)
    {
        try
        {
            return filter is null ? "(all)" : FilterPrinter.Print(filter);
        }
        catch (Exception ex) when (ex is ArgumentException or ModelRegistryException)
        {
            return filter!.ToString();
        }
    }

    [Fact]
    public async Task Generated_model_and_version_searches_match_the_in_memory_reference()
    {
        await Gen.Select(Data, Query.Array[40], Query.Array[40]).SampleAsync(
            async (data, modelQueries, versionQueries) =>
            {
                await using var pair = await ReferencePair.CreateAsync(data.Models, data.Versions, data.Updates);
                foreach (var (filter, order, limit) in modelQueries)
                {
                    var (sqlite, reference) = await pair.ModelsAsync(filter, order, limit);
                    sqlite.Should().Equal(reference, "models where {0} order by {1} limit {2}", Print(filter), string.Join(", ", order.Select(k => $"{k.Field} {(k.Descending ? "DESC" : "ASC")}")), limit);
                }

                foreach (var (filter, order, limit) in versionQueries)
                {
                    var (sqlite, reference) = await pair.VersionsAsync(filter, order, limit);
                    sqlite.Should().Equal(reference, "versions where {0} order by {1} limit {2}", Print(filter), string.Join(", ", order.Select(k => $"{k.Field} {(k.Descending ? "DESC" : "ASC")}")), limit);
                }
            },
            iter: 40,
            threads: 1);
    }
}
