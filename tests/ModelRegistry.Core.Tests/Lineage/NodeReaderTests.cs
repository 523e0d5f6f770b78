using System.Text;
using CsCheck;
using FluentAssertions;
using ModelRegistry.Lineage;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class NodeReaderTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 1, 20]),
        (1, Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['"', '"'], Gen.Char['\\', '\\'], Gen.Char['é', 'é'], Gen.Char['<', '<'], Gen.Char['\u2028', '\u2028']), 1, 90]));

    private static readonly Gen<string?> MaybeText = Gen.Frequency((1, Gen.Const((string?)null)), (2, Text.Select(t => (string?)t)));

    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Long[TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks / 2].SelectMany(ticks => Gen.Int[-12 * 60, 12 * 60].Select(minutes => new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes))));

    private static readonly Gen<DateTimeOffset?> MaybeInstant = Gen.Frequency((1, Gen.Const((DateTimeOffset?)null)), (1, Instant.Select(i => (DateTimeOffset?)i)));

    private static readonly Gen<LineageNodeDetails?> Details = Gen.OneOf(
        Gen.Const((LineageNodeDetails?)null),
        Gen.Select(MaybeText, MaybeText, Gen.Long.Select(l => (long?)l), Gen.Bool, Text.List[0, 3], MaybeText).Select(d => (LineageNodeDetails?)new DatasetDetails
        {
            Uri = d.Item1,
            License = d.Item2,
            RowCount = d.Item4 ? d.Item3 : null,
            ContainsPersonalData = d.Item4,
            PersonalDataCategories = d.Item5,
            SourceSystem = d.Item6,
            SchemaSummary = d.Item1,
            Version = d.Item2,
            ContentHash = d.Item6,
        }),
        Gen.Select(MaybeText, Gen.Dictionary(Text, Text)[0, 3], MaybeInstant, MaybeInstant).Select(r => (LineageNodeDetails?)new TrainingRunDetails { CodeCommit = r.Item1, Parameters = r.Item2, StartedAt = r.Item3, EndedAt = r.Item4 }),
        Gen.Select(Text, MaybeText, MaybeText, Gen.Double[0, 100]).Select(d => (LineageNodeDetails?)new DeploymentDetails { Environment = d.Item1, Endpoint = d.Item2, Region = d.Item3, TrafficPercent = d.Item4 }),
        MaybeText.Select(t => (LineageNodeDetails?)new ConsumerDetails { Description = t }),
        Gen.Select(MaybeText, Gen.Double).Select(e => (LineageNodeDetails?)new EvaluationDetails { Suite = e.Item1, Metrics = new Dictionary<string, double> { ["f1"] = e.Item2 } }));

    private static readonly Gen<LineageNode> Nodes =
        Gen.Select(Text, Gen.Enum<LineageNodeKind>(), Text, MaybeText, Details, Instant, Text, Gen.Long[0, 1_000])
            .Select(n => new LineageNode
            {
                Id = "dataset:" + n.Item1,
                Kind = n.Item2,
                Name = n.Item3,
                CustomKind = n.Item4,
                Details = n.Item5,
                Metadata = n.Item4 is null ? null : "{\"a\":[1,\"x\\\"\"]}",
                CreatedAt = n.Item6,
                CreatedBy = n.Item7,
                Revision = n.Item8,
            });

    [Fact]
    public void Reading_a_node_from_its_stored_bytes_gives_what_the_serializer_gives()
    {
        Nodes.Sample(node =>
        {
            var json = StoreSerializer.Serialize(node);
            var fast = LineageDocuments.ReadNode(Encoding.UTF8.GetBytes(json), new StringPool());
            fast.Should().BeEquivalentTo(StoreSerializer.Deserialize<LineageNode>(json), o => o.RespectingRuntimeTypes());
            fast.CreatedAt.Offset.Should().Be(node.CreatedAt.Offset);
            fast.Details?.GetType().Should().Be(node.Details!.GetType());
        });
    }

    [Fact]
    public void Nodes_read_from_bytes_share_one_string_per_repeated_short_text()
    {
        var pool = new StringPool();
        var node = new LineageNode { Id = "deployment:d1", Kind = LineageNodeKind.Deployment, Name = "d", Details = new DeploymentDetails { Environment = "production", Region = "eu" }, CreatedBy = "alice" };
        var bytes = Encoding.UTF8.GetBytes(StoreSerializer.Serialize(node));

        var first = LineageDocuments.ReadNode(bytes, pool);
        var second = LineageDocuments.ReadNode(bytes, pool);

        second.CreatedBy.Should().BeSameAs(first.CreatedBy);
        ((DeploymentDetails)second.Details!).Environment.Should().BeSameAs(((DeploymentDetails)first.Details!).Environment);
        NodeReader.TryRead(bytes, pool).Should().NotBeNull("the common shape is read without the serializer");
    }

    [Theory]
    [InlineData("""{"Id":"a:b","Kind":"dataset","Name":"n","CreatedBy":"x"}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n","CreatedBy":"x","Extra":1}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n"}""")]
    [InlineData("""{"Id":"a:b","Kind":"Deployment","Name":"n","CreatedBy":"x","Details":{"$type":"deployment","Region":"eu"}}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n","CreatedBy":"x","Details":{"Uri":"u","$type":"dataset"}}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n","CreatedBy":"x","Details":{"$type":"dataset","RowCount":"5"}}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n","CreatedBy":"x","Details":{"$type":"dataset","PersonalDataCategories":null}}""")]
    [InlineData("""{"Id":"a:b","Kind":"TrainingRun","Name":"n","CreatedBy":"x","Details":{"$type":"run","Parameters":{"a":"1","a":"2"}}}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":"n","CreatedBy":"x","CreatedAt":null}""")]
    [InlineData("""{"Id":"a:b","Kind":"Dataset","Name":null,"CreatedBy":"x","Revision":2}""")]
    [InlineData("""{"Id":"a:b",""")]
    [InlineData("[]")]
    public void Unexpected_stored_node_json_is_read_or_refused_exactly_as_the_serializer_does(string json)
    {
        var expected = Record(() => StoreSerializer.Deserialize<LineageNode>(json));
        var actual = Record(() => LineageDocuments.ReadNode(Encoding.UTF8.GetBytes(json), new StringPool()));

        actual.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes());
    }

    private static (LineageNode? Node, string? Error) Record(Func<LineageNode> read)
    {
        try
        {
            return (read(), null);
        }
        catch (Exception ex)
        {
            return (null, ex is ModelRegistryException m ? m.Code.ToString() : ex.GetType().Name);
        }
    }
}
