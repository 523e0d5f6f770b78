using ModelRegistry.Storage.Sqlite.Internal;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>The metric tables in the registry file: migration of older files, isolation from the audit trail, sharing.</summary>
public sealed class SqliteMetricStoreFileTests : IDisposable
{
    private static readonly long T0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    private static MetricSeries Series(string metric = "Latency") => new("chat", "1.0.0", null, metric);

    private static async Task<List<(long Ticks, double Value)>> ReadAsync(IMetricStore metrics)
    {
        var rows = new List<(long, double)>();
        await foreach (var batch in metrics.ReadPointsAsync(new MetricStoreQuery { FromUtcTicks = 0, ToUtcTicks = long.MaxValue }, CancellationToken.None))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                rows.Add((batch.TimestampsUtcTicks.Span[i], batch.Values.Span[i]));
            }
        }

        return rows;
    }

    [Fact]
    public async Task A_file_written_before_the_metric_tables_existed_is_migrated_and_keeps_its_registry()
    {
        using (var old = _file.Open([SqliteSchema.Migrations[0]]))
        {
            await old.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0)], []), _ct);
        }

        using var store = _file.Open();
        (await store.FindModelAsync("m", _ct)).Should().NotBeNull();
        (await store.ScalarAsync("SELECT max(version) FROM schema_migrations", _ct)).Should().Be((long)SqliteSchema.CurrentVersion);
        var metrics = new SqliteMetricStore(store);
        await metrics.AppendAsync([new MetricPointRecord(Series(), T0, 4.5)], _ct);
        (await ReadAsync(metrics)).Should().Equal((T0, 4.5));
    }

    [Fact]
    public async Task A_time_range_read_of_many_interleaved_series_returns_every_point_once_in_one_series_batches()
    {
        // 100 series (more than the reader keeps open at once) written in time order, so rows of different series
        // interleave in the time index; some have a binding, some details.
        using var store = _file.Open();
        var metrics = new SqliteMetricStore(store);
        var series = Enumerable.Range(0, 100).Select(i => new MetricSeries(i % 2 == 0 ? "chat" : "ünïcode", $"1.0.{i % 5}", i % 3 == 0 ? null : $"b{i % 7}", $"Custom:m{i}")).ToList();
        var points = Enumerable.Range(0, 2_000).Select(i => new MetricPointRecord(series[(i * 37) % 100], T0 + i, i, i % 4 == 0 ? "ms" : null, $"r{i}", i % 3 == 0 ? "{\"k\":\"v\"}" : null)).ToList();
        await metrics.AppendAsync(points, _ct);

        var read = new List<MetricPointRecord>();
        await foreach (var batch in metrics.ReadPointsAsync(new MetricStoreQuery { FromUtcTicks = T0, ToUtcTicks = T0 + 2_000, IncludeDetails = true, BatchSize = 7 }, _ct))
        {
            batch.Count.Should().BeInRange(1, 7);
            for (var i = 0; i < batch.Count; i++)
            {
                read.Add(new MetricPointRecord(batch.Series, batch.TimestampsUtcTicks.Span[i], batch.Values.Span[i], batch.Units.Span[i], batch.RequestIds.Span[i], batch.Dimensions.Span[i]));
            }
        }

        read.OrderBy(p => p.TimestampUtcTicks).Should().Equal(points);
    }

    [Fact]
    public async Task Metric_writes_add_no_audit_rows_and_compaction_conflicts_roll_back()
    {
        using var store = _file.Open();
        var metrics = new SqliteMetricStore(store);
        await metrics.AppendAsync([.. Enumerable.Range(0, 3).Select(i => new MetricPointRecord(Series(), T0 + i, -0.0))], _ct);
        var act = async () => await metrics.CompactAsync(new MetricCompaction(T0, T0 + TimeSpan.TicksPerHour, 2, []), _ct);
        (await act.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.ConcurrencyConflict);

        (await store.ScalarAsync("SELECT count(*) FROM audit", _ct)).Should().Be(0L);
        (await store.ScalarAsync("SELECT count(*) FROM metric_points", _ct)).Should().Be(3L);
        (await ReadAsync(metrics)).Should().OnlyContain(r => BitConverter.DoubleToInt64Bits(r.Value) == BitConverter.DoubleToInt64Bits(-0.0), "-0.0 keeps its sign");
    }

    [Fact]
    public async Task Two_stores_on_one_file_see_each_others_points()
    {
        using var first = _file.Open();
        using var second = _file.Open();
        await new SqliteMetricStore(first).AppendAsync([new MetricPointRecord(Series(), T0, 1)], _ct);
        await new SqliteMetricStore(second).AppendAsync([new MetricPointRecord(Series("ErrorRate"), T0 + 1, 2)], _ct);
        (await ReadAsync(new SqliteMetricStore(first))).Should().BeEquivalentTo(new[] { (T0, 1d), (T0 + 1, 2d) });
        (await new SqliteMetricStore(second).GetOldestPointTimestampAsync(_ct)).Should().Be(T0);
    }

    [Fact]
    public async Task An_in_memory_store_serves_metrics_too()
    {
        using var store = SqliteRegistryStore.Open(new SqliteStoreOptions { ConnectionString = "Data Source=:memory:" });
        var metrics = new SqliteMetricStore(store);
        await metrics.AppendAsync([new MetricPointRecord(Series(), T0, 1), new MetricPointRecord(Series(), T0 + 1, 2)], _ct);
        await metrics.CompactAsync(new MetricCompaction(T0, T0 + 1, 1, [new MetricRollupRecord(Series(), T0, 1, 1, 1, 0, 1, 1, [7])]), _ct);
        (await ReadAsync(metrics)).Should().Equal((T0 + 1, 2d));
        var rollups = new List<MetricRollupRecord>();
        await foreach (var r in metrics.ReadRollupsAsync(new MetricStoreQuery { FromUtcTicks = 0, ToUtcTicks = long.MaxValue }, _ct))
        {
            rollups.Add(r);
        }

        rollups.Should().ContainSingle().Which.Sketch.Should().Equal(7);
    }

    [Fact]
    public void UseSqlite_registers_the_SQLite_metric_store_on_the_registry_store()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseSqlite(_file.ConnectionString);
        services.Count(d => d.ServiceType == typeof(IMetricStore)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IMetricStore>().Should().BeOfType<SqliteMetricStore>();
        provider.GetRequiredService<IRegistryStore>().Should().BeSameAs(provider.GetRequiredService<SqliteRegistryStore>());
    }
}
