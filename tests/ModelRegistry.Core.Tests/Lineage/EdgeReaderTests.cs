using System.Text;
using CsCheck;
using FluentAssertions;
using ModelRegistry.Lineage;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class EdgeReaderTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 1, 20]),
        (1, Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['"', '"'], Gen.Char['\\', '\\'], Gen.Char['é', 'é'], Gen.Char['\u2028', '\u2028'], Gen.Char['/', '/']), 1, 300]));

    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Long[TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks / 2].SelectMany(ticks => Gen.Int[-12 * 60, 12 * 60].Select(minutes => new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes))));

    private static readonly Gen<DateTimeOffset?> MaybeInstant = Gen.Frequency((1, Gen.Const((DateTimeOffset?)null)), (1, Instant.Select(i => (DateTimeOffset?)i)));

    private static readonly Gen<string?> MaybeText = Gen.Frequency((1, Gen.Const((string?)null)), (2, Text.Select(t => (string?)t)));

    private static readonly Gen<string?> Metadata = Gen.Bool.Select(b => b ? null : (string?)"{\"a\":\"b\\\"c\",\"n\":[1,2]}");

    private static readonly Gen<LineageEdge> Edges =
        Gen.Select(Gen.Guid, Text, Text, Gen.Enum<LineageEdgeKind>(), MaybeText, Instant, Text)
            .SelectMany(e => Gen.Select(MaybeInstant, MaybeText, Metadata).Select(extra => new LineageEdge
            {
                Id = e.Item1,
                From = "dataset:" + e.Item2,
                To = "run:" + e.Item3,
                Kind = e.Item4,
                CustomKind = e.Item5,
                CreatedAt = e.Item6,
                CreatedBy = e.Item7,
                RemovedAt = extra.Item1,
                RemovedBy = extra.Item2,
                Metadata = extra.Item3,
            }));

    [Fact]
    public void Reading_an_edge_from_its_stored_bytes_gives_what_the_serializer_gives()
    {
        Edges.Sample(edge =>
        {
            var json = StoreSerializer.Serialize(edge);
            var pool = new StringPool();
            var fast = LineageDocuments.ReadEdge(Encoding.UTF8.GetBytes(json), pool);
            fast.Should().Be(StoreSerializer.Deserialize<LineageEdge>(json));
            fast.CreatedAt.Offset.Should().Be(edge.CreatedAt.Offset);
        });
    }

    [Fact]
    public void Edge_ids_and_actors_read_from_bytes_share_one_string_per_text()
    {
        var pool = new StringPool();
        var known = "dataset:customers";
        pool.Add(known);
        var edge = new LineageEdge { Id = Guid.NewGuid(), From = "run:r1", To = "dataset:customers", Kind = LineageEdgeKind.TrainedOn, CreatedBy = "alice" };
        var bytes = Encoding.UTF8.GetBytes(StoreSerializer.Serialize(edge));

        var first = LineageDocuments.ReadEdge(bytes, pool);
        var second = LineageDocuments.ReadEdge(bytes, pool);

        first.To.Should().BeSameAs(known);
        second.From.Should().BeSameAs(first.From);
        second.CreatedBy.Should().BeSameAs(first.CreatedBy);
    }

    [Theory]
    [InlineData("{\"Id\":\"00000000-0000-0000-0000-000000000001\",\"From\":\"a:b\",\"To\":\"c:d\",\"Kind\":\"trainedOn\",\"CreatedAt\":\"2026-01-01T00:00:00+00:00\",\"CreatedBy\":\"x\"}")]
    [InlineData("{\"Id\":\"00000000-0000-0000-0000-000000000001\",\"From\":\"a:b\",\"To\":\"c:d\",\"Kind\":3,\"CreatedAt\":\"2026-01-01T00:00:00+00:00\",\"CreatedBy\":\"x\",\"Extra\":1}")]
    [InlineData("{\"Id\":\"00000000-0000-0000-0000-000000000001\",\"Fr\\u006fm\":\"a:b\",\"To\":\"c:d\",\"Kind\":\"TrainedOn\",\"CreatedAt\":\"2026-01-01T00:00:00+00:00\",\"CreatedBy\":\"x\"}")]
    [InlineData("{\"From\":\"a:b\"")]
    [InlineData("[]")]
    public void Unexpected_stored_edge_json_is_read_or_refused_exactly_as_the_serializer_does(string json)
    {
        var expected = Record(() => StoreSerializer.Deserialize<LineageEdge>(json));
        var actual = Record(() => LineageDocuments.ReadEdge(Encoding.UTF8.GetBytes(json), new StringPool()));

        actual.Should().BeEquivalentTo(expected);
    }

    private static (LineageEdge? Edge, ErrorCode? Error) Record(Func<LineageEdge> read)
    {
        try
        {
            return (read(), null);
        }
        catch (ModelRegistryException ex)
        {
            return (null, ex.Code);
        }
    }
}
