using CsCheck;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class TimeBucketingTests
{
    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    [Theory]
    [InlineData(TimeBucketSize.Minute, "2025-03-05T14:37:00Z")]
    [InlineData(TimeBucketSize.Hour, "2025-03-05T14:00:00Z")]
    [InlineData(TimeBucketSize.Day, "2025-03-05T00:00:00Z")]
    [InlineData(TimeBucketSize.Week, "2025-03-03T00:00:00Z")] // Wednesday 5 March 2025 → Monday 3 March
    public void Buckets_are_aligned_in_UTC(TimeBucketSize size, string expected)
    {
        var t = new DateTimeOffset(2025, 3, 5, 14, 37, 52, 123, TimeSpan.Zero);
        TimeBucketing.Start(t, size).Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_local_offset_is_converted_to_UTC_before_bucketing()
    {
        // 01:30 on 3 March at +02:00 is 23:30 UTC on Sunday 2 March: the previous UTC day and ISO week.
        var t = new DateTimeOffset(2025, 3, 3, 1, 30, 0, TimeSpan.FromHours(2));
        TimeBucketing.Start(t, TimeBucketSize.Day).Should().Be(Utc(2025, 3, 2));
        TimeBucketing.Start(t, TimeBucketSize.Week).Should().Be(Utc(2025, 2, 24));
        TimeBucketing.Start(t, TimeBucketSize.Day).Offset.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Weeks_start_on_Monday_as_in_ISO_8601()
    {
        Gen.Long[Utc(1970, 1, 1).UtcTicks, Utc(2100, 1, 1).UtcTicks].Sample(ticks =>
        {
            var t = new DateTimeOffset(ticks, TimeSpan.Zero);
            var start = TimeBucketing.Start(t, TimeBucketSize.Week);
            start.DayOfWeek.Should().Be(DayOfWeek.Monday);
            start.TimeOfDay.Should().Be(TimeSpan.Zero);
            (t - start).Should().BeGreaterThanOrEqualTo(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromDays(7));

            // The same week as System.Globalization.ISOWeek says.
            System.Globalization.ISOWeek.GetWeekOfYear(start.UtcDateTime).Should().Be(System.Globalization.ISOWeek.GetWeekOfYear(t.UtcDateTime));
        }, iter: 500);
    }

    [Fact]
    public void A_bucket_contains_its_start_but_not_its_end()
    {
        var start = Utc(2025, 1, 1, 10);
        TimeBucketing.Start(start, TimeBucketSize.Hour).Should().Be(start);
        TimeBucketing.Start(start.AddTicks(-1), TimeBucketSize.Hour).Should().Be(Utc(2025, 1, 1, 9));
        TimeBucketing.End(start, TimeBucketSize.Hour).Should().Be(Utc(2025, 1, 1, 11));
    }

    [Fact]
    public void Cover_lists_every_bucket_overlapping_the_half_open_window()
    {
        var window = new MetricWindow(Utc(2025, 1, 1, 10, 30), Utc(2025, 1, 1, 13));
        TimeBucketing.Cover(window, TimeBucketSize.Hour).Select(b => b.Start).Should()
            .Equal(Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 11), Utc(2025, 1, 1, 12));
        TimeBucketing.Count(window, TimeBucketSize.Day).Should().Be(1);
    }

    [Fact]
    public void A_window_spanning_too_many_buckets_is_refused()
    {
        var window = new MetricWindow(Utc(2020, 1, 1), Utc(2025, 1, 1));
        var act = () => TimeBucketing.Cover(window, TimeBucketSize.Minute);
        var error = act.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.Message.Should().Contain("larger bucket size");
        TimeBucketing.Cover(window, TimeBucketSize.Day).Should().HaveCount(1827);
    }

    [Fact]
    public async Task Bucketed_statistics_leave_out_empty_buckets_and_points_outside_the_window()
    {
        await using var services = ModelRegistryServices.Create(timeProvider: new FakeTimeProvider(Utc(2025, 1, 2)));
        await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "chat", Owners = ["team-ml"] });
        await services.Registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" });
        var query = new MetricQuery
        {
            Subject = new MetricSubject("chat", "1.0.0"),
            Metric = MetricKey.Latency,
            Window = new MetricWindow(Utc(2025, 1, 1, 10, 30), Utc(2025, 1, 1, 14)),
        };
        var points = new (DateTimeOffset At, double Value)[]
        {
            (Utc(2025, 1, 1, 10, 15), 999), // before the window
            (Utc(2025, 1, 1, 10, 30), 10),
            (Utc(2025, 1, 1, 10, 59, 59), 20),
            (Utc(2025, 1, 1, 13, 0), 40),
            (Utc(2025, 1, 1, 14, 0), 999), // at the exclusive end
        };
        await services.Performance.RecordBatchAsync(
            [.. points.Select(p => new MetricPoint { ModelName = "chat", Version = "1.0.0", Kind = MetricKind.Latency, Value = p.Value, Timestamp = p.At })]);

        var result = await services.Performance.GetTimeBucketsAsync(query, TimeBucketSize.Hour);

        result.BucketSize.Should().Be(TimeBucketSize.Hour);
        result.Buckets.Select(b => b.Start).Should().Equal(Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 13));
        result.Buckets[0].End.Should().Be(Utc(2025, 1, 1, 11));
        result.Buckets[0].Statistics.Count.Should().Be(2);
        result.Buckets[0].Statistics.Mean.Should().Be(15);
        result.Buckets[1].Statistics.Max.Should().Be(40);
    }

    [Fact]
    public void The_last_bucket_of_the_calendar_ends_at_the_calendar_end()
        => TimeBucketing.End(TimeBucketing.Start(DateTimeOffset.MaxValue, TimeBucketSize.Week), TimeBucketSize.Week).Should().Be(DateTimeOffset.MaxValue);
}
