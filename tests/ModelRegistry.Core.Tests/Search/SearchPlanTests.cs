using System.Text;
using CsCheck;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using static ModelRegistry.Core.Tests.Search.SearchTestData;

namespace ModelRegistry.Core.Tests.Search;

public class SearchPlanTests
{
    private static SearchPlan Plan(SearchTarget target, string? filter = null, string? orderBy = null, int pageSize = 100, string? token = null)
        => SearchPlan.Create(target, new SearchRequest { Filter = filter, OrderBy = orderBy, PageSize = pageSize, ContinuationToken = token });

    [Fact]
    public void Defaults_are_100_per_page_and_the_identity_order()
    {
        var models = SearchPlan.Create(SearchTarget.Models, new SearchRequest());
        var versions = SearchPlan.Create(SearchTarget.Versions, new SearchRequest());

        models.PageSize.Should().Be(100);
        models.Query.Limit.Should().Be(101);
        models.Query.Filter.Should().BeNull();
        OrderByParser.Print(models.Query.OrderBy).Should().Be("name ASC");
        OrderByParser.Print(versions.Query.OrderBy).Should().Be("name ASC, version DESC");
    }

    [Theory]
    [InlineData(SearchTarget.Models, "created_at DESC", "created_at DESC, name ASC")]
    [InlineData(SearchTarget.Models, "name DESC, created_at", "name DESC, created_at ASC")]
    [InlineData(SearchTarget.Versions, "metrics.acc DESC", "metrics.acc DESC, name ASC, version ASC")]
    [InlineData(SearchTarget.Versions, "version DESC", "version DESC, name ASC")]
    [InlineData(SearchTarget.Versions, "name, stage", "name ASC, stage ASC, version ASC")]
    public void Identity_keys_are_appended_so_the_order_is_total(SearchTarget target, string orderBy, string expected)
        => OrderByParser.Print(Plan(target, orderBy: orderBy).Query.OrderBy).Should().Be(expected);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Page_size_outside_1_to_1000_is_an_invalid_argument(int pageSize)
    {
        var act = () => Plan(SearchTarget.Models, pageSize: pageSize);

        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be("PageSize");
        error.Message.Should().Contain("between 1 and 1,000");
    }

    [Fact]
    public void Page_sizes_1_and_1000_are_accepted()
    {
        Plan(SearchTarget.Models, pageSize: 1).Query.Limit.Should().Be(2);
        Plan(SearchTarget.Models, pageSize: 1000).Query.Limit.Should().Be(1001);
    }

    [Fact]
    public void Bad_filter_and_bad_ordering_are_invalid_filter_errors()
    {
        ((Action)(() => Plan(SearchTarget.Models, filter: "name ="))).Should().Throw<FilterSyntaxException>().Which.Code.Should().Be(ErrorCode.InvalidFilter);
        ((Action)(() => Plan(SearchTarget.Models, orderBy: "owner"))).Should().Throw<FilterSyntaxException>().Which.Code.Should().Be(ErrorCode.InvalidFilter);
    }

    [Fact]
    public void The_keyset_predicate_selects_items_strictly_after_the_last_one()
    {
        var plan = Plan(SearchTarget.Models, filter: "owner = 'alice'", orderBy: "description DESC, created_at", pageSize: 2);
        var last = Model("b", description: "x", createdAt: Jan1);

        var next = Plan(SearchTarget.Models, filter: "owner = 'alice'", orderBy: "description DESC, created_at", pageSize: 2, token: plan.CreateToken(last));

        FilterPrinter.Print(next.Query.Filter!).Should().Be(
            "owner = 'alice' AND (description < 'x' OR description IS NULL"
            + " OR description = 'x' AND created_at > '2024-01-01T00:00:00Z'"
            + " OR description = 'x' AND created_at = '2024-01-01T00:00:00Z' AND name > 'b')");
    }

    [Fact]
    public void Missing_last_values_use_IS_NULL_in_the_keyset_predicate()
    {
        var plan = Plan(SearchTarget.Models, orderBy: "description, tags.team DESC");
        var last = Model("b");

        var next = Plan(SearchTarget.Models, orderBy: "description, tags.team DESC", token: plan.CreateToken(last));

        FilterPrinter.Print(next.Query.Filter!).Should().Be(
            "description IS NOT NULL OR description IS NULL AND tags.team IS NULL AND name > 'b'");
    }

    [Fact]
    public void A_token_only_continues_the_search_it_came_from()
    {
        var plan = Plan(SearchTarget.Models, filter: "name LIKE 'a%'", orderBy: "created_at");
        var token = plan.CreateToken(Model("abc"));

        Plan(SearchTarget.Models, filter: "NAME like 'a%'", orderBy: "created_at ASC, name", token: token).Query.Filter.Should().NotBeNull("the same search, written differently, accepts the token");

        foreach (var (target, filter, orderBy) in new[]
                 {
                     (SearchTarget.Models, "name LIKE 'b%'", "created_at"),
                     (SearchTarget.Models, (string?)null, "created_at"),
                     (SearchTarget.Models, "name LIKE 'a%'", "created_at DESC"),
                     (SearchTarget.Models, "name LIKE 'a%'", "name"),
                     (SearchTarget.Versions, "name LIKE 'a%'", "created_at"),
                 })
        {
            var act = () => Plan(target, filter, orderBy, token: token);
            var error = act.Should().Throw<ModelRegistryException>().Which;
            error.Code.Should().Be(ErrorCode.InvalidArgument);
            error.ParameterName.Should().Be("ContinuationToken");
            error.Message.Should().Contain("different search");
        }
    }

    [Fact]
    public void Garbage_tokens_are_invalid_arguments()
    {
        var valid = Plan(SearchTarget.Models, orderBy: "created_at").CreateToken(Model("a"));
        var json = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(valid));
        string B64(string s) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(s));
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var fingerprint = document.RootElement.GetProperty("f").GetString();

        var tampered = new[]
        {
            string.Empty, "x", "!!!", valid + "!", valid[..^2], B64("null"), B64("[]"), B64("{}"), B64("{\"v\":1}"),
            B64(json.Replace("\"v\":1", "\"v\":2", StringComparison.Ordinal)),
            B64(json.Replace("\"k\":[", "\"k\":[1,", StringComparison.Ordinal)),
            B64($"{{\"v\":1,\"f\":\"{fingerprint}\",\"k\":[\"x\",\"a\"]}}"),
            B64($"{{\"v\":1,\"f\":\"{fingerprint}\",\"k\":[1.5,\"a\"]}}"),
            B64($"{{\"v\":1,\"f\":\"{fingerprint}\",\"k\":[-1,\"a\"]}}"),
            B64($"{{\"v\":1,\"f\":\"{fingerprint}\",\"k\":[0,[65536]]}}"),
            B64($"{{\"v\":1,\"f\":\"{fingerprint}\",\"k\":[0,{{}}]}}"),
            new string('A', 2_000_000),
        };

        foreach (var token in tampered)
        {
            var act = () => Plan(SearchTarget.Models, orderBy: "created_at", token: token);
            act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument, token.Length > 50 ? token[..50] : token);
        }
    }

    [Fact]
    public void Random_tokens_only_ever_fail_with_invalid_argument()
    {
        var plan = Plan(SearchTarget.Versions, orderBy: "metrics.acc, created_at DESC, version");
        var json = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(plan.CreateToken(Version("m", "1.0.0"))));
        var jsonChars = json + "0123456789[]{}\",:-.eEtruefalsn\\uD8";
        var gen = Gen.Frequency(
            (1, Gen.String),
            (2, Gen.Char[jsonChars].Array[0, json.Length + 10].Select(a => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new string(a))))),
            (2, Gen.Int[0, json.Length - 1].SelectMany(i => Gen.Char[jsonChars].Select(c =>
                System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json[..i] + c + json[(i + 1)..]))))));

        gen.Sample(
            token =>
            {
                try
                {
                    Plan(SearchTarget.Versions, orderBy: "metrics.acc, created_at DESC, version", token: token);
                }
                catch (ModelRegistryException e) when (e.Code == ErrorCode.InvalidArgument)
                {
                }
            },
            iter: 3_000,
            threads: 1);
    }

    [Fact]
    public void Tokens_keep_unpaired_surrogates_and_extreme_values_exactly()
    {
        var order = "tags.t DESC, created_at, metrics.m, updated_at DESC";
        var plan = Plan(SearchTarget.Versions, orderBy: order);
        var last = Version(
            "m",
            "1.2.3-rc.1+b",
            tags: new Dictionary<string, string> { ["t"] = "a\uD800b😀" },
            metrics: new Dictionary<string, double> { ["m"] = double.Epsilon },
            createdAt: DateTimeOffset.MaxValue,
            updatedAt: DateTimeOffset.MinValue);

        var next = Plan(SearchTarget.Versions, orderBy: order, token: plan.CreateToken(last));

        var printed = FilterPrinter.Print(next.Query.Filter!);
        printed.Should().StartWith("tags.t < 'a\uD800b😀' OR tags.t IS NULL OR tags.t = 'a\uD800b😀' AND created_at > '9999-12-31T23:59:59.9999999Z'");
        printed.Should().Contain("metrics.m > 5E-324").And.Contain("updated_at < '0001-01-01T00:00:00Z'").And.Contain("version > '1.2.3-rc.1+b'");
        FilterEvaluator.Matches(next.Query.Filter, last, Model("m")).Should().BeFalse("the last item is not after itself");
    }

    [Fact]
    public void A_plan_makes_tokens_only_for_its_own_target()
    {
        ((Action)(() => Plan(SearchTarget.Models).CreateToken(Version("m", "1.0.0")))).Should().Throw<InvalidOperationException>();
        ((Action)(() => Plan(SearchTarget.Versions).CreateToken(Model("m")))).Should().Throw<InvalidOperationException>();
    }
}
