namespace ModelRegistry.Registry;

/// <summary>How a provider (OpenAI, Azure OpenAI, Bedrock, Vertex, Anthropic, self-hosted or a custom one) serves a version.</summary>
public sealed record ProviderBinding
{
    /// <summary>Identifier of the binding, unique within its version.</summary>
    public required string Id { get; init; }

    /// <summary>The provider name; see <see cref="ModelProviders"/> for the well-known ones.</summary>
    public required string Provider { get; init; }

    /// <summary>The model identifier at the provider, such as <c>gpt-4o-2024-08-06</c>.</summary>
    public required string ProviderModelId { get; init; }

    /// <summary>The endpoint that serves the model.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The region, such as <c>eu-west-1</c>.</summary>
    public string? Region { get; init; }

    /// <summary>List price per 1,000 input tokens.</summary>
    public decimal CostPer1KInputTokens { get; init; }

    /// <summary>List price per 1,000 output tokens.</summary>
    public decimal CostPer1KOutputTokens { get; init; }

    /// <summary>The latency objective in milliseconds, if any.</summary>
    public double? LatencySloMs { get; init; }

    /// <summary>Operational status.</summary>
    public BindingStatus Status { get; init; }

    /// <summary>Most recently observed latency in milliseconds.</summary>
    public double? ObservedLatencyMs { get; init; }

    /// <summary>Most recently observed success rate in [0, 1].</summary>
    public double? ObservedSuccessRate { get; init; }

    /// <summary>When the binding was added.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the binding last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Names of the well-known providers. Any other non-empty name is accepted as a custom provider.</summary>
public static class ModelProviders
{
    /// <summary>OpenAI.</summary>
    public const string OpenAI = "OpenAI";

    /// <summary>Azure OpenAI.</summary>
    public const string AzureOpenAI = "AzureOpenAI";

    /// <summary>Amazon Bedrock.</summary>
    public const string Bedrock = "Bedrock";

    /// <summary>Google Vertex AI.</summary>
    public const string Vertex = "Vertex";

    /// <summary>Anthropic.</summary>
    public const string Anthropic = "Anthropic";

    /// <summary>Served by the host's own infrastructure.</summary>
    public const string SelfHosted = "SelfHosted";
}
