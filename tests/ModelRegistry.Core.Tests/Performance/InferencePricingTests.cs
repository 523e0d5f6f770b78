using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class InferencePricingTests
{
    private static readonly ProviderBinding Binding = new()
    {
        Id = "openai-eu",
        Provider = ModelProviders.OpenAI,
        ProviderModelId = "gpt-4o",
        CostPer1KInputTokens = 0.0025m,
        CostPer1KOutputTokens = 0.01m,
    };

    [Theory]
    [InlineData(1000, 1000, "0.0125")]
    [InlineData(1200, 300, "0.006")]
    [InlineData(1, 0, "0.0000025")]
    [InlineData(0, 0, "0")]
    [InlineData(3_333_333, 7, "8.33340250")]
    public void Cost_is_priced_per_thousand_tokens_in_exact_decimal(long input, long output, string expected)
        => InferencePricing.Price(input, output, Binding.CostPer1KInputTokens, Binding.CostPer1KOutputTokens)
            .Should().Be(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_given_cost_wins_over_the_list_price_and_without_a_binding_the_cost_is_unknown()
    {
        var record = new InferenceRecord { ModelName = "chat", Version = "1.0.0", LatencyMs = 100, InputTokens = 1000, OutputTokens = 1000 };
        InferencePricing.Cost(record, Binding).Should().Be(0.0125m);
        InferencePricing.Cost(record with { Cost = 0.02m }, Binding).Should().Be(0.02m);
        InferencePricing.Cost(record, binding: null).Should().BeNull();
    }

    [Fact]
    public void Ten_thousand_small_costs_add_up_without_drift()
    {
        decimal total = 0;
        for (var i = 0; i < 10_000; i++)
        {
            total += InferencePricing.Price(1, 1, 0.0001m, 0.0002m);
        }

        total.Should().Be(0.003m);
    }

    [Fact]
    public void An_overflowing_price_is_an_invalid_argument()
    {
        var act = () => InferencePricing.Price(long.MaxValue, 0, decimal.MaxValue, 0);
        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }
}
