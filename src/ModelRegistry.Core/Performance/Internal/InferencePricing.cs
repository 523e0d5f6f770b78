using System.Globalization;
using ModelRegistry.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Performance.Internal;

/// <summary>Prices a request from a provider binding's list prices per 1,000 tokens, in <see cref="decimal"/> so cents never drift.</summary>
internal static class InferencePricing
{
    /// <summary><c>input × pricePer1KInput ÷ 1000 + output × pricePer1KOutput ÷ 1000</c>, exactly.</summary>
    public static decimal Price(long inputTokens, long outputTokens, decimal pricePer1KInputTokens, decimal pricePer1KOutputTokens)
    {
        try
        {
            // Multiply first, then divide: dividing a decimal by 1000 only moves its scale, so no rounding happens.
            return (inputTokens * pricePer1KInputTokens / 1000m) + (outputTokens * pricePer1KOutputTokens / 1000m);
        }
        catch (OverflowException ex)
        {
            throw new ModelRegistryException(
                ErrorCode.InvalidArgument,
                $"The cost of {inputTokens.ToString(CultureInfo.InvariantCulture)} input and {outputTokens.ToString(CultureInfo.InvariantCulture)} output tokens at the binding's prices overflows; check the token counts and the binding's prices.",
                innerException: ex);
        }
    }

    /// <summary>The cost of <paramref name="record"/>: its own when given, else priced from <paramref name="binding"/>, else unknown (<see langword="null"/>).</summary>
    public static decimal? Cost(InferenceRecord record, ProviderBinding? binding)
    {
        Guard.NotNull(record);
        if (record.Cost is { } given)
        {
            return given;
        }

        return binding is null ? null : Price(record.InputTokens, record.OutputTokens, binding.CostPer1KInputTokens, binding.CostPer1KOutputTokens);
    }
}
