namespace ModelRegistry.Performance;

/// <summary>
/// Names one metric series: a <see cref="MetricKind"/>, and for <see cref="MetricKind.Custom"/> the host's name for it.
/// </summary>
/// <param name="Kind">What the metric measures.</param>
/// <param name="CustomName">
/// The name of a <see cref="MetricKind.Custom"/> metric (1–128 letters, digits, <c>_</c>, <c>.</c>, <c>-</c>, <c>/</c> or <c>:</c>,
/// compared case-sensitively); <see langword="null"/> for every other kind.
/// </param>
public sealed record MetricKey(MetricKind Kind, string? CustomName = null)
{
    /// <summary>Latency in milliseconds.</summary>
    public static MetricKey Latency { get; } = new(MetricKind.Latency);

    /// <summary>Accuracy, a fraction in [0, 1].</summary>
    public static MetricKey Accuracy { get; } = new(MetricKind.Accuracy);

    /// <summary>Cost in the binding's currency.</summary>
    public static MetricKey Cost { get; } = new(MetricKind.Cost);

    /// <summary>Quality score.</summary>
    public static MetricKey Quality { get; } = new(MetricKind.Quality);

    /// <summary>Throughput.</summary>
    public static MetricKey Throughput { get; } = new(MetricKind.Throughput);

    /// <summary>Error rate, a fraction in [0, 1].</summary>
    public static MetricKey ErrorRate { get; } = new(MetricKind.ErrorRate);

    /// <summary>Out-of-distribution rate, a fraction in [0, 1].</summary>
    public static MetricKey OodRate { get; } = new(MetricKind.OodRate);

    /// <summary>Drift score.</summary>
    public static MetricKey Drift { get; } = new(MetricKind.Drift);

    /// <summary>A custom metric with the given name.</summary>
    /// <param name="name">The metric's name.</param>
    /// <returns>The key.</returns>
    public static MetricKey Custom(string name) => new(MetricKind.Custom, name);

    /// <summary>
    /// Which way the metric is better by default: lower for latency, cost, error rate, OOD rate and drift; higher for
    /// accuracy, quality and throughput; <see langword="null"/> for a custom metric, whose direction the caller states.
    /// </summary>
    public MetricDirection? DefaultDirection => Kind switch
    {
        MetricKind.Latency or MetricKind.Cost or MetricKind.ErrorRate or MetricKind.OodRate or MetricKind.Drift => MetricDirection.LowerIsBetter,
        MetricKind.Accuracy or MetricKind.Quality or MetricKind.Throughput => MetricDirection.HigherIsBetter,
        _ => null,
    };

    /// <summary>The kind, or <c>Custom:name</c> for a custom metric.</summary>
    /// <returns>The display text.</returns>
    public override string ToString() => Kind == MetricKind.Custom ? $"Custom:{CustomName}" : Kind.ToString();
}

/// <summary>The model version (and optionally the provider binding) that metrics belong to.</summary>
/// <param name="ModelName">The registered model's name (case-insensitive).</param>
/// <param name="Version">The semantic version text, such as <c>2.1.0</c>.</param>
/// <param name="BindingId">The provider binding, or <see langword="null"/> for every binding of the version.</param>
public sealed record MetricSubject(string ModelName, string Version, string? BindingId = null)
{
    /// <summary>The subject as <c>models:/name/version</c>, followed by <c>#binding</c> when a binding is named.</summary>
    /// <returns>The display text.</returns>
    public override string ToString() => BindingId is null ? $"models:/{ModelName}/{Version}" : $"models:/{ModelName}/{Version}#{BindingId}";
}

/// <summary>A half-open time window [<paramref name="From"/>, <paramref name="To"/>): a point at <paramref name="To"/> belongs to the next window.</summary>
/// <param name="From">Inclusive start.</param>
/// <param name="To">Exclusive end; must be later than <paramref name="From"/>.</param>
public sealed record MetricWindow(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>How long the window is.</summary>
    public TimeSpan Duration => To - From;

    /// <summary>Whether <paramref name="timestamp"/> lies in [<see cref="From"/>, <see cref="To"/>).</summary>
    /// <param name="timestamp">The instant to test.</param>
    /// <returns><see langword="true"/> when the instant is inside the window.</returns>
    public bool Contains(DateTimeOffset timestamp) => timestamp >= From && timestamp < To;

    /// <summary>The window in ISO 8601 interval notation.</summary>
    /// <returns>The display text.</returns>
    public override string ToString() => $"[{From.UtcDateTime:O}, {To.UtcDateTime:O})";
}
