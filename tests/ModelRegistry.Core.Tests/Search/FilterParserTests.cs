using CsCheck;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Core.Tests.Search;

public class FilterParserTests
{
    private static FilterNode Parse(string text, SearchTarget target = SearchTarget.Versions)
        => FilterParser.Parse(text, target)!;

    private static FilterSyntaxException Error(string text, SearchTarget target = SearchTarget.Versions)
    {
        var act = () => FilterParser.Parse(text, target);
        return act.Should().Throw<FilterSyntaxException>().Which;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\n ")]
    public void Empty_or_whitespace_filter_is_null_and_matches_everything(string? text)
        => FilterParser.Parse(text, SearchTarget.Models).Should().BeNull();

    [Fact]
    public void Issue_example_parses_into_the_expected_tree()
    {
        var tree = Parse("name LIKE 'fraud%' AND tags.team = 'risk' AND (stage = 'production' OR risk_tier IN ('High'))");

        var expected = new AndFilter([
            new LikeFilter(new FieldRef(SearchField.Name), "fraud%", false),
            new ComparisonFilter(new FieldRef(SearchField.Tag, "team"), ComparisonOperator.Equal, FilterValue.FromString("risk")),
            new OrFilter([
                new ComparisonFilter(new FieldRef(SearchField.Stage), ComparisonOperator.Equal, FilterValue.FromEnum((int)ModelStage.Production)),
                new InFilter(new FieldRef(SearchField.RiskTier), [FilterValue.FromEnum((int)RiskTier.High)]),
            ]),
        ]);
        FilterTrees.AreEqual(tree, expected).Should().BeTrue(FilterPrinter.Print(tree));
    }

    [Fact]
    public void Not_binds_tighter_than_and_which_binds_tighter_than_or()
    {
        var tree = Parse("NOT name = 'a' AND name = 'b' OR name = 'c'");

        FilterPrinter.Print(tree).Should().Be("NOT name = 'a' AND name = 'b' OR name = 'c'");
        tree.Should().BeOfType<OrFilter>().Which.Operands[0].Should().BeOfType<AndFilter>()
            .Which.Operands[0].Should().BeOfType<NotFilter>();
    }

    [Fact]
    public void Chains_of_and_and_or_are_flattened_even_through_parentheses()
    {
        Parse("name = 'a' AND name = 'b' AND name = 'c'").Should().BeOfType<AndFilter>().Which.Operands.Should().HaveCount(3);
        Parse("name = 'a' AND (name = 'b' AND name = 'c')").Should().BeOfType<AndFilter>().Which.Operands.Should().HaveCount(3);
        Parse("(name = 'a' OR name = 'b') OR name = 'c' OR name = 'd'").Should().BeOfType<OrFilter>().Which.Operands.Should().HaveCount(4);
    }

    [Fact]
    public void Keywords_and_field_names_are_case_insensitive_and_keys_are_kept_as_written()
    {
        var tree = Parse("Name = 'x' and TAGS.Team is not null Or not STAGE in ('STAGING')");

        FilterPrinter.Print(tree).Should().Be("name = 'x' AND tags.Team IS NOT NULL OR stage NOT IN ('Staging')");
    }

    [Theory]
    [InlineData("name NOT LIKE 'a%'", "name NOT LIKE 'a%'")]
    [InlineData("name NOT ILIKE 'a%'", "name NOT ILIKE 'a%'")]
    [InlineData("owner NOT IN ('a', 'b')", "owner NOT IN ('a', 'b')")]
    [InlineData("NOT name LIKE 'a%'", "name NOT LIKE 'a%'")]
    [InlineData("NOT (name = 'a')", "NOT name = 'a'")]
    [InlineData("NOT NOT name = 'a'", "NOT NOT name = 'a'")]
    [InlineData("name <> 'a'", "name != 'a'")]
    [InlineData("NOT (name = 'a' OR name = 'b')", "NOT (name = 'a' OR name = 'b')")]
    [InlineData("(name = 'a' OR name = 'b') AND name = 'c'", "(name = 'a' OR name = 'b') AND name = 'c'")]
    [InlineData("name = 'it''s'", "name = 'it''s'")]
    [InlineData("tags.`my key` = 'x'", "tags.`my key` = 'x'")]
    [InlineData("tags.`a``b` = 'x'", "tags.`a``b` = 'x'")]
    [InlineData("tags.`team` = 'x'", "tags.team = 'x'")]
    [InlineData("params.lr.max-1 = '0.1'", "params.lr.max-1 = '0.1'")]
    [InlineData("metrics.acc >= -1.5e-3", "metrics.acc >= -0.0015")]
    [InlineData("metrics.acc<-2", "metrics.acc < -2")]
    [InlineData("metrics.acc = 1E+20", "metrics.acc = 1E+20")]
    [InlineData("created_at >= '2024-05-01'", "created_at >= '2024-05-01T00:00:00Z'")]
    [InlineData("created_at < '2024-05-01T12:30:00+02:00'", "created_at < '2024-05-01T10:30:00Z'")]
    [InlineData("created_at < '2024-05-01T12:30:00.1234567'", "created_at < '2024-05-01T12:30:00.1234567Z'")]
    [InlineData("created_at < '2024-05-01 12:30'", "created_at < '2024-05-01T12:30:00Z'")]
    [InlineData("version >= '2.0.0-rc.1+build.7'", "version >= '2.0.0-rc.1+build.7'")]
    [InlineData("risk_tier = 'hIGH'", "risk_tier = 'High'")]
    [InlineData("status IS NULL", "status IS NULL")]
    [InlineData("description ILIKE '%\\%%'", "description ILIKE '%\\%%'")]
    public void Filters_print_in_canonical_form(string text, string canonical)
    {
        var printed = FilterPrinter.Print(Parse(text));

        printed.Should().Be(canonical);
        FilterPrinter.Print(Parse(printed)).Should().Be(canonical);
    }

    [Theory]
    [InlineData("name = ", 7, "", "Expected a value for 'name'")]
    [InlineData("name = 'a' AND", 14, "", "Expected a field name, NOT or '('")]
    [InlineData("name = 'a' name = 'b'", 11, "name", "Expected AND, OR or the end of the filter")]
    [InlineData("(name = 'a'", 11, "", "close the '(' at position 0")]
    [InlineData("name = 'a')", 10, ")", "Expected AND, OR or the end")]
    [InlineData("foo = 'x'", 0, "foo", "Unknown field 'foo'")]
    [InlineData("labels.team = 'x'", 0, "labels.team", "Unknown field 'labels.team'")]
    [InlineData("tags = 'x'", 0, "tags", "needs a key")]
    [InlineData("tags.`` = 'x'", 5, "``", "key at position 5 is empty")]
    [InlineData("tags.`abc = 'x'", 5, "`abc = 'x'", "not closed")]
    [InlineData("name = 'abc", 7, "'abc", "not closed")]
    [InlineData("name ! 'x'", 5, "!", "write != for 'not equal'")]
    [InlineData("name # 'x'", 5, "#", "Unexpected character '#'")]
    [InlineData("name 'x'", 5, "'x'", "Expected an operator after 'name'")]
    [InlineData("name LIKE 5", 10, "5", "Expected a pattern in single quotes after LIKE")]
    [InlineData("metrics.acc LIKE '1%'", 12, "LIKE", "works only on text fields")]
    [InlineData("name LIKE 'abc\\'", 10, "'abc\\'", "ends with the escape character")]
    [InlineData("metrics.acc = 'high'", 14, "'high'", "expected a number")]
    [InlineData("name = 42", 7, "42", "expected a string in single quotes")]
    [InlineData("risk_tier = 'Severe'", 12, "'Severe'", "'Minimal', 'Limited', 'High', 'Unacceptable'")]
    [InlineData("stage IN ('Production', 'Live')", 24, "'Live'", "'Development', 'Staging', 'Canary', 'Production'")]
    [InlineData("version > '1.0'", 10, "'1.0'", "semantic version")]
    [InlineData("created_at > '2024-13-01'", 13, "'2024-13-01'", "ISO-8601")]
    [InlineData("created_at > 'yesterday'", 13, "'yesterday'", "ISO-8601")]
    [InlineData("metrics.acc > 1e999", 14, "1e999", "too large")]
    [InlineData("name IN 'a'", 8, "'a'", "Expected '(' after IN")]
    [InlineData("name IN ()", 9, ")", "Expected a value for 'name'")]
    [InlineData("name IN ('a' 'b')", 13, "'b'", "Expected ',' or ')' in the IN list")]
    [InlineData("name IS 'a'", 8, "'a'", "Expected NULL or NOT NULL after IS")]
    [InlineData("name IS NOT 'a'", 12, "'a'", "Expected NULL after IS NOT")]
    [InlineData("name NOT = 'a'", 9, "=", "Expected LIKE, ILIKE or IN after 'name NOT'")]
    [InlineData("AND name = 'a'", 0, "AND", "Expected a field name, NOT or '('")]
    [InlineData("name = 'a' OR OR name = 'b'", 14, "OR", "Expected a field name")]
    public void Syntax_errors_name_the_position_the_token_and_what_was_expected(string text, int position, string token, string message)
    {
        var error = Error(text);

        error.Position.Should().Be(position);
        error.Token.Should().Be(token);
        error.Message.Should().Contain(message);
        error.Code.Should().Be(ErrorCode.InvalidFilter);
    }

    [Theory]
    [InlineData("version = '1.0.0'", "version")]
    [InlineData("stage = 'Production'", "stage")]
    [InlineData("name = 'a' AND metrics.acc > 0.9", "metrics.acc")]
    [InlineData("provider = 'OpenAI'", "provider")]
    [InlineData("params.lr = '1'", "params.lr")]
    public void Version_fields_in_a_model_search_are_refused_naming_the_field(string text, string field)
    {
        var error = Error(text, SearchTarget.Models);

        error.Token.Should().Be(field);
        error.Message.Should().Contain($"'{field}'").And.Contain("only to version searches").And.Contain("Model searches can use: name");
    }

    [Fact]
    public void Model_level_fields_are_accepted_in_a_version_search()
        => Parse("owner = 'alice' AND risk_tier = 'High' AND status = 'Active'").Should().BeOfType<AndFilter>();

    [Fact]
    public void Nesting_deeper_than_64_levels_is_a_syntax_error_not_a_stack_overflow()
    {
        var ok = new string('(', 64) + "name = 'a'" + new string(')', 64);
        FilterParser.Parse(ok, SearchTarget.Models).Should().NotBeNull();
        Error(new string('(', 65) + "name = 'a'" + new string(')', 65)).Message.Should().Contain("64 levels");

        var nots = string.Concat(Enumerable.Repeat("NOT ", 65)) + "name = 'a'";
        Error(nots).Message.Should().Contain("64 levels");

        var deep = Error(new string('(', 10_000));
        deep.Position.Should().Be(64);
        deep.Token.Should().Be("(");
    }

    [Fact]
    public void Text_longer_than_10000_characters_is_refused()
    {
        var filler = "name IN (" + string.Join(", ", Enumerable.Range(0, 900).Select(i => $"'n{i}'")) + ")";
        filler.Length.Should().BeLessThan(10_000);
        FilterParser.Parse(filler.PadRight(10_000), SearchTarget.Models).Should().NotBeNull();

        var error = Error(filler.PadRight(10_001));
        error.Position.Should().Be(10_000);
        error.Message.Should().Contain("10,000");
    }

    [Fact]
    public void In_lists_hold_at_most_1000_values()
    {
        string List(int n) => "metrics.a IN (" + string.Join(",", Enumerable.Range(0, n)) + ")";

        Parse(List(1000)).Should().BeOfType<InFilter>().Which.Values.Should().HaveCount(1000);
        var error = Error(List(1001));
        error.Message.Should().Contain("more than 1,000 values");
        error.Token.Should().Be("1000");
    }

    [Fact]
    public void Printed_random_trees_parse_back_to_the_same_tree()
    {
        foreach (var target in new[] { SearchTarget.Models, SearchTarget.Versions })
        {
            FilterGenerators.Tree(target).Sample(
                tree =>
                {
                    var text = FilterPrinter.Print(tree);
                    var parsed = FilterParser.Parse(text, target);
                    FilterTrees.AreEqual(parsed, FilterTrees.Normalize(tree)).Should().BeTrue($"'{text}' parsed back as '{FilterPrinter.Print(parsed!)}'");
                    FilterPrinter.Print(parsed!).Should().Be(text);
                },
                iter: 2_000,
                threads: 1,
                print: FilterPrinter.Print);
        }
    }

    private static readonly string GarbageChars = " \t\n()',`=!<>-+.0123456789eEaAnNdDoOrRtTlLiIkKsSuUmg_%\\\"#é😀\uD800";

    [Fact]
    public void Random_garbage_only_ever_throws_a_filter_syntax_error_at_a_real_position()
    {
        var gen = Gen.Frequency(
            (3, Gen.Char[GarbageChars].Array[0, 60].Select(a => new string(a))),
            (1, Gen.String));
        gen.Sample(text => ParseOnlyFailsWithSyntaxErrors(text), iter: 5_000, threads: 1);
    }

    private static readonly string[] ValidTokens =
    [
        "name", "description", "owner", "risk_tier", "status", "created_at", "updated_at", "tags.team", "tags.`a b`",
        "version", "stage", "provider", "run_id", "commit", "metrics.acc", "params.lr", "tags", "AND", "OR", "NOT", "and",
        "LIKE", "ILIKE", "IN", "IS", "NULL", "(", ")", "(", ")", ",", "=", "!=", "<>", "<", "<=", ">", ">=", "'x'", "'a%'",
        "'1.0.0'", "'2.0.0-rc.1'", "'2024-01-01'", "'High'", "'production'", "'Active'", "1", "-2.5e3", "0.5", "''", "'\\'",
    ];

    [Fact]
    public void Random_soups_of_valid_tokens_parse_or_fail_with_a_syntax_error_and_accepted_ones_round_trip()
    {
        var gen = Gen.Select(Gen.OneOf(ValidTokens).Array[0, 20], Gen.Bool, (tokens, spaced) => string.Join(spaced ? " " : string.Empty, tokens));
        gen.Sample(text => ParseOnlyFailsWithSyntaxErrors(text), iter: 10_000, threads: 1);
    }

    private static void ParseOnlyFailsWithSyntaxErrors(string text)
    {
        foreach (var target in new[] { SearchTarget.Models, SearchTarget.Versions })
        {
            FilterNode? tree;
            try
            {
                tree = FilterParser.Parse(text, target);
            }
            catch (FilterSyntaxException e)
            {
                e.Position.Should().BeInRange(0, text.Length);
                text[e.Position..].StartsWith(e.Token, StringComparison.Ordinal).Should().BeTrue($"token '{e.Token}' should be at {e.Position} of '{text}'");
                e.Code.Should().Be(ErrorCode.InvalidFilter);
                continue;
            }

            if (tree is not null)
            {
                var printed = FilterPrinter.Print(tree);
                FilterTrees.AreEqual(FilterParser.Parse(printed, target), tree).Should().BeTrue($"'{text}' printed as '{printed}'");
            }
        }
    }

    [Fact]
    public void Printer_refuses_trees_that_cannot_be_written_as_filter_text()
    {
        var name = new FieldRef(SearchField.Name);
        var metric = new FieldRef(SearchField.Metric, "acc");

        ((Action)(() => FilterPrinter.Print(new AndFilter([])))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new ComparisonFilter(metric, ComparisonOperator.Equal, FilterValue.FromString("x"))))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new ComparisonFilter(metric, ComparisonOperator.Equal, FilterValue.FromNumber(double.NaN))))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new ComparisonFilter(new FieldRef(SearchField.Tag), ComparisonOperator.Equal, FilterValue.FromString("x"))))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new ComparisonFilter(new FieldRef(SearchField.Stage), ComparisonOperator.Equal, FilterValue.FromEnum(42))))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new LikeFilter(metric, "x", false)))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new LikeFilter(name, "x\\", false)))).Should().Throw<ArgumentException>();
        ((Action)(() => FilterPrinter.Print(new InFilter(name, [])))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Single_operand_junctions_print_as_their_operand()
    {
        var leaf = new ComparisonFilter(new FieldRef(SearchField.Name), ComparisonOperator.Equal, FilterValue.FromString("a"));

        FilterPrinter.Print(new AndFilter([new OrFilter([leaf])])).Should().Be("name = 'a'");
    }
}
