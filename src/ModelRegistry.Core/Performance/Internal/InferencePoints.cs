using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// How one served request becomes metric points (all with the request's timestamp, binding, dimensions and request id):
/// <list type="table">
/// <item><term>Latency</term><description><see cref="InferenceRecord.LatencyMs"/>, unit <c>ms</c>.</description></item>
/// <item><term>ErrorRate</term><description>0 for success, 1 for an error; a failed request's <see cref="InferenceRecord.ErrorKind"/>
/// rides on this point as the dimension <c>error_kind</c>. The count of these points is the number of requests.</description></item>
/// <item><term>OodRate</term><description>1 when the input was out of distribution, else 0.</description></item>
/// <item><term>Cost</term><description>the given cost, else the binding's list price for the tokens; no point when neither is known (unknown is not free).</description></item>
/// <item><term>Quality, Drift</term><description>the scores, when given.</description></item>
/// <item><term>Custom:tokens.input, Custom:tokens.output</term><description>token counts, when either is above 0.</description></item>
/// </list>
/// </summary>
internal static class InferencePoints
{
    public static readonly string InputTokensKey = MetricNames.Key(MetricNames.InputTokens);
    public static readonly string OutputTokensKey = MetricNames.Key(MetricNames.OutputTokens);

    /// <summary>Appends the record's points to <paramref name="into"/>; returns the cost that was recorded (null when unknown).</summary>
    public static decimal? Append(InferenceRecord record, ResolvedVersion resolved, long timestampUtcTicks, SeriesCache series, List<MetricPointRecord> into)
    {
        var binding = resolved.Binding(record.BindingId);
        var cost = InferencePricing.Cost(record, binding);
        var model = resolved.ModelName;
        var version = resolved.VersionText;
        var dimensions = MetricNames.Dimensions(record.Dimensions);
        var id = record.RequestId;
        into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.Latency)), timestampUtcTicks, record.LatencyMs, "ms", id, dimensions));
        var errorDimensions = !record.Succeeded && record.ErrorKind is not null ? MetricNames.Dimensions(record.Dimensions, record.ErrorKind) : dimensions;
        into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.ErrorRate)), timestampUtcTicks, record.Succeeded ? 0 : 1, null, id, errorDimensions));
        into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.OodRate)), timestampUtcTicks, record.IsOutOfDistribution ? 1 : 0, null, id, dimensions));
        if (cost is { } c)
        {
            into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.Cost)), timestampUtcTicks, (double)c, null, id, dimensions));
        }

        if (record.QualityScore is { } q)
        {
            into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.Quality)), timestampUtcTicks, q, null, id, dimensions));
        }

        if (record.DriftScore is { } d)
        {
            into.Add(new(series.Get(model, version, record.BindingId, nameof(MetricKind.Drift)), timestampUtcTicks, d, null, id, dimensions));
        }

        if (record.InputTokens > 0 || record.OutputTokens > 0)
        {
            into.Add(new(series.Get(model, version, record.BindingId, InputTokensKey), timestampUtcTicks, record.InputTokens, "tokens", id, dimensions));
            into.Add(new(series.Get(model, version, record.BindingId, OutputTokensKey), timestampUtcTicks, record.OutputTokens, "tokens", id, dimensions));
        }

        return cost;
    }
}

/// <summary>Reuses one <see cref="MetricSeries"/> object per series, so a batch of a million points does not allocate a million series.</summary>
internal sealed class SeriesCache
{
    private readonly Dictionary<(string, string, string?, string), MetricSeries> _series = [];
    private MetricSeries? _last;

    public MetricSeries Get(string model, string version, string? binding, string metric)
    {
        // Runs of one series pass the same string instances: a reference check skips hashing four strings per point.
        if (_last is { } last && ReferenceEquals(last.ModelName, model) && ReferenceEquals(last.Version, version)
            && ReferenceEquals(last.BindingId, binding) && ReferenceEquals(last.Metric, metric))
        {
            return last;
        }

        var key = (model, version, binding, metric);
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count > 4096)
            {
                _series.Clear();
            }

            _series[key] = series = new MetricSeries(model, version, binding, metric);
        }

        _last = series;
        return series;
    }
}
