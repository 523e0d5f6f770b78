using System.Buffers.Binary;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The stored form of a <see cref="QuantileSketch"/> inside a roll-up row (<see cref="Storage.MetricRollupRecord.Sketch"/>):
/// a compact binary blob that adapters store verbatim.
/// </summary>
/// <remarks>
/// Layout (little-endian): format byte (1); relative accuracy, min, max as doubles; zero count as a varint; then the
/// positive and the negative buckets, each as a varint count of buckets followed by (zig-zag varint index delta from
/// the previous index, varint count) pairs. Latencies from 1 ms to 100 s take about 600 buckets, so a roll-up sketch is
/// one to two kilobytes.
/// </remarks>
internal static class SketchCodec
{
    private const byte Format = 1;

    public static byte[] Encode(QuantileSketch sketch)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        var snapshot = sketch.ToSnapshot();
        var buffer = new byte[1 + 24 + 10 + 10 + 10 + ((snapshot.Positive.Count + snapshot.Negative.Count) * 15)];
        var span = buffer.AsSpan();
        span[0] = Format;
        BinaryPrimitives.WriteDoubleLittleEndian(span[1..], snapshot.RelativeAccuracy);
        BinaryPrimitives.WriteDoubleLittleEndian(span[9..], snapshot.Min);
        BinaryPrimitives.WriteDoubleLittleEndian(span[17..], snapshot.Max);
        var at = 25;
        at += WriteVarint(span[at..], (ulong)snapshot.ZeroCount);
        at = WriteBuckets(span, at, snapshot.Positive);
        at = WriteBuckets(span, at, snapshot.Negative);
        return buffer[..at];
    }

    public static QuantileSketch Decode(byte[] data)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(data);
            var span = (ReadOnlySpan<byte>)data;
            if (span.Length < 26 || span[0] != Format)
            {
                throw new FormatException("unknown sketch format");
            }

            var accuracy = BinaryPrimitives.ReadDoubleLittleEndian(span[1..]);
            var min = BinaryPrimitives.ReadDoubleLittleEndian(span[9..]);
            var max = BinaryPrimitives.ReadDoubleLittleEndian(span[17..]);
            var at = 25;
            var zero = (long)ReadVarint(span, ref at);
            var positive = ReadBuckets(span, ref at);
            var negative = ReadBuckets(span, ref at);
            if (at != span.Length)
            {
                throw new FormatException("trailing bytes");
            }

            return QuantileSketch.FromSnapshot(new QuantileSketchSnapshot(accuracy, zero, positive, negative, min, max));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"A stored metric roll-up has an unreadable quantile sketch ({ex.Message}); the metric store is damaged.", innerException: ex);
        }
    }

    private static int WriteBuckets(Span<byte> span, int at, IReadOnlyList<SketchBucket> buckets)
    {
        at += WriteVarint(span[at..], (ulong)buckets.Count);
        var previous = 0;
        foreach (var (index, count) in buckets)
        {
            var delta = (long)index - previous;
            at += WriteVarint(span[at..], (ulong)((delta << 1) ^ (delta >> 63)));
            at += WriteVarint(span[at..], (ulong)count);
            previous = index;
        }

        return at;
    }

    private static SketchBucket[] ReadBuckets(ReadOnlySpan<byte> span, ref int at)
    {
        var n = ReadVarint(span, ref at);
        if (n > (ulong)span.Length)
        {
            throw new FormatException("bucket count beyond the data");
        }

        var buckets = new SketchBucket[(int)n];
        long previous = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            var zigzag = ReadVarint(span, ref at);
            var delta = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            previous = checked(previous + delta);
            var count = (long)ReadVarint(span, ref at);
            if (count <= 0)
            {
                throw new FormatException("a bucket with no count");
            }

            buckets[i] = new SketchBucket(checked((int)previous), count);
        }

        return buckets;
    }

    private static int WriteVarint(Span<byte> span, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("varint too long");
    }
}
