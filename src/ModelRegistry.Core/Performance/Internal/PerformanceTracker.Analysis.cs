using System.Globalization;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

internal sealed partial class PerformanceTracker
{
    private static readonly string CostKey = MetricNames.Key(MetricKey.Cost);
    private static readonly string ErrorRateKey = MetricNames.Key(MetricKey.ErrorRate);
    private static readonly string QualityKey = MetricNames.Key(MetricKey.Quality);

    // ---------------------------------------------------------------- statistics, buckets, comparison

    public async Task<MetricStatistics> GetStatisticsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        RequestValidation.Query(query);
        var selection = await SelectAsync(query.Subject, query.Metric, query.Window, cancellationToken, query.Dimensions);
        return (await Reader.AccumulateAsync(selection, cancellationToken)).ToStatistics();
    }

    public async Task<TimeBucketedStatistics> GetTimeBucketsAsync(MetricQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default)
    {
        RequestValidation.Query(query);
        RequestValidation.BucketSize(bucketSize);
        TimeBucketing.EnsureWithinLimit(query.Window, bucketSize);
        var selection = await SelectAsync(query.Subject, query.Metric, query.Window, cancellationToken, query.Dimensions);
        var length = TimeBucketing.Ticks(bucketSize);
        var buckets = new Dictionary<long, MetricAccumulator>();
        MetricAccumulator Bucket(long ticks)
        {
            var start = ticks - (ticks % length);
            if (!buckets.TryGetValue(start, out var accumulator))
            {
                buckets[start] = accumulator = new MetricAccumulator();
            }

            return accumulator;
        }

        await foreach (var batch in Reader.PointsAsync(selection, cancellationToken))
        {
            var ticks = batch.TimestampsUtcTicks.Span;
            var values = batch.Values.Span;
            for (var i = 0; i < batch.Count; i++)
            {
                Bucket(ticks[i]).Add(values[i]);
            }
        }

        // An hourly roll-up lies inside one hour, day or week bucket, but cannot be split into minutes.
        if (bucketSize != TimeBucketSize.Minute)
        {
            await foreach (var rollup in Reader.RollupsAsync(selection, cancellationToken))
            {
                Bucket(rollup.HourStartUtcTicks).Merge(MetricReader.ToAccumulator(rollup));
            }
        }

        var result = buckets.OrderBy(b => b.Key).Select(b =>
        {
            var start = new DateTimeOffset(b.Key, TimeSpan.Zero);
            return new MetricTimeBucket { Start = start, End = TimeBucketing.End(start, bucketSize), Statistics = b.Value.ToStatistics() };
        }).ToArray();
        return new TimeBucketedStatistics { Query = query, BucketSize = bucketSize, Buckets = result };
    }

    public async Task<ModelComparison> CompareAsync(ModelComparisonRequest request, CancellationToken cancellationToken = default)
    {
        RequestValidation.Comparison(request);
        var statistics = new Dictionary<(MetricSubject, MetricKey), MetricStatistics>();
        foreach (var subject in request.Subjects)
        {
            foreach (var metric in request.Metrics)
            {
                var selection = await SelectAsync(subject, metric, request.Window, cancellationToken);
                statistics[(subject, metric)] = (await Reader.AccumulateAsync(selection, cancellationToken)).ToStatistics();
            }
        }

        return ModelComparer.Compare(request, (s, m) => statistics[(s, m)]);
    }

    // ---------------------------------------------------------------- A/B test

    public async Task<AbTestResult> RunAbTestAsync(AbTestRequest request, CancellationToken cancellationToken = default)
    {
        var (_, options, _) = RequestValidation.AbTest(request);
        var a = await ArmAsync(request.A, options.Metric, request.Window, cancellationToken);
        var b = await ArmAsync(request.B, options.Metric, request.Window, cancellationToken);
        return AbTestAnalysis.Evaluate(request, a, b);
    }

    /// <summary>
    /// One arm: the tested metric's moments; requests and successes from the per-request 0/1 ErrorRate points (a fractional
    /// error-rate point counts as one request with 1 − value successes, rounded in total); mean quality and mean cost per
    /// cost point when recorded.
    /// </summary>
    private async Task<AbArmObservations> ArmAsync(MetricSubject subject, MetricKey metric, MetricWindow window, CancellationToken cancellationToken)
    {
        var tested = await Reader.AccumulateAsync(await SelectAsync(subject, metric, window, cancellationToken), cancellationToken);
        var errors = metric.Kind == MetricKind.ErrorRate ? tested : await Reader.AccumulateAsync(await SelectAsync(subject, MetricKey.ErrorRate, window, cancellationToken), cancellationToken);
        var quality = metric.Kind == MetricKind.Quality ? tested : await Reader.AccumulateAsync(await SelectAsync(subject, MetricKey.Quality, window, cancellationToken), cancellationToken);
        var cost = metric.Kind == MetricKind.Cost ? tested : await Reader.AccumulateAsync(await SelectAsync(subject, MetricKey.Cost, window, cancellationToken), cancellationToken);
        var (requests, successes) = Outcomes(errors.Moments);
        return new AbArmObservations(
            subject,
            tested.Moments,
            requests > 0 ? requests : null,
            requests > 0 ? successes : null,
            quality.Count > 0 ? MetricAccumulator.Mean(quality.Moments) : null,
            cost.Count > 0 ? ToMoney(cost.Moments.Sum) / cost.Count : null);
    }

    private static (long Requests, long Successes) Outcomes(RunningMoments errorRate)
        => errorRate.Count == 0 ? (0, 0) : (errorRate.Count, errorRate.Count - (long)Math.Round(errorRate.Sum, MidpointRounding.AwayFromZero));

    // ---------------------------------------------------------------- cost

    public async Task<CostSummary> GetCostSummaryAsync(CostQuery query, CostGrouping groupBy, CancellationToken cancellationToken = default)
    {
        RequestValidation.Cost(query);
        Guard.Defined(groupBy);

        var groups = new Dictionary<string, (decimal Cost, long Requests, long In, long Out)>(StringComparer.Ordinal);
        var days = new Dictionary<long, string>();
        var providers = new Dictionary<MetricSeries, string?>();
        string Key(MetricSeries series, string? provider, long ticks) => groupBy switch
        {
            CostGrouping.Provider => provider ?? CostAnalysis.NoProvider,
            CostGrouping.Model => series.ModelName,
            CostGrouping.Version => $"{series.ModelName}/{series.Version}",
            _ => Day(ticks, days),
        };

        var stored = await StoredNamesAsync(query, cancellationToken);
        await foreach (var (series, provider, ticksMemory, valuesMemory, rollups) in CostSeriesAsync(stored, CostKey, providers, cancellationToken))
        {
            var ticks = ticksMemory.Span;
            var values = valuesMemory.Span;
            for (var i = 0; i < values.Length; i++)
            {
                var key = Key(series, provider, ticks[i]);
                groups.TryGetValue(key, out var g);
                groups[key] = (g.Cost + ToMoney(values[i]), g.Requests + 1, g.In, g.Out);
            }

            foreach (var r in rollups)
            {
                var key = Key(series, provider, r.HourStartUtcTicks);
                groups.TryGetValue(key, out var g);
                groups[key] = (g.Cost + ToMoney(r.Sum), g.Requests + r.Count, g.In, g.Out);
            }
        }

        foreach (var (metric, input) in new[] { (InferencePoints.InputTokensKey, true), (InferencePoints.OutputTokensKey, false) })
        {
            void Add(string key, double tokens)
            {
                groups.TryGetValue(key, out var g);
                var n = (long)Math.Round(tokens, MidpointRounding.AwayFromZero);
                groups[key] = input ? (g.Cost, g.Requests, g.In + n, g.Out) : (g.Cost, g.Requests, g.In, g.Out + n);
            }

            await foreach (var (series, provider, ticksMemory, valuesMemory, rollups) in CostSeriesAsync(stored, metric, providers, cancellationToken))
            {
                var ticks = ticksMemory.Span;
                var values = valuesMemory.Span;
                for (var i = 0; i < values.Length; i++)
                {
                    Add(Key(series, provider, ticks[i]), values[i]);
                }

                foreach (var r in rollups)
                {
                    Add(Key(series, provider, r.HourStartUtcTicks), r.Sum);
                }
            }
        }

        var list = groups
            .Select(g => new CostGroup { Key = g.Key, Cost = g.Value.Cost, RequestCount = g.Value.Requests, InputTokens = g.Value.In, OutputTokens = g.Value.Out })
            .OrderByDescending(g => g.Cost)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        return new CostSummary
        {
            Query = query,
            GroupBy = groupBy,
            TotalCost = list.Sum(g => g.Cost),
            RequestCount = list.Sum(g => g.RequestCount),
            InputTokens = list.Sum(g => g.InputTokens),
            OutputTokens = list.Sum(g => g.OutputTokens),
            Groups = list,
        };
    }

    public async Task<CostTrend> GetCostTrendAsync(CostQuery query, TimeBucketSize bucketSize, CancellationToken cancellationToken = default)
    {
        RequestValidation.Cost(query);
        RequestValidation.BucketSize(bucketSize);
        var cover = TimeBucketing.Cover(query.Window, bucketSize);
        var cost = new decimal[cover.Count];
        var count = new long[cover.Count];
        var first = cover[0].Start.UtcTicks;
        var length = TimeBucketing.Ticks(bucketSize);
        await foreach (var (_, _, ticksMemory, valuesMemory, rollups) in CostSeriesAsync(await StoredNamesAsync(query, cancellationToken), CostKey, [], cancellationToken))
        {
            var ticks = ticksMemory.Span;
            var values = valuesMemory.Span;
            for (var i = 0; i < values.Length; i++)
            {
                var b = (int)((ticks[i] - (ticks[i] % length) - first) / length);
                cost[b] += ToMoney(values[i]);
                count[b]++;
            }

            // Minute buckets cannot split an hourly roll-up; they come from raw points only.
            if (bucketSize != TimeBucketSize.Minute)
            {
                foreach (var r in rollups)
                {
                    var b = (int)((r.HourStartUtcTicks - (r.HourStartUtcTicks % length) - first) / length);
                    cost[b] += ToMoney(r.Sum);
                    count[b] += r.Count;
                }
            }
        }

        return new CostTrend
        {
            Query = query,
            BucketSize = bucketSize,
            Points = cover.Select((b, i) => new CostTrendPoint { Start = b.Start, End = b.End, Cost = cost[i], RequestCount = count[i] }).ToArray(),
            TotalCost = cost.Sum(),
            SlopePerBucket = CostAnalysis.Slope(cost.Select(c => (double)c).ToArray()),
        };
    }

    public async Task<RoiReport> GetRoiAsync(MetricSubject subject, MetricWindow window, CancellationToken cancellationToken = default)
    {
        MetricValidation.Subject(subject, "subject");
        MetricValidation.Window(window, "window");
        var (model, version) = await Resolver.CanonicalAsync(subject, cancellationToken);
        var observations = new RoiObservations();
        var costs = new MetricSelection(model, version, subject.BindingId, CostKey, window);
        await foreach (var batch in Reader.PointsAsync(costs, cancellationToken, withRequestIds: true))
        {
            observations.AddCost(batch);
        }

        await foreach (var rollup in Reader.RollupsAsync(costs, cancellationToken))
        {
            observations.AddCost(rollup);
        }

        foreach (var (metric, input) in new[] { (InferencePoints.InputTokensKey, true), (InferencePoints.OutputTokensKey, false) })
        {
            var tokens = costs with { Metric = metric };
            await foreach (var batch in Reader.PointsAsync(tokens, cancellationToken, withRequestIds: true))
            {
                observations.AddTokens(batch, input);
            }

            await foreach (var rollup in Reader.RollupsAsync(tokens, cancellationToken))
            {
                observations.AddTokens(rollup, input);
            }
        }

        // The list price is blended binding by binding over every token.
        decimal listTotal = 0;
        var listKnown = true;
        long inputTokens = 0, outputTokens = 0;
        foreach (var ((m, v, binding), inTokens, outTokens) in observations.TokensBySeries)
        {
            inputTokens += inTokens;
            outputTokens += outTokens;
            var price = binding is null ? null : (await Resolver.FindAsync(m, v, cancellationToken))?.Binding(binding);
            if (price is null)
            {
                listKnown = false;
            }
            else
            {
                listTotal += (inTokens * price.CostPer1KInputTokens) + (outTokens * price.CostPer1KOutputTokens);
            }
        }

        var errors = await Reader.AccumulateAsync(new MetricSelection(model, version, subject.BindingId, ErrorRateKey, window), cancellationToken);
        var quality = await Reader.AccumulateAsync(new MetricSelection(model, version, subject.BindingId, QualityKey, window), cancellationToken);
        var (requests, successes) = Outcomes(errors.Moments);
        if (requests == 0)
        {
            requests = observations.CostPoints;
        }

        var allTokens = inputTokens + outputTokens;
        decimal? list = allTokens > 0 && listKnown ? listTotal / allTokens : null;
        double? meanQuality = quality.Count > 0 ? MetricAccumulator.Mean(quality.Moments) : null;
        return CostAnalysis.RoiOf(subject, window, observations.TotalCost, requests, successes, inputTokens, outputTokens, meanQuality, observations.ObservedCostPer1KTokens(), list);
    }

    /// <summary>
    /// The cost query with the model and version named as their points are stored (see
    /// <see cref="SubjectResolver.CanonicalAsync"/>); resolved once per call, not once per metric read.
    /// </summary>
    private async ValueTask<CostQuery> StoredNamesAsync(CostQuery query, CancellationToken cancellationToken)
    {
        if (query.ModelName is null)
        {
            return query;
        }

        if (query.Version is not null)
        {
            var (model, version) = await Resolver.CanonicalAsync(new MetricSubject(query.ModelName, query.Version), cancellationToken);
            return query with { ModelName = model, Version = version };
        }

        return query with { ModelName = (await _registryStore.FindModelAsync(query.ModelName, cancellationToken))?.Name ?? query.ModelName };
    }

    /// <summary>
    /// The series of one metric that a cost query (with stored names, see <see cref="StoredNamesAsync"/>) selects, each
    /// with its provider, raw timestamps and values, and its roll-ups (batches of one series are yielded separately; a
    /// series may come more than once).
    /// </summary>
    private async IAsyncEnumerable<(MetricSeries Series, string? Provider, ReadOnlyMemory<long> Ticks, ReadOnlyMemory<double> Values, IReadOnlyList<MetricRollupRecord> Rollups)> CostSeriesAsync(
        CostQuery query,
        string metric,
        Dictionary<MetricSeries, string?> providers,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var selection = new MetricSelection(query.ModelName, query.Version, query.BindingId, metric, query.Window);
        await foreach (var batch in Reader.PointsAsync(selection, cancellationToken))
        {
            var provider = await ProviderAsync(batch.Series, providers, cancellationToken);
            if (query.Provider is null || string.Equals(query.Provider, provider, StringComparison.OrdinalIgnoreCase))
            {
                yield return (batch.Series, provider, batch.TimestampsUtcTicks, batch.Values, []);
            }
        }

        await foreach (var rollup in Reader.RollupsAsync(selection, cancellationToken))
        {
            var provider = await ProviderAsync(rollup.Series, providers, cancellationToken);
            if (query.Provider is null || string.Equals(query.Provider, provider, StringComparison.OrdinalIgnoreCase))
            {
                yield return (rollup.Series, provider, ReadOnlyMemory<long>.Empty, ReadOnlyMemory<double>.Empty, [rollup]);
            }
        }
    }

    /// <summary>The provider of a series' binding (from the registry), or <see langword="null"/> without a binding or when the binding is gone.</summary>
    private async ValueTask<string?> ProviderAsync(MetricSeries series, Dictionary<MetricSeries, string?> providers, CancellationToken cancellationToken)
    {
        if (series.BindingId is null)
        {
            return null;
        }

        if (!providers.TryGetValue(series, out var provider))
        {
            provider = (await Resolver.FindAsync(series.ModelName, series.Version, cancellationToken))?.Binding(series.BindingId)?.Provider;
            providers[series] = provider;
        }

        return provider;
    }

    private static string Day(long ticks, Dictionary<long, string> days)
    {
        var day = ticks - (ticks % TimeSpan.TicksPerDay);
        if (!days.TryGetValue(day, out var text))
        {
            days[day] = text = new DateTime(day, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return text;
    }

    /// <summary>
    /// Money from a stored double. Decimal's conversion keeps 15 significant digits, which round-trips every price the
    /// pricing computed (a cost point is a decimal written as a double), so sums do not drift by fractions of a cent.
    /// </summary>
    internal static decimal ToMoney(double value) => (decimal)value;

    // ---------------------------------------------------------------- drift

    public async Task<PsiResult> GetDriftAsync(DriftQuery query, CancellationToken cancellationToken = default)
    {
        RequestValidation.Drift(query);
        var reference = await Reader.ValuesAsync(await SelectAsync(query.ReferenceSubject ?? query.Subject, query.Metric, query.ReferenceWindow, cancellationToken), cancellationToken);
        var current = await Reader.ValuesAsync(await SelectAsync(query.Subject, query.Metric, query.CurrentWindow, cancellationToken), cancellationToken);
        return PopulationStability.Compute(reference, current, query.Bins);
    }

    // ---------------------------------------------------------------- helpers

    private async ValueTask<MetricSelection> SelectAsync(MetricSubject subject, MetricKey metric, MetricWindow window, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? dimensions = null)
    {
        var (model, version) = await Resolver.CanonicalAsync(subject, cancellationToken);
        return new MetricSelection(model, version, subject.BindingId, MetricNames.Key(metric), window, dimensions);
    }
}
