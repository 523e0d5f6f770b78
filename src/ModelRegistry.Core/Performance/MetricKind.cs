namespace ModelRegistry.Performance;

/// <summary>
/// What a <see cref="MetricPoint"/> measures. The numeric values are persisted by the stores and never change meaning.
/// </summary>
/// <remarks>
/// Value rules (checked before anything is written): every value is finite and at most 1e300 in magnitude;
/// <see cref="Latency"/>, <see cref="Cost"/>, <see cref="Throughput"/> and <see cref="Drift"/> are ≥ 0;
/// <see cref="Accuracy"/>, <see cref="ErrorRate"/> and <see cref="OodRate"/> are fractions in [0, 1] (send 0.93, not 93);
/// <see cref="Quality"/> and <see cref="Custom"/> take any finite value.
/// </remarks>
public enum MetricKind
{
    /// <summary>Time to answer one request, in milliseconds; ≥ 0.</summary>
    Latency = 0,

    /// <summary>Share of correct predictions, a fraction in [0, 1].</summary>
    Accuracy = 1,

    /// <summary>Money spent, in the currency of the provider bindings' list prices (for example USD); ≥ 0.</summary>
    Cost = 2,

    /// <summary>A quality score on the host's own scale (a rating, an evaluator's score); any finite value.</summary>
    Quality = 3,

    /// <summary>Work done per unit of time (requests or tokens per second); ≥ 0.</summary>
    Throughput = 4,

    /// <summary>Share of failed requests, a fraction in [0, 1]; one request records 0 (success) or 1 (error).</summary>
    ErrorRate = 5,

    /// <summary>Share of out-of-distribution inputs, a fraction in [0, 1]; one request records 0 or 1.</summary>
    OodRate = 6,

    /// <summary>A drift score (population stability index, a distance between distributions); ≥ 0.</summary>
    Drift = 7,

    /// <summary>A metric named by the host in <see cref="MetricPoint.CustomName"/>; any finite value.</summary>
    Custom = 8,
}

/// <summary>Which way a metric is better.</summary>
public enum MetricDirection
{
    /// <summary>Smaller values are better (latency, cost, error rate, OOD rate, drift).</summary>
    LowerIsBetter = 0,

    /// <summary>Larger values are better (accuracy, quality, throughput).</summary>
    HigherIsBetter = 1,
}
