namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// The metric seam (<see cref="IMetricStore"/>) itself: atomic appends, streamed columnar reads with series and window
/// filters, roll-up rows, atomic compaction with its count check, and roll-up retention.
/// </summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class MetricStoreTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    private static readonly long T0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    private static readonly long Hour = TimeSpan.TicksPerHour;

    protected IMetricStore Metrics => Services.GetRequiredService<IMetricStore>();

    private static MetricSeries Series(string model = "chat", string version = "1.0.0", string? binding = null, string metric = "Latency")
        => new(model, version, binding, metric);

    private static MetricStoreQuery All(long from = 0, long to = long.MaxValue, int batchSize = 8192, bool details = false)
        => new() { FromUtcTicks = from, ToUtcTicks = to, BatchSize = batchSize, IncludeDetails = details };

    private async Task<List<(MetricSeries Series, long Ticks, double Value, string? Unit, string? RequestId, string? Dimensions)>> ReadAsync(MetricStoreQuery query)
    {
        var rows = new List<(MetricSeries, long, double, string?, string?, string?)>();
        await foreach (var batch in Metrics.ReadPointsAsync(query, Ct))
        {
            batch.TimestampsUtcTicks.Length.Should().Be(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                rows.Add((
                    batch.Series,
                    batch.TimestampsUtcTicks.Span[i],
                    batch.Values.Span[i],
                    query.IncludeDetails ? batch.Units.Span[i] : null,
                    query.IncludeDetails ? batch.RequestIds.Span[i] : null,
                    query.IncludeDetails ? batch.Dimensions.Span[i] : null));
            }
        }

        return rows;
    }

    private async Task<List<MetricRollupRecord>> RollupsAsync(MetricStoreQuery query)
    {
        var rows = new List<MetricRollupRecord>();
        await foreach (var r in Metrics.ReadRollupsAsync(query, Ct))
        {
            rows.Add(r);
        }

        return rows;
    }

    private static MetricRollupRecord Rollup(MetricSeries series, long hour, long count = 3, byte[]? sketch = null)
        => new(series, hour, count, count * 2.5, 2.5, 1.25, 1, 4, sketch ?? [1, 2, 3, 0, 255]);

    [Fact]
    public virtual async Task Appended_points_read_back_with_every_column()
    {
        var a = Series(binding: "openai-eu");
        var b = Series(metric: "Custom:tokens.input");
        await Metrics.AppendAsync(
        [
            new MetricPointRecord(a, T0 + 1, 12.5, "ms", "req-1", "{\"region\":\"eu\",\"tenant\":\"ünï\"}"),
            new MetricPointRecord(b, T0 + 2, 1024, null, null, null),
            new MetricPointRecord(a, T0 + 3, 0.1, null, "req-2", null),
        ], Ct);

        var rows = await ReadAsync(All(details: true));
        rows.Should().HaveCount(3);
        rows.Should().ContainEquivalentOf((a, T0 + 1, 12.5, (string?)"ms", (string?)"req-1", (string?)"{\"region\":\"eu\",\"tenant\":\"ünï\"}"));
        rows.Should().ContainEquivalentOf((b, T0 + 2, 1024d, (string?)null, (string?)null, (string?)null));
        rows.Should().ContainEquivalentOf((a, T0 + 3, 0.1, (string?)null, (string?)"req-2", (string?)null));
    }

    [Fact]
    public virtual async Task Details_are_only_returned_when_asked_for()
    {
        await Metrics.AppendAsync([new MetricPointRecord(Series(), T0, 1, "ms", "r", "{\"a\":\"b\"}")], Ct);
        await foreach (var batch in Metrics.ReadPointsAsync(All(), Ct))
        {
            batch.Count.Should().Be(1);
            batch.Units.Length.Should().Be(0);
            batch.RequestIds.Length.Should().Be(0);
            batch.Dimensions.Length.Should().Be(0);
        }
    }

    [Fact]
    public virtual async Task Timestamps_keep_every_tick_and_values_keep_every_bit()
    {
        double[] values = [0.1, 1e300, -1e300, 1e-300, -0.0, 123456789.123456789, double.Epsilon];
        var points = values.Select((v, i) => new MetricPointRecord(Series(metric: "Custom:x"), T0 + 1234567 + i, v)).ToList();
        await Metrics.AppendAsync(points, Ct);
        var rows = await ReadAsync(All());
        rows.Select(r => (r.Ticks, BitConverter.DoubleToInt64Bits(r.Value))).Should()
            .BeEquivalentTo(points.Select(p => (p.TimestampUtcTicks, BitConverter.DoubleToInt64Bits(p.Value))));
    }

    [Fact]
    public virtual async Task Reads_select_by_model_version_binding_and_metric_ordinally()
    {
        MetricSeries[] series =
        [
            Series(), Series(binding: "b1"), Series(binding: "b2"), Series(version: "2.0.0"), Series(model: "Chat"),
            Series(model: "other"), Series(metric: "ErrorRate"), Series(binding: "b1", metric: "ErrorRate"),
        ];
        await Metrics.AppendAsync(series.Select((s, i) => new MetricPointRecord(s, T0, i)).ToList(), Ct);

        async Task<double[]> Values(string? model, string? version, string? binding, string? metric)
            => [.. (await ReadAsync(All() with { ModelName = model, Version = version, BindingId = binding, Metric = metric })).Select(r => r.Value).Order()];

        (await Values("chat", "1.0.0", null, "Latency")).Should().Equal(0, 1, 2);
        (await Values("chat", "1.0.0", "b1", "Latency")).Should().Equal(1);
        (await Values("chat", null, null, "Latency")).Should().Equal(0, 1, 2, 3);
        (await Values("Chat", null, null, null)).Should().Equal(4);
        (await Values("chat", "1.0.0", "b1", null)).Should().Equal(1, 7);
        (await Values(null, null, null, "ErrorRate")).Should().Equal(6, 7);
        (await Values(null, null, null, null)).Should().HaveCount(series.Length);
        (await Values("CHAT", null, null, null)).Should().BeEmpty("Core passes canonical names; the store compares ordinally");
    }

    [Fact]
    public virtual async Task The_window_is_half_open()
    {
        await Metrics.AppendAsync([.. Enumerable.Range(0, 10).Select(i => new MetricPointRecord(Series(), T0 + (i * Hour), i))], Ct);
        var rows = await ReadAsync(All(T0 + (2 * Hour), T0 + (5 * Hour)));
        rows.Select(r => r.Value).Order().Should().Equal(2, 3, 4);
        (await ReadAsync(All(T0 + (2 * Hour) + 1, T0 + (5 * Hour) + 1))).Select(r => r.Value).Order().Should().Equal(3, 4, 5);
        (await ReadAsync(All(T0, T0))).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Batches_hold_one_series_and_at_most_the_batch_size()
    {
        var a = Series();
        var b = Series(version: "2.0.0");
        for (var chunk = 0; chunk < 5; chunk++)
        {
            await Metrics.AppendAsync([.. Enumerable.Range(0, 5000).Select(i => new MetricPointRecord(i % 3 == 0 ? b : a, T0 + (chunk * 5000) + i, i))], Ct);
        }

        long count = 0;
        double sum = 0;
        var batches = 0;
        await foreach (var batch in Metrics.ReadPointsAsync(All(batchSize: 1000), Ct))
        {
            batches++;
            batch.Count.Should().BeInRange(1, 1000);
            batch.Series.Should().BeOneOf(a, b);
            count += batch.Count;
            foreach (var v in batch.Values.Span)
            {
                sum += v;
            }
        }

        count.Should().Be(25_000);
        sum.Should().Be(5 * Enumerable.Range(0, 5000).Sum(i => (double)i));
        batches.Should().BeGreaterThanOrEqualTo(25);
    }

    [Fact]
    public virtual async Task An_append_with_an_invalid_point_stores_nothing()
    {
        await Metrics.AppendAsync([new MetricPointRecord(Series(), T0, 1)], Ct);
        var bad = new List<MetricPointRecord>
        {
            new(Series(), T0 + 1, 2),
            new(Series(), T0 + 2, 3),
            new(new MetricSeries(null!, "1.0.0", null, "Latency"), T0 + 3, 4),
        };
        var act = async () => await Metrics.AppendAsync(bad, Ct);
        await act.Should().ThrowAsync<ArgumentException>();
        (await ReadAsync(All())).Select(r => r.Value).Should().Equal(1);
    }

    [Fact]
    public virtual async Task An_empty_append_stores_nothing()
    {
        await Metrics.AppendAsync([], Ct);
        (await ReadAsync(All())).Should().BeEmpty();
        (await Metrics.GetOldestPointTimestampAsync(Ct)).Should().BeNull();
    }

    [Fact]
    public virtual async Task Concurrent_appends_are_all_stored()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < 20; b++)
            {
                await Metrics.AppendAsync([.. Enumerable.Range(0, 100).Select(i => new MetricPointRecord(Series(metric: $"Custom:w{w}"), T0 + (b * 100) + i, 1))], Ct);
            }
        })));

        var rows = await ReadAsync(All());
        rows.Should().HaveCount(8 * 20 * 100);
        rows.GroupBy(r => r.Series.Metric).Should().HaveCount(8).And.OnlyContain(g => g.Count() == 2000);
    }

    [Fact]
    public virtual async Task Oldest_point_timestamp_follows_appends_and_compaction()
    {
        (await Metrics.GetOldestPointTimestampAsync(Ct)).Should().BeNull();
        await Metrics.AppendAsync([new MetricPointRecord(Series(), T0 + (5 * Hour), 1), new MetricPointRecord(Series(version: "2.0.0"), T0 + Hour + 7, 1)], Ct);
        (await Metrics.GetOldestPointTimestampAsync(Ct)).Should().Be(T0 + Hour + 7);
        await Metrics.CompactAsync(new MetricCompaction(T0, T0 + (2 * Hour), 1, [Rollup(Series(version: "2.0.0"), T0 + Hour, 1)]), Ct);
        (await Metrics.GetOldestPointTimestampAsync(Ct)).Should().Be(T0 + (5 * Hour));
    }

    [Fact]
    public virtual async Task Compaction_replaces_the_raw_points_of_the_range_with_rollups()
    {
        var a = Series();
        var b = Series(binding: "b1", metric: "Cost");
        await Metrics.AppendAsync([.. Enumerable.Range(0, 4).SelectMany(h => new[] { new MetricPointRecord(a, T0 + (h * Hour) + 10, h), new MetricPointRecord(b, T0 + (h * Hour) + 20, h) })], Ct);
        var sketch = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        MetricRollupRecord[] rollups = [Rollup(a, T0 + Hour, 1, sketch), Rollup(a, T0 + (2 * Hour), 1), Rollup(b, T0 + Hour, 1), Rollup(b, T0 + (2 * Hour), 1)];

        await Metrics.CompactAsync(new MetricCompaction(T0 + Hour, T0 + (3 * Hour), 4, rollups), Ct);

        (await ReadAsync(All())).Select(r => (r.Series, r.Value)).Should().BeEquivalentTo(new[] { (a, 0d), (b, 0d), (a, 3d), (b, 3d) });
        var stored = await RollupsAsync(All());
        stored.Should().BeEquivalentTo(rollups);
        stored.Single(r => r.Series == a && r.HourStartUtcTicks == T0 + Hour).Sketch.Should().Equal(sketch, "the sketch is stored verbatim");
    }

    [Fact]
    public virtual async Task Compaction_with_a_stale_count_is_a_conflict_and_changes_nothing()
    {
        await Metrics.AppendAsync([.. Enumerable.Range(0, 5).Select(i => new MetricPointRecord(Series(), T0 + i, i))], Ct);
        var act = async () => await Metrics.CompactAsync(new MetricCompaction(T0, T0 + Hour, 4, [Rollup(Series(), T0, 4)]), Ct);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);
        (await ReadAsync(All())).Should().HaveCount(5);
        (await RollupsAsync(All())).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Rollups_are_selected_by_series_and_hour_and_several_rows_of_one_hour_are_kept()
    {
        var a = Series();
        var b = Series(version: "2.0.0", metric: "ErrorRate");
        await Metrics.CompactAsync(new MetricCompaction(T0, T0 + (4 * Hour), 0, [Rollup(a, T0), Rollup(a, T0 + Hour), Rollup(b, T0 + Hour), Rollup(a, T0 + (3 * Hour))]), Ct);

        // Points that arrived late for an hour that was already rolled up are compacted into a second row.
        await Metrics.AppendAsync([new MetricPointRecord(a, T0 + Hour + 5, 9)], Ct);
        await Metrics.CompactAsync(new MetricCompaction(T0 + Hour, T0 + (2 * Hour), 1, [Rollup(a, T0 + Hour, 1)]), Ct);

        (await RollupsAsync(All(T0 + Hour, T0 + (3 * Hour)) with { ModelName = "chat", Version = "1.0.0", Metric = "Latency" }))
            .Select(r => (r.HourStartUtcTicks, r.Count)).Should().BeEquivalentTo(new[] { (T0 + Hour, 3L), (T0 + Hour, 1L) });
        (await RollupsAsync(All() with { Metric = "ErrorRate" })).Should().ContainSingle().Which.Series.Should().Be(b);
        (await RollupsAsync(All(T0 + Hour + 1, T0 + (3 * Hour) + 1))).Select(r => r.HourStartUtcTicks).Should().Equal(T0 + (3 * Hour));
        (await ReadAsync(All())).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Rollup_retention_deletes_hours_before_an_instant()
    {
        await Metrics.CompactAsync(new MetricCompaction(T0, T0 + (5 * Hour), 0, [.. Enumerable.Range(0, 5).Select(h => Rollup(Series(), T0 + (h * Hour)))]), Ct);
        (await Metrics.DeleteRollupsBeforeAsync(T0 + (2 * Hour), Ct)).Should().Be(2);
        (await RollupsAsync(All())).Select(r => r.HourStartUtcTicks).Order().Should().Equal(T0 + (2 * Hour), T0 + (3 * Hour), T0 + (4 * Hour));
        (await Metrics.DeleteRollupsBeforeAsync(T0, Ct)).Should().Be(0);
    }

    [Fact]
    public virtual async Task Metric_writes_never_touch_the_registry_or_the_audit_trail()
    {
        var before = await SnapshotAsync();
        await Metrics.AppendAsync([new MetricPointRecord(Series(), T0, 1)], Ct);
        await Metrics.CompactAsync(new MetricCompaction(T0, T0 + Hour, 1, [Rollup(Series(), T0, 1)]), Ct);
        await ShouldBeUnchangedAsync(before);
    }
}
