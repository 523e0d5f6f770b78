namespace ModelRegistry.Performance;

/// <summary>
/// One measurement of one metric of a model version, recorded with <see cref="IPerformanceTracker.RecordAsync"/>.
/// The value rules per kind are listed on <see cref="MetricKind"/>.
/// </summary>
public sealed record MetricPoint
{
    /// <summary>The registered model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The semantic version text of the model version.</summary>
    public required string Version { get; init; }

    /// <summary>The provider binding that served the request, if any (1–128 letters, digits, <c>_</c>, <c>.</c>, <c>:</c> or <c>-</c>).</summary>
    public string? BindingId { get; init; }

    /// <summary>What the value measures.</summary>
    public required MetricKind Kind { get; init; }

    /// <summary>The metric's name when <see cref="Kind"/> is <see cref="MetricKind.Custom"/> (required then, and only then).</summary>
    public string? CustomName { get; init; }

    /// <summary>The measured value: finite, at most 1e300 in magnitude, and within the kind's range.</summary>
    public required double Value { get; init; }

    /// <summary>The unit, for readers (<c>ms</c>, <c>USD</c>, <c>req/s</c>); at most 32 characters. Not converted.</summary>
    public string? Unit { get; init; }

    /// <summary>When the value was measured; <see langword="null"/> means now, from the tracker's <see cref="TimeProvider"/>. Stored in UTC.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>
    /// Small labels to slice by (region, tenant): at most 16 entries, keys of 1–64 letters, digits, <c>_</c>, <c>.</c> or <c>-</c>,
    /// values of at most 256 characters.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Dimensions { get; init; }

    /// <summary>The request the value belongs to, for correlation; at most 256 characters.</summary>
    public string? RequestId { get; init; }
}

/// <summary>
/// One served request, recorded with <see cref="IPerformanceTracker.TrackInferenceAsync"/>. The tracker turns it into
/// latency, error-rate, OOD-rate, cost and (when given) quality and drift points.
/// </summary>
public sealed record InferenceRecord
{
    /// <summary>The registered model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The semantic version text of the model version that answered.</summary>
    public required string Version { get; init; }

    /// <summary>The provider binding that served the request; its list prices price the tokens when <see cref="Cost"/> is not given.</summary>
    public string? BindingId { get; init; }

    /// <summary>Time to answer, in milliseconds; finite and ≥ 0.</summary>
    public required double LatencyMs { get; init; }

    /// <summary>Input (prompt) tokens; ≥ 0.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output (completion) tokens; ≥ 0.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Whether the request succeeded (default <see langword="true"/>).</summary>
    public bool Succeeded { get; init; } = true;

    /// <summary>What kind of error it was (<c>timeout</c>, <c>rate_limited</c>); only for a failed request, at most 128 characters.</summary>
    public string? ErrorKind { get; init; }

    /// <summary>A quality score for the answer, if one was measured; any finite value.</summary>
    public double? QualityScore { get; init; }

    /// <summary>Whether the input was judged out of distribution.</summary>
    public bool IsOutOfDistribution { get; init; }

    /// <summary>A drift score for the input, if one was measured; finite and ≥ 0.</summary>
    public double? DriftScore { get; init; }

    /// <summary>What the request cost; ≥ 0. When <see langword="null"/> it is computed from the binding's price per 1,000 input and output tokens.</summary>
    public decimal? Cost { get; init; }

    /// <summary>Small labels to slice by; same rules as <see cref="MetricPoint.Dimensions"/>.</summary>
    public IReadOnlyDictionary<string, string>? Dimensions { get; init; }

    /// <summary>The request identifier, for correlation; at most 256 characters.</summary>
    public string? RequestId { get; init; }

    /// <summary>When the request was answered; <see langword="null"/> means now, from the tracker's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>
/// Thrown by <see cref="IPerformanceTracker.RecordBatchAsync"/> when a point of the batch is invalid. The batch is
/// checked whole before anything is written, so nothing was recorded; <see cref="Index"/> names the first bad point.
/// </summary>
public sealed class MetricBatchValidationException : ModelRegistryException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="index">Zero-based index of the first invalid point.</param>
    /// <param name="message">What was wrong and what to do.</param>
    /// <param name="parameterName">The invalid member, such as <c>points[3].Value</c>.</param>
    /// <param name="innerException">The error the point's own validation raised.</param>
    public MetricBatchValidationException(int index, string message, string? parameterName = null, Exception? innerException = null)
        : base(ErrorCode.InvalidArgument, message, subject: null, innerException)
    {
        Index = index;
        ParameterName = parameterName;
    }

    /// <summary>Zero-based index of the first invalid point in the batch.</summary>
    public int Index { get; }
}
