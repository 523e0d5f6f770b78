using System.Runtime.CompilerServices;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>Which stored points an analysis reads: a series filter (canonical names), a window and an optional dimension filter.</summary>
/// <param name="Model">The model, or <see langword="null"/> for every model.</param>
/// <param name="Version">The version, or <see langword="null"/> for every version.</param>
/// <param name="Binding">The binding, or <see langword="null"/> for every binding.</param>
/// <param name="Metric">The store's metric key.</param>
/// <param name="Window">The half-open window.</param>
/// <param name="Dimensions">Only points with all of these dimensions; <see langword="null"/> or empty for all.</param>
internal sealed record MetricSelection(string? Model, string? Version, string? Binding, string Metric, MetricWindow Window, IReadOnlyDictionary<string, string>? Dimensions = null)
{
    public bool FiltersDimensions => Dimensions is { Count: > 0 };
}

/// <summary>
/// Reads a selection from the metric store as the union of two disjoint sets: raw points in the window, and the roll-ups
/// of whole UTC hours that lie entirely inside the window (raw points of those hours were compacted into them).
/// </summary>
/// <remarks>
/// Consequences, documented on the public surface: once an hour's raw points are gone, a window counts that hour only if
/// it covers the whole hour; roll-ups hold no dimensions, so a dimension-filtered query sees raw points only; minute
/// buckets cannot split an hourly roll-up, so they see raw points only; the population stability index needs raw values.
/// </remarks>
internal sealed class MetricReader(IMetricStore store)
{
    public const int BatchSize = 8192;

    public IMetricStore Store { get; } = store;

    public static long FloorHour(long ticks) => ticks - (ticks % TimeSpan.TicksPerHour);

    public static long CeilHour(long ticks)
    {
        var floor = FloorHour(ticks);
        return floor == ticks ? ticks : floor + TimeSpan.TicksPerHour;
    }

    /// <summary>
    /// Raw points of the selection, filtered by its dimensions. Batches carry detail columns only when
    /// <paramref name="withRequestIds"/> asks for them, and then a filtered batch keeps just its request ids.
    /// </summary>
    public async IAsyncEnumerable<MetricPointBatch> PointsAsync(MetricSelection selection, [EnumeratorCancellation] CancellationToken cancellationToken, bool withRequestIds = false)
    {
        var query = new MetricStoreQuery
        {
            ModelName = selection.Model,
            Version = selection.Version,
            BindingId = selection.Binding,
            Metric = selection.Metric,
            FromUtcTicks = selection.Window.From.UtcTicks,
            ToUtcTicks = selection.Window.To.UtcTicks,
            IncludeDetails = selection.FiltersDimensions || withRequestIds,
            BatchSize = BatchSize,
        };

        var memo = new Dictionary<string, bool>(StringComparer.Ordinal);
        await foreach (var batch in Store.ReadPointsAsync(query, cancellationToken))
        {
            if (!selection.FiltersDimensions)
            {
                yield return batch;
                continue;
            }

            var dimensions = batch.Dimensions.Span;
            var keep = new List<int>();
            for (var i = 0; i < batch.Count; i++)
            {
                if (MetricNames.Matches(i < dimensions.Length ? dimensions[i] : null, selection.Dimensions!, memo))
                {
                    keep.Add(i);
                }
            }

            if (keep.Count == 0)
            {
                continue;
            }

            var ticks = batch.TimestampsUtcTicks.Span;
            var values = batch.Values.Span;
            var ids = batch.RequestIds.Span;
            var t = new long[keep.Count];
            var v = new double[keep.Count];
            var r = withRequestIds ? new string?[keep.Count] : null;
            for (var k = 0; k < keep.Count; k++)
            {
                t[k] = ticks[keep[k]];
                v[k] = values[keep[k]];
                if (r is not null && keep[k] < ids.Length)
                {
                    r[k] = ids[keep[k]];
                }
            }

            yield return new MetricPointBatch(batch.Series, t, v, RequestIds: r);
        }
    }

    /// <summary>Roll-ups of the hours entirely inside the window; none when the selection filters by dimensions.</summary>
    public async IAsyncEnumerable<MetricRollupRecord> RollupsAsync(MetricSelection selection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (selection.FiltersDimensions)
        {
            yield break;
        }

        // An aligned hour h lies inside [From, To) exactly when CeilHour(From) ≤ h < FloorHour(To).
        var from = CeilHour(selection.Window.From.UtcTicks);
        var to = FloorHour(selection.Window.To.UtcTicks);
        if (from >= to)
        {
            yield break;
        }

        var query = new MetricStoreQuery
        {
            ModelName = selection.Model,
            Version = selection.Version,
            BindingId = selection.Binding,
            Metric = selection.Metric,
            FromUtcTicks = from,
            ToUtcTicks = to,
        };
        await foreach (var rollup in Store.ReadRollupsAsync(query, cancellationToken))
        {
            yield return rollup;
        }
    }

    /// <summary>Everything the selection holds, in one accumulator (exact percentiles while only raw points up to 10,000 are involved).</summary>
    public async Task<MetricAccumulator> AccumulateAsync(MetricSelection selection, CancellationToken cancellationToken)
    {
        var accumulator = new MetricAccumulator();
        await foreach (var batch in PointsAsync(selection, cancellationToken))
        {
            foreach (var value in batch.Values.Span)
            {
                accumulator.Add(value);
            }
        }

        await foreach (var rollup in RollupsAsync(selection, cancellationToken))
        {
            accumulator.Merge(ToAccumulator(rollup));
        }

        return accumulator;
    }

    /// <summary>The raw values of the selection (the population stability index needs them; roll-ups are not used).</summary>
    public async Task<List<double>> ValuesAsync(MetricSelection selection, CancellationToken cancellationToken)
    {
        var values = new List<double>();
        await foreach (var batch in PointsAsync(selection, cancellationToken))
        {
            values.AddRange(batch.Values.Span);
        }

        return values;
    }

    public static MetricAccumulator ToAccumulator(MetricRollupRecord rollup)
        => MetricAccumulator.FromRollup(
            RunningMoments.FromParts(rollup.Count, rollup.Mean, rollup.SumOfSquaredDeviations, rollup.Min, rollup.Max, rollup.Sum),
            SketchCodec.Decode(rollup.Sketch));

    public static MetricRollupRecord ToRollup(MetricSeries series, long hourStart, RunningMoments moments, QuantileSketch sketch)
        => new(series, hourStart, moments.Count, moments.Sum, moments.Mean, moments.SumOfSquaredDeviations, moments.Min, moments.Max, SketchCodec.Encode(sketch));
}
