using ModelRegistry.Registry;
using ModelRegistry.Search;
using static ModelRegistry.Core.Tests.Search.SearchTestData;

namespace ModelRegistry.Core.Tests.Search;

public class OrderByParserTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_ordering_is_an_empty_list(string? text)
        => OrderByParser.Parse(text, SearchTarget.Models).Should().BeEmpty();

    [Fact]
    public void Fields_with_directions_parse_in_order_ascending_by_default()
    {
        var keys = OrderByParser.Parse("created_at DESC, Name, tags.`cost center` asc, metrics.acc desc", SearchTarget.Versions);

        keys.Should().Equal(
            new SortKey(new FieldRef(SearchField.CreatedAt), true),
            new SortKey(new FieldRef(SearchField.Name), false),
            new SortKey(new FieldRef(SearchField.Tag, "cost center"), false),
            new SortKey(new FieldRef(SearchField.Metric, "acc"), true));
    }

    [Theory]
    [InlineData("owner", SearchTarget.Models, 0, "owner", "several values")]
    [InlineData("name, provider", SearchTarget.Versions, 6, "provider", "several values")]
    [InlineData("risk_tier", SearchTarget.Versions, 0, "risk_tier", "Versions cannot be ordered by the model's")]
    [InlineData("status DESC", SearchTarget.Versions, 0, "status", "Versions cannot be ordered by the model's")]
    [InlineData("version", SearchTarget.Models, 0, "version", "only to version searches")]
    [InlineData("name, NAME DESC", SearchTarget.Models, 6, "NAME", "appears twice")]
    [InlineData("tags.a, tags.a", SearchTarget.Models, 8, "tags.a", "appears twice")]
    [InlineData("name,", SearchTarget.Models, 5, "", "Expected a field name")]
    [InlineData("name DESC created_at", SearchTarget.Models, 10, "created_at", "Expected ',' or the end")]
    [InlineData("name sideways", SearchTarget.Models, 5, "sideways", "Expected ASC, DESC, ',' or the end")]
    [InlineData("DESC", SearchTarget.Models, 0, "DESC", "Expected a field name")]
    [InlineData("foo", SearchTarget.Models, 0, "foo", "Unknown field 'foo'")]
    [InlineData("name = 'a'", SearchTarget.Models, 5, "=", "Expected ASC, DESC")]
    public void Invalid_orderings_are_syntax_errors_naming_the_field(string text, SearchTarget target, int position, string token, string message)
    {
        var act = () => OrderByParser.Parse(text, target);

        var error = act.Should().Throw<FilterSyntaxException>().Which;
        error.Position.Should().Be(position);
        error.Token.Should().Be(token);
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void Tags_a_and_tags_b_are_different_fields()
        => OrderByParser.Parse("tags.a, tags.b", SearchTarget.Models).Should().HaveCount(2);
}

public class SearchOrderingTests
{
    [Fact]
    public void Missing_values_sort_first_ascending_and_last_descending()
    {
        var withA = Model("m1", description: "a");
        var none = Model("m2");
        var withB = Model("m3", description: "b");
        var models = new[] { withB, none, withA };
        var description = new FieldRef(SearchField.Description);

        models.Order(SearchOrdering.ForModels([new SortKey(description, false)])).Select(m => m.Name).Should().Equal("m2", "m1", "m3");
        models.Order(SearchOrdering.ForModels([new SortKey(description, true)])).Select(m => m.Name).Should().Equal("m3", "m1", "m2");
    }

    [Fact]
    public void Later_keys_break_ties_of_earlier_ones()
    {
        var models = new[]
        {
            Model("b", riskTier: RiskTier.High),
            Model("a", riskTier: RiskTier.Minimal),
            Model("c", riskTier: RiskTier.High),
        };
        var order = OrderByParser.Parse("risk_tier DESC, name DESC", SearchTarget.Models);

        models.Order(SearchOrdering.ForModels(order)).Select(m => m.Name).Should().Equal("c", "b", "a");
    }

    [Fact]
    public void Versions_order_by_precedence_and_metrics_numerically()
    {
        var versions = new[]
        {
            Version("m", "1.0.0", metrics: new Dictionary<string, double> { ["acc"] = 10 }),
            Version("m", "1.0.0-rc.2", metrics: new Dictionary<string, double> { ["acc"] = 9 }),
            Version("m", "1.0.0-rc.10"),
            Version("m", "0.9.0", metrics: new Dictionary<string, double> { ["acc"] = -1 }),
        };

        versions.Order(SearchOrdering.ForVersions(OrderByParser.Parse("version", SearchTarget.Versions)))
            .Select(v => v.Version.ToString()).Should().Equal("0.9.0", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0");
        versions.Order(SearchOrdering.ForVersions(OrderByParser.Parse("metrics.acc DESC", SearchTarget.Versions)))
            .Select(v => v.Version.ToString()).Should().Equal("1.0.0", "1.0.0-rc.2", "0.9.0", "1.0.0-rc.10");
    }

    [Fact]
    public void Strings_sort_by_code_point()
    {
        var models = new[] { Model("m1", description: "😀"), Model("m2", description: "\uFFFD"), Model("m3", description: "Z") };

        models.Order(SearchOrdering.ForModels(OrderByParser.Parse("description", SearchTarget.Models)))
            .Select(m => m.Name).Should().Equal("m3", "m2", "m1");
    }
}
