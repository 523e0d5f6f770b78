using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Internal;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// Calendar buckets in UTC. Every size is a fixed number of ticks (UTC has no daylight-saving jumps), and a bucket starts
/// at a multiple of its length counted from 0001-01-01T00:00Z — which was a Monday, so weeks start on Monday as in ISO 8601.
/// </summary>
internal static class TimeBucketing
{
    /// <summary>The most buckets one window may span (a week of minutes is 10,080; a year of hours 8,784).</summary>
    public const long MaxBuckets = 100_000;

    public static long Ticks(TimeBucketSize size) => Guard.Defined(size, "bucketSize") switch
    {
        TimeBucketSize.Minute => TimeSpan.TicksPerMinute,
        TimeBucketSize.Hour => TimeSpan.TicksPerHour,
        TimeBucketSize.Day => TimeSpan.TicksPerDay,
        TimeBucketSize.Week => 7 * TimeSpan.TicksPerDay,
        _ => throw new UnreachableException($"TimeBucketSize.{size} is defined but has no bucket length here."),
    };

    /// <summary>The start (UTC) of the bucket holding <paramref name="timestamp"/>.</summary>
    public static DateTimeOffset Start(DateTimeOffset timestamp, TimeBucketSize size)
    {
        var length = Ticks(size);
        var ticks = timestamp.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % length), TimeSpan.Zero);
    }

    /// <summary>The exclusive end of the bucket starting at <paramref name="start"/> (saturating at the end of the calendar).</summary>
    public static DateTimeOffset End(DateTimeOffset start, TimeBucketSize size)
    {
        var length = Ticks(size);
        return start.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - length ? DateTimeOffset.MaxValue : start.AddTicks(length);
    }

    /// <summary>How many buckets overlap the window [From, To).</summary>
    public static long Count(MetricWindow window, TimeBucketSize size)
    {
        var first = Start(window.From, size).UtcTicks;
        var last = Start(window.To.AddTicks(-1), size).UtcTicks;
        return ((last - first) / Ticks(size)) + 1;
    }

    /// <summary>Throws when the window spans more than <see cref="MaxBuckets"/> buckets.</summary>
    public static void EnsureWithinLimit(MetricWindow window, TimeBucketSize size)
    {
        var count = Count(window, size);
        if (count > MaxBuckets)
        {
            throw Guard.Invalid(
                "bucketSize",
                $"The window {window} spans {count.ToString("N0", CultureInfo.InvariantCulture)} {size} buckets; at most {MaxBuckets.ToString("N0", CultureInfo.InvariantCulture)} are allowed. Use a larger bucket size or a shorter window.");
        }
    }

    /// <summary>Every bucket overlapping the window, in order.</summary>
    public static IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> Cover(MetricWindow window, TimeBucketSize size)
    {
        EnsureWithinLimit(window, size);
        var count = (int)Count(window, size);
        var result = new (DateTimeOffset, DateTimeOffset)[count];
        var start = Start(window.From, size);
        for (var i = 0; i < count; i++)
        {
            var end = End(start, size);
            result[i] = (start, end);
            start = end;
        }

        return result;
    }
}
