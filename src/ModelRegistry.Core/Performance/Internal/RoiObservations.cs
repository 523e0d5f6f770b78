using System.Runtime.InteropServices;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// What the ROI report reads from the store, streamed in: total cost and cost points (every cost point counts), tokens per
/// series (for the list price, blended binding by binding), and the cost and tokens of the points that carry both, for the
/// observed price per 1,000 tokens.
/// </summary>
/// <remarks>
/// An inference's cost and token points share model, version, binding, timestamp and request id; after compaction they
/// share the series' hour. Points are grouped on that key, and a group is priced when it holds as many cost points as
/// token-bearing records (the larger of its input and output token point counts). So a cost-only point (cost recorded
/// without token counts) and tokens recorded without a cost stay out of the figure; so does a group that mixes both and
/// cannot be told apart (several requests at one instant without distinct request ids, or a compacted hour holding both
/// kinds). Memory grows with the raw points in the window (one entry per instant and request id).
/// </remarks>
internal sealed class RoiObservations
{
    private readonly Dictionary<GroupKey, Group> _groups = [];
    private readonly Dictionary<(string Model, string Version, string? Binding), (double In, double Out)> _tokens = [];

    /// <summary>Sum of every cost point.</summary>
    public decimal TotalCost { get; private set; }

    /// <summary>Number of cost points (roll-ups count their points).</summary>
    public long CostPoints { get; private set; }

    /// <summary>Input and output tokens per (model, version, binding), each rounded to whole tokens.</summary>
    public IEnumerable<((string Model, string Version, string? Binding) Series, long Input, long Output)> TokensBySeries
        => _tokens.Select(t => (t.Key, Round(t.Value.In), Round(t.Value.Out)));

    /// <summary>Raw cost points (with request ids when the batch carries them).</summary>
    public void AddCost(MetricPointBatch batch)
    {
        var ticks = batch.TimestampsUtcTicks.Span;
        var values = batch.Values.Span;
        var ids = batch.RequestIds.Span;
        for (var i = 0; i < values.Length; i++)
        {
            var money = PerformanceTracker.ToMoney(values[i]);
            TotalCost += money;
            ref var group = ref GroupOf(batch.Series, ticks[i], i < ids.Length ? ids[i] : null, hour: false);
            group.Costs++;
            group.Cost += money;
        }

        CostPoints += values.Length;
    }

    /// <summary>A roll-up of cost points.</summary>
    public void AddCost(MetricRollupRecord rollup)
    {
        var money = PerformanceTracker.ToMoney(rollup.Sum);
        TotalCost += money;
        CostPoints += rollup.Count;
        ref var group = ref GroupOf(rollup.Series, rollup.HourStartUtcTicks, null, hour: true);
        group.Costs += rollup.Count;
        group.Cost += money;
    }

    /// <summary>Raw input or output token points (with request ids when the batch carries them).</summary>
    public void AddTokens(MetricPointBatch batch, bool input)
    {
        var ticks = batch.TimestampsUtcTicks.Span;
        var values = batch.Values.Span;
        var ids = batch.RequestIds.Span;
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            ref var group = ref GroupOf(batch.Series, ticks[i], i < ids.Length ? ids[i] : null, hour: false);
            group.Add(input, 1, values[i]);
        }

        AddToSeries(batch.Series, input, sum);
    }

    /// <summary>A roll-up of input or output token points.</summary>
    public void AddTokens(MetricRollupRecord rollup, bool input)
    {
        ref var group = ref GroupOf(rollup.Series, rollup.HourStartUtcTicks, null, hour: true);
        group.Add(input, rollup.Count, rollup.Sum);
        AddToSeries(rollup.Series, input, rollup.Sum);
    }

    /// <summary>Cost ÷ tokens × 1,000 over the groups whose cost points all carry tokens; <see langword="null"/> when there are none.</summary>
    public decimal? ObservedCostPer1KTokens()
    {
        decimal cost = 0;
        double tokens = 0;
        foreach (var group in _groups.Values)
        {
            if (group.Costs > 0 && group.Costs == Math.Max(group.Inputs, group.Outputs))
            {
                cost += group.Cost;
                tokens += group.InputTokens + group.OutputTokens;
            }
        }

        var whole = Round(tokens);
        return whole > 0 ? cost * 1000m / whole : null;
    }

    private static long Round(double tokens) => (long)Math.Round(tokens, MidpointRounding.AwayFromZero);

    private ref Group GroupOf(MetricSeries series, long ticks, string? requestId, bool hour)
        => ref CollectionsMarshal.GetValueRefOrAddDefault(_groups, new GroupKey(series.ModelName, series.Version, series.BindingId, ticks, requestId, hour), out _);

    private void AddToSeries(MetricSeries series, bool input, double sum)
    {
        ref var t = ref CollectionsMarshal.GetValueRefOrAddDefault(_tokens, (series.ModelName, series.Version, series.BindingId), out _);
        t = input ? (t.In + sum, t.Out) : (t.In, t.Out + sum);
    }

    /// <summary>One request (raw points: instant and request id) or one series' compacted hour.</summary>
    private readonly record struct GroupKey(string Model, string Version, string? Binding, long Ticks, string? RequestId, bool Hour);

    private struct Group
    {
        public long Costs;
        public decimal Cost;
        public long Inputs;
        public long Outputs;
        public double InputTokens;
        public double OutputTokens;

        public void Add(bool input, long points, double tokens)
        {
            if (input)
            {
                Inputs += points;
                InputTokens += tokens;
            }
            else
            {
                Outputs += points;
                OutputTokens += tokens;
            }
        }
    }
}
