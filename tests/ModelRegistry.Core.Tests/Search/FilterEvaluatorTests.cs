using ModelRegistry.Registry;
using ModelRegistry.Search;
using static ModelRegistry.Core.Tests.Search.SearchTestData;

namespace ModelRegistry.Core.Tests.Search;

public class FilterEvaluatorTests
{
    private static readonly RegisteredModel Fraud = Model(
        "fraud-detector",
        description: "Detects fraud",
        owners: ["alice", "bob"],
        riskTier: RiskTier.High,
        tags: new Dictionary<string, string> { ["team"] = "risk", ["cost center"] = "42" },
        createdAt: new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero),
        updatedAt: new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private static readonly RegisteredModel Bare = Model("bare", owners: []);

    private static bool M(string filter, RegisteredModel? model = null) => MatchesModel(filter, model ?? Fraud);

    [Fact]
    public void Null_filter_matches_everything()
    {
        FilterEvaluator.Matches(null, Fraud).Should().BeTrue();
        FilterEvaluator.Matches(null, Version("fraud-detector", "1.0.0"), Fraud).Should().BeTrue();
    }

    [Theory]
    [InlineData("name = 'fraud-detector'", true)]
    [InlineData("name = 'Fraud-Detector'", false)]
    [InlineData("name != 'fraud-detector'", false)]
    [InlineData("name != 'x'", true)]
    [InlineData("name < 'g'", true)]
    [InlineData("name <= 'fraud-detector'", true)]
    [InlineData("name > 'fraud-detector'", false)]
    [InlineData("name >= 'fraud-detector'", true)]
    [InlineData("name > 'F'", true)]
    [InlineData("name IN ('a', 'fraud-detector')", true)]
    [InlineData("name IN ('a', 'b')", false)]
    [InlineData("name NOT IN ('a', 'b')", true)]
    [InlineData("name LIKE 'fraud%'", true)]
    [InlineData("name LIKE 'FRAUD%'", false)]
    [InlineData("name ILIKE 'FRAUD%'", true)]
    [InlineData("name NOT LIKE 'fraud%'", false)]
    [InlineData("name IS NULL", false)]
    [InlineData("name IS NOT NULL", true)]
    [InlineData("description LIKE '%fraud'", true)]
    [InlineData("created_at = '2024-03-01T12:00:00Z'", true)]
    [InlineData("created_at = '2024-03-01T14:00:00+02:00'", true)]
    [InlineData("created_at > '2024-03-01'", true)]
    [InlineData("created_at < '2024-03-01'", false)]
    [InlineData("updated_at >= '2024-06-01'", true)]
    [InlineData("updated_at > '2024-06-01'", false)]
    [InlineData("risk_tier = 'High'", true)]
    [InlineData("risk_tier > 'Limited'", true)]
    [InlineData("risk_tier < 'Unacceptable'", true)]
    [InlineData("risk_tier IN ('Minimal', 'Limited')", false)]
    [InlineData("status = 'active'", true)]
    [InlineData("status != 'Deprecated'", true)]
    [InlineData("tags.team = 'risk'", true)]
    [InlineData("tags.`cost center` = '42'", true)]
    [InlineData("tags.Team = 'risk'", false)]
    public void Every_operator_compares_model_fields(string filter, bool expected)
        => M(filter).Should().Be(expected);

    [Theory]
    [InlineData("tags.missing = 'x'", false)]
    [InlineData("tags.missing != 'x'", false)]
    [InlineData("tags.missing < 'x'", false)]
    [InlineData("tags.missing > 'x'", false)]
    [InlineData("tags.missing LIKE '%'", false)]
    [InlineData("tags.missing ILIKE '%'", false)]
    [InlineData("tags.missing IN ('x', '')", false)]
    [InlineData("tags.missing IS NULL", true)]
    [InlineData("tags.missing IS NOT NULL", false)]
    [InlineData("NOT tags.missing = 'x'", true)]
    [InlineData("NOT tags.missing != 'x'", true)]
    [InlineData("tags.missing NOT LIKE 'x%'", true)]
    [InlineData("tags.missing NOT IN ('x')", true)]
    [InlineData("description = 'x'", false)]
    [InlineData("description IS NULL", true)]
    public void A_missing_value_fails_every_comparison_and_only_IS_NULL_tests_presence(string filter, bool expected)
        => M(filter, Bare).Should().Be(expected);

    [Fact]
    public void Not_equal_and_not_of_equal_differ_exactly_on_missing_values()
    {
        var withOther = Model("a", tags: new Dictionary<string, string> { ["team"] = "ops" });
        var withX = Model("b", tags: new Dictionary<string, string> { ["team"] = "x" });
        var without = Model("c");

        foreach (var (model, notEqual, notOfEqual) in new[] { (withOther, true, true), (withX, false, false), (without, false, true) })
        {
            M("tags.team != 'x'", model).Should().Be(notEqual, model.Name);
            M("NOT (tags.team = 'x')", model).Should().Be(notOfEqual, model.Name);
        }
    }

    [Theory]
    [InlineData("owner = 'bob'", true)]
    [InlineData("owner = 'carol'", false)]
    [InlineData("owner != 'alice'", true)]
    [InlineData("NOT owner = 'alice'", false)]
    [InlineData("owner IN ('carol', 'alice')", true)]
    [InlineData("owner NOT IN ('carol', 'alice')", false)]
    [InlineData("owner LIKE 'b%'", true)]
    [InlineData("owner > 'b'", true)]
    [InlineData("owner > 'bob'", false)]
    [InlineData("owner IS NULL", false)]
    [InlineData("owner IS NOT NULL", true)]
    public void Collection_fields_match_when_any_element_matches(string filter, bool expected)
        => M(filter).Should().Be(expected);

    [Theory]
    [InlineData("owner = 'alice'", false)]
    [InlineData("owner != 'alice'", false)]
    [InlineData("owner IS NULL", true)]
    [InlineData("NOT owner = 'alice'", true)]
    public void An_empty_collection_is_missing(string filter, bool expected)
        => M(filter, Bare).Should().Be(expected);

    private static readonly ModelVersion V2 = Version(
        "fraud-detector",
        "2.1.0-rc.1+build.9",
        description: "candidate",
        stage: ModelStage.Staging,
        tags: new Dictionary<string, string> { ["dataset"] = "q1" },
        metrics: new Dictionary<string, double> { ["accuracy"] = 0.93, ["loss"] = -0.5 },
        parameters: new Dictionary<string, string> { ["lr"] = "0.001" },
        providers: ["OpenAI", "SelfHosted"],
        runId: "run-7",
        commit: "abc123",
        createdAt: new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.Zero));

    private static bool V(string filter, ModelVersion? version = null) => MatchesVersion(filter, version ?? V2, Fraud);

    [Theory]
    [InlineData("name = 'fraud-detector'", true)]
    [InlineData("description = 'candidate'", true)]
    [InlineData("description = 'Detects fraud'", false)]
    [InlineData("tags.dataset = 'q1'", true)]
    [InlineData("tags.team = 'risk'", false)]
    [InlineData("created_at = '2024-07-01'", true)]
    [InlineData("owner = 'alice'", true)]
    [InlineData("risk_tier = 'High'", true)]
    [InlineData("status = 'Active'", true)]
    [InlineData("stage = 'staging'", true)]
    [InlineData("stage < 'Production'", true)]
    [InlineData("stage IN ('Canary', 'Production')", false)]
    [InlineData("run_id = 'run-7'", true)]
    [InlineData("commit LIKE 'abc%'", true)]
    [InlineData("params.lr = '0.001'", true)]
    [InlineData("params.lr = '1e-3'", false)]
    [InlineData("metrics.accuracy > 0.9", true)]
    [InlineData("metrics.accuracy >= 0.93", true)]
    [InlineData("metrics.accuracy = 9.3e-1", true)]
    [InlineData("metrics.accuracy < 0.93", false)]
    [InlineData("metrics.loss < 0", true)]
    [InlineData("metrics.loss = -0.5", true)]
    [InlineData("metrics.f1 > -1000", false)]
    [InlineData("metrics.f1 IS NULL", true)]
    [InlineData("metrics.accuracy IN (0.5, 0.93)", true)]
    public void Version_fields_read_the_version_and_model_fields_read_the_owning_model(string filter, bool expected)
        => V(filter).Should().Be(expected);

    [Theory]
    [InlineData("version = '2.1.0-rc.1'", true)]
    [InlineData("version = '2.1.0-rc.1+other'", true)]
    [InlineData("version < '2.1.0'", true)]
    [InlineData("version > '2.1.0-rc.0'", true)]
    [InlineData("version > '2.1.0-beta.9'", true)]
    [InlineData("version < '2.1.0-rc.1.1'", true)]
    [InlineData("version > '2.0.99'", true)]
    [InlineData("version >= '2.1.0'", false)]
    [InlineData("version IN ('1.0.0', '2.1.0-RC.1')", false)]
    public void Versions_compare_by_semver_precedence(string filter, bool expected)
        => V(filter).Should().Be(expected);

    [Fact]
    public void Numeric_pre_release_identifiers_compare_numerically()
    {
        var rc10 = Version("m", "1.0.0-rc.10");
        var rc9 = Version("m", "1.0.0-rc.9");
        var model = Model("m");

        MatchesVersion("version > '1.0.0-rc.9'", rc10, model).Should().BeTrue();
        MatchesVersion("version > '1.0.0-rc.10'", rc9, model).Should().BeFalse();
        MatchesVersion("version < '1.0.0-rc.a'", rc10, model).Should().BeTrue();
    }

    [Theory]
    [InlineData("provider = 'OpenAI'", true)]
    [InlineData("provider = 'openai'", false)]
    [InlineData("provider ILIKE 'openai'", true)]
    [InlineData("provider != 'OpenAI'", true)]
    [InlineData("provider IN ('Bedrock', 'SelfHosted')", true)]
    [InlineData("provider IS NULL", false)]
    public void Provider_matches_any_binding_and_compares_ordinally(string filter, bool expected)
        => V(filter).Should().Be(expected);

    [Theory]
    [InlineData("provider = 'OpenAI'", false)]
    [InlineData("provider != 'OpenAI'", false)]
    [InlineData("provider IS NULL", true)]
    [InlineData("NOT provider = 'OpenAI'", true)]
    public void A_version_without_bindings_has_no_provider(string filter, bool expected)
        => V(filter, Version("fraud-detector", "1.0.0")).Should().Be(expected);

    [Fact]
    public void Strings_compare_by_code_point_not_by_utf16_unit()
    {
        // U+1F600 is above U+FFFD as a code point, but its UTF-16 high surrogate (D83D) is below FFFD.
        var model = Model("m", tags: new Dictionary<string, string> { ["t"] = "😀" });

        M("tags.t > '\uFFFD'", model).Should().BeTrue();
        M("tags.t < '\uFFFD'", model).Should().BeFalse();
        string.CompareOrdinal("😀", "\uFFFD").Should().BeNegative("the UTF-16 order differs, which is the point of this test");
    }

    [Fact]
    public void Logic_combines_with_and_or_not()
    {
        M("name = 'x' OR tags.team = 'risk'").Should().BeTrue();
        M("name = 'x' AND tags.team = 'risk'").Should().BeFalse();
        M("NOT (name = 'x' OR tags.team = 'nope')").Should().BeTrue();
        M("(risk_tier = 'High' OR risk_tier = 'Unacceptable') AND NOT status = 'Deprecated' AND owner = 'bob'").Should().BeTrue();
    }

    [Fact]
    public void Hand_built_literals_of_the_wrong_type_never_match()
    {
        var tree = new ComparisonFilter(new FieldRef(SearchField.Name), ComparisonOperator.NotEqual, FilterValue.FromNumber(1));

        FilterEvaluator.Matches(tree, Fraud).Should().BeFalse();
        FilterEvaluator.Matches(new NotFilter(tree), Fraud).Should().BeTrue();
    }
}
