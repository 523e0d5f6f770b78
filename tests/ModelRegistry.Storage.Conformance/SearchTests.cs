using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// Search on the adapter gives exactly the results of the in-memory reference for the same data: the same items,
/// in the same order, page after page. Hostile text goes through every field and changes nothing.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class SearchTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private static readonly string[] Hostile =
    [
        "'; DROP TABLE models; --", "%", "_", "\\", "''", "\"", "a%b_c", "%%", "\\%", "Robert'); DELETE FROM versions;--",
        "$.Name", "@p0", "ünïcødé", "🚀", "\u0001", new string('x', 5000),
    ];

    private readonly ModelRegistryServices _reference;
    private readonly FakeTimeProvider _referenceTime;

    protected SearchTests()
    {
        _referenceTime = new FakeTimeProvider(Time.GetUtcNow());
        _reference = ModelRegistryServices.Create(b => ConfigureRegistry(b.UseActor("alice")), timeProvider: _referenceTime);
    }

    /// <summary>Fixed filters covering every field and operator.</summary>
    public static TheoryData<string> ModelFilters() =>
    [
        "name = 'model-03'", "name LIKE 'model-1%'", "name ILIKE 'MODEL-_2'", "name NOT LIKE '%5'", "name IN ('model-01', 'model-07', 'absent')",
        "description IS NULL", "description IS NOT NULL AND description LIKE '%fraud%'", "description ILIKE '%FRAUD%'",
        "owner = 'team-b'", "owner != 'team-b'", "NOT (owner = 'team-b')", "owner LIKE 'team-%'",
        "risk_tier = 'High'", "risk_tier >= 'limited'", "risk_tier IN ('Minimal', 'Unacceptable')", "status = 'deprecated'",
        "tags.team = 'risk'", "tags.team != 'risk'", "NOT (tags.team = 'risk')", "tags.team IS NULL", "tags.`odd key` = 'x y'",
        "tags.team < 'p' OR tags.region > 'eu'", "created_at >= '2026-03-01T10:00:00Z'", "updated_at < '2026-03-02'",
        "(risk_tier = 'High' OR tags.team = 'risk') AND NOT status = 'deprecated'",
    ];

    /// <summary>Fixed version filters.</summary>
    public static TheoryData<string> VersionFilters() =>
    [
        "stage = 'production'", "stage != 'development'", "stage IN ('staging', 'canary')", "stage > 'staging'",
        "version = '1.0.0'", "version >= '1.1.0-rc.1'", "version < '1.1.0'", "version IS NOT NULL",
        "metrics.auc > 0.9", "metrics.auc <= 0.85 OR metrics.latency_ms >= 120", "metrics.auc IS NULL", "NOT metrics.auc > 0.9",
        "params.optimizer = 'adam'", "params.lr IN ('0.01', '0.1')", "run_id LIKE 'run-1%'", "commit = 'c-05-1'",
        "provider = 'OpenAI'", "provider ILIKE 'bed%'", "provider IS NULL",
        "name LIKE 'model-0%' AND stage = 'production'", "tags.team = 'platform' AND stage = 'staging'",
        "owner = 'team-a' AND risk_tier = 'High'", "status = 'active' AND metrics.auc > 0.8", "description IS NULL",
        "created_at > '2026-03-01T09:30:00Z' AND created_at < '2026-03-01T12:00:00Z'",
    ];

    /// <summary>Orderings to check with paging.</summary>
    public static TheoryData<string?> Orderings() =>
    [
        null, "name DESC", "created_at DESC", "risk_tier, name DESC", "tags.team", "tags.team DESC, updated_at",
    ];

    /// <summary>Version orderings to check with paging.</summary>
    public static TheoryData<string?> VersionOrderings() =>
    [
        null, "version", "version DESC", "stage DESC, name", "metrics.auc DESC", "metrics.auc", "params.lr, created_at DESC", "run_id",
    ];

    private static async Task SeedAsync(IModelRegistry registry, FakeTimeProvider time)
    {
        var rng = new Random(20260301);
        string[] teams = ["risk", "growth", "platform", "ops"];
        for (var m = 0; m < 24; m++)
        {
            time.Advance(TimeSpan.FromMinutes(7));
            var name = $"model-{m:00}";
            var tags = new Dictionary<string, string>();
            if (m % 5 != 0)
            {
                tags["team"] = teams[m % teams.Length];
            }

            if (m % 3 == 0)
            {
                tags["region"] = m % 2 == 0 ? "eu" : "us";
            }

            if (m == 7)
            {
                tags["odd key"] = "x y";
            }

            if (m == 9)
            {
                tags["team"] = "'; DROP TABLE models; --";
            }

            await registry.RegisterModelAsync(new RegisterModelRequest
            {
                Name = name,
                Description = m % 4 == 0 ? null : m % 4 == 1 ? "Detects fraud in payments" : $"Model number {m} ünïcødé",
                Owners = m % 3 == 0 ? ["team-a", "team-b"] : [m % 2 == 0 ? "team-a" : "team-c"],
                RiskTier = (RiskTier)(m % 4),
                Tags = tags,
            });

            var versions = 1 + (m % 4);
            for (var v = 0; v < versions; v++)
            {
                time.Advance(TimeSpan.FromMinutes(1));
                var metrics = new Dictionary<string, double>();
                if ((m + v) % 5 != 0)
                {
                    metrics["auc"] = Math.Round(0.7 + (rng.NextDouble() * 0.29), 4);
                }

                if (v % 2 == 1)
                {
                    metrics["latency_ms"] = rng.Next(20, 200);
                }

                var parameters = new Dictionary<string, string>();
                if (v % 3 != 2)
                {
                    parameters["optimizer"] = v % 2 == 0 ? "adam" : "sgd";
                    parameters["lr"] = v % 2 == 0 ? "0.01" : "0.1";
                }

                var versionText = v == 2 ? "1.1.0-rc.1" : $"1.{v}.0";
                await registry.CreateVersionAsync(name, new CreateVersionRequest
                {
                    Version = versionText,
                    SourceCommit = $"c-{m:00}-{v}",
                    RunId = (m + v) % 6 == 0 ? null : $"run-{m}{v}",
                    Description = v == 0 ? null : $"version {v}",
                    Metrics = metrics,
                    Parameters = parameters,
                    Tags = v == 1 ? new Dictionary<string, string> { ["team"] = teams[(m + v) % teams.Length] } : null,
                    ProviderBindings = ((m + v) % 3) switch
                    {
                        0 => (IReadOnlyList<ProviderBindingRequest>)[new ProviderBindingRequest { Provider = ModelProviders.OpenAI, ProviderModelId = "gpt" }],
                        1 => [new ProviderBindingRequest { Provider = ModelProviders.Bedrock, ProviderModelId = "claude" }, new ProviderBindingRequest { Provider = ModelProviders.Vertex, ProviderModelId = "gemini" }],
                        _ => null,
                    },
                });
            }

            if (m % 4 != 3 && versions > 1)
            {
                await registry.TransitionStageAsync(name, "1.0.0", ModelStage.Staging);
                await registry.TransitionStageAsync(name, "1.0.0", ModelStage.Production);
                await registry.TransitionStageAsync(name, "1.1.0", ModelStage.Staging);
                if (m % 2 == 0)
                {
                    await registry.TransitionStageAsync(name, "1.1.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 20 });
                }
            }

            if (m % 7 == 6)
            {
                await registry.DeprecateModelAsync(name, "old");
            }
        }
    }

    private async Task SeedBothAsync()
    {
        await SeedAsync(Registry, Time);
        await SeedAsync(_reference.Registry, _referenceTime);
    }

    private static async Task<List<string>> AllModelsAsync(IModelRegistry registry, string? filter, string? orderBy, int pageSize)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await registry.SearchModelsAsync(new SearchRequest { Filter = filter, OrderBy = orderBy, PageSize = pageSize, ContinuationToken = token });
            page.Items.Count.Should().BeLessThanOrEqualTo(pageSize);
            names.AddRange(page.Items.Select(m => m.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return names;
    }

    private static async Task<List<string>> AllVersionsAsync(IModelRegistry registry, string? filter, string? orderBy, int pageSize)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await registry.SearchVersionsAsync(new SearchRequest { Filter = filter, OrderBy = orderBy, PageSize = pageSize, ContinuationToken = token });
            ids.AddRange(page.Items.Select(v => v.Uri));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return ids;
    }

    [Theory]
    [MemberData(nameof(ModelFilters))]
    public virtual async Task Model_filters_match_the_reference(string filter)
    {
        await SeedBothAsync();
        var expected = await AllModelsAsync(_reference.Registry, filter, null, 1000);
        (await AllModelsAsync(Registry, filter, null, 5)).Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(VersionFilters))]
    public virtual async Task Version_filters_match_the_reference(string filter)
    {
        await SeedBothAsync();
        var expected = await AllVersionsAsync(_reference.Registry, filter, null, 1000);
        expected.Should().NotBeEmpty("each example filter is chosen to match something: {0}", filter);
        (await AllVersionsAsync(Registry, filter, null, 6)).Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(Orderings))]
    public virtual async Task Model_orderings_page_identically_to_the_reference(string? orderBy)
    {
        await SeedBothAsync();
        var expected = await AllModelsAsync(_reference.Registry, null, orderBy, 1000);
        expected.Should().HaveCount(24);
        (await AllModelsAsync(Registry, null, orderBy, 5)).Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(VersionOrderings))]
    public virtual async Task Version_orderings_page_identically_to_the_reference(string? orderBy)
    {
        await SeedBothAsync();
        var expected = await AllVersionsAsync(_reference.Registry, null, orderBy, 1000);
        (await AllVersionsAsync(Registry, null, orderBy, 7)).Should().Equal(expected);
    }

    [Fact]
    public virtual async Task Random_filters_match_the_reference()
    {
        await SeedBothAsync();
        var rng = new Random(7);
        string[] atoms =
        [
            "name LIKE 'model-{0}%'", "stage = 'production'", "stage != 'canary'", "metrics.auc > 0.{0}", "metrics.latency_ms < 1{0}0",
            "tags.team = 'risk'", "tags.team IS NULL", "risk_tier >= 'Limited'", "owner = 'team-a'", "params.lr = '0.1'",
            "provider = 'Vertex'", "version >= '1.1.0-rc.1'", "description IS NULL", "run_id LIKE '%{0}'", "status = 'Active'",
        ];
        for (var i = 0; i < 60; i++)
        {
            string Atom() => string.Format(System.Globalization.CultureInfo.InvariantCulture, atoms[rng.Next(atoms.Length)], rng.Next(10));
            var filter = rng.Next(4) switch
            {
                0 => Atom(),
                1 => $"{Atom()} AND {Atom()}",
                2 => $"({Atom()} OR {Atom()}) AND NOT {Atom()}",
                _ => $"NOT ({Atom()} AND {Atom()}) OR {Atom()}",
            };
            var expected = await AllVersionsAsync(_reference.Registry, filter, "metrics.auc DESC", 1000);
            (await AllVersionsAsync(Registry, filter, "metrics.auc DESC", 9)).Should().Equal(expected, filter);
        }
    }

    [Fact]
    public virtual async Task Hostile_text_in_every_field_returns_the_reference_result_and_changes_nothing()
    {
        await SeedBothAsync();
        var before = await SnapshotAsync();
        string[] modelFields = ["name", "description", "owner", "tags.team", "tags.`'; DROP TABLE x; --`"];
        string[] versionFields = ["run_id", "commit", "params.lr", "provider", "tags.team"];
        foreach (var text in Hostile)
        {
            var literal = "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
            foreach (var field in modelFields)
            {
                foreach (var op in new[] { "=", "!=", "<", "LIKE", "ILIKE" })
                {
                    var filter = $"{field} {op} {literal}";
                    (await OutcomeAsync(() => AllModelsAsync(Registry, filter, null, 50))).Should().Equal(await OutcomeAsync(() => AllModelsAsync(_reference.Registry, filter, null, 1000)), filter);
                }

                var inFilter = $"{field} IN ({literal}, 'model-01')";
                (await AllModelsAsync(Registry, inFilter, null, 50)).Should().Equal(await AllModelsAsync(_reference.Registry, inFilter, null, 1000), inFilter);
            }

            foreach (var field in versionFields)
            {
                var filter = $"{field} LIKE {literal} OR {field} = {literal}";
                (await OutcomeAsync(() => AllVersionsAsync(Registry, filter, null, 50))).Should().Equal(await OutcomeAsync(() => AllVersionsAsync(_reference.Registry, filter, null, 1000)), filter);
            }
        }

        (await AllModelsAsync(Registry, "tags.team = '''; DROP TABLE models; --'", null, 10)).Should().Equal("model-09");
        await ShouldBeUnchangedAsync(before);
    }

    /// <summary>The result, or the error code as the only item, so refusals are compared too.</summary>
    private static async Task<List<string>> OutcomeAsync(Func<Task<List<string>>> search)
    {
        try
        {
            return await search();
        }
        catch (ModelRegistryException ex)
        {
            return [$"error:{ex.Code}"];
        }
    }

    [Fact]
    public virtual async Task Paging_is_stable_when_items_are_inserted_between_pages()
    {
        await SeedBothAsync();
        var first = await Registry.SearchModelsAsync(new SearchRequest { OrderBy = "name", PageSize = 10 });
        await RegisterAsync("model-00a");
        await RegisterAsync("aaa-before-everything");
        var rest = await AllModelsAsync(Registry, null, "name", 10);
        var second = await Registry.SearchModelsAsync(new SearchRequest { OrderBy = "name", PageSize = 100, ContinuationToken = first.ContinuationToken });
        var combined = first.Items.Select(m => m.Name).Concat(second.Items.Select(m => m.Name)).ToList();
        combined.Should().OnlyHaveUniqueItems();
        combined.Should().Contain(Enumerable.Range(0, 24).Select(i => $"model-{i:00}"));
        combined.Should().NotContain("aaa-before-everything", "it sorts before the first page's last item");
        rest.Should().HaveCount(26);
    }

    [Fact]
    public virtual async Task Bad_searches_are_typed_errors()
    {
        await SeedBothAsync();
        await ShouldFailAsync(() => Registry.SearchModelsAsync(new SearchRequest { Filter = "name = " }), ErrorCode.InvalidFilter);
        await ShouldFailAsync(() => Registry.SearchModelsAsync(new SearchRequest { Filter = "stage = 'production'" }), ErrorCode.InvalidFilter);
        await ShouldFailAsync(() => Registry.SearchVersionsAsync(new SearchRequest { Filter = "metrics.auc > 'high'" }), ErrorCode.InvalidFilter);
        await ShouldFailAsync(() => Registry.SearchVersionsAsync(new SearchRequest { Filter = "stage = 'prod'" }), ErrorCode.InvalidFilter);
        await ShouldFailAsync(() => Registry.SearchModelsAsync(new SearchRequest { PageSize = 1001 }), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.SearchModelsAsync(new SearchRequest { ContinuationToken = "not-a-token" }), ErrorCode.InvalidArgument);
        var page = await Registry.SearchModelsAsync(new SearchRequest { PageSize = 2 });
        await ShouldFailAsync(() => Registry.SearchModelsAsync(new SearchRequest { PageSize = 2, Filter = "name LIKE 'm%'", ContinuationToken = page.ContinuationToken }), ErrorCode.InvalidArgument);
    }

    public override async Task DisposeAsync()
    {
        await _reference.DisposeAsync();
        await base.DisposeAsync();
    }
}
