using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using FluentAssertions;
using ModelRegistry.Lineage;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Lineage;

public sealed class VersionReaderTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 1, 20]),
        (1, Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['"', '"'], Gen.Char['\\', '\\'], Gen.Char['é', 'é'], Gen.Char['<', '<'], Gen.Char['+', '+'], Gen.Char['\u2028', '\u2028']), 1, 60]));

    private static readonly Gen<string?> MaybeText = Gen.Frequency((1, Gen.Const((string?)null)), (2, Text.Select(t => (string?)t)));

    private static readonly Gen<SemanticVersion> Versions = Gen.Select(Gen.Int[0, 30], Gen.Int[0, 30], Gen.Int[0, 30], Gen.OneOf(Gen.Const(""), Gen.Const("-rc.1"), Gen.Const("-alpha"), Gen.Const("+b7"), Gen.Const("-beta.2+sha.5")))
        .Select(v => SemanticVersion.Parse($"{v.Item1}.{v.Item2}.{v.Item3}{v.Item4}"));

    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Long[TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.UtcTicks / 2].SelectMany(ticks => Gen.Int[-12 * 60, 12 * 60].Select(minutes => new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes))));

    private static readonly Gen<ModelVersion> Models =
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], Versions, Gen.Enum<ModelStage>(), Gen.Frequency((1, Gen.Const((int?)null)), (1, Gen.Int[1, 99].Select(p => (int?)p))), MaybeText, MaybeText, MaybeText, Instant)
            .SelectMany(v => Gen.Select(Text, Gen.Long[1, 1_000], MaybeText, Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 5], Text)[0, 3], Gen.Bool).Select(more => new ModelVersion
            {
                ModelName = v.Item1,
                Version = v.Item2,
                Stage = v.Item3,
                CanaryTrafficPercent = v.Item4,
                RunId = v.Item5,
                DerivedFrom = v.Item6,
                Description = v.Item7,
                CreatedAt = v.Item8,
                ContentHash = more.Item1 + "0123abcd",
                CreatedBy = more.Item1,
                UpdatedBy = "updater",
                UpdatedAt = v.Item8.AddDays(1),
                StageChangedAt = v.Item8.AddHours(1),
                Revision = more.Item2,
                SourceCommit = more.Item3,
                Parameters = more.Item4,
                Tags = more.Item4,
                Metrics = new Dictionary<string, double> { ["accuracy"] = 0.5, ["f1"] = 1e-300 },
                Artifacts = more.Item5 ? [new ModelArtifact(ArtifactType.Weights, "s3://x/y", "ab", 12, "MIT")] : [],
                IdempotencyKey = more.Item5 ? "key-1" : null,
            }));

    [Fact]
    public void A_stored_version_is_summarised_from_its_bytes_as_from_the_deserialised_record()
    {
        Models.Sample(version =>
        {
            var bytes = Encoding.UTF8.GetBytes(StoreSerializer.Serialize(version));
            VersionReader.TryRead(bytes, out var fast).Should().BeTrue();
            fast.Should().Be(VersionSummary.Of(StoreSerializer.Deserialize<ModelVersion>(Encoding.UTF8.GetString(bytes))));
            fast.CreatedAt.Offset.Should().Be(version.CreatedAt.Offset);
        });
    }

    [Fact]
    public void A_version_node_is_described_as_it_always_was()
    {
        Models.Sample(version =>
        {
            var node = RegistryNodes.Describe(version);
            node.Id.Should().Be(LineageNodeIds.Version(version.ModelName, version.Version));
            node.Name.Should().Be($"{version.ModelName} {version.Version}");
            node.Metadata.Should().Be(ReferenceMetadata(version));
            node.CreatedAt.Should().Be(version.CreatedAt);
            node.CreatedBy.Should().Be(version.CreatedBy);
            node.Revision.Should().Be(version.Revision);
        });
    }

    [Theory]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","Stage":"production","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a"}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","Stage":3,"ContentHash":"h","CreatedBy":"a","UpdatedBy":"a"}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","Stage":"Production","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a","Unknown":[1]}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","Stage":"Production","ContentHash":"h","CreatedBy":"a"}""")]
    [InlineData("""{"ModelName":"m","Version":"not-a-version","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a"}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a","CanaryTrafficPercent":"5"}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a","Tags":[]}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","ContentHash":null,"CreatedBy":"a","UpdatedBy":"a","RunId":null}""")]
    [InlineData("""{"Model\u004eame":"m","Version":"1.0.0","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a"}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0","ContentHash":"h","CreatedBy":"a","UpdatedBy":"a","CreatedAt":null}""")]
    [InlineData("""{"ModelName":"m","Version":"1.0.0",""")]
    [InlineData("[]")]
    public void Unexpected_stored_version_json_is_summarised_or_refused_exactly_as_the_serializer_does(string json)
    {
        var expected = Record(() => VersionSummary.Of(StoreSerializer.Deserialize<ModelVersion>(json)));
        var actual = Record(() => VersionReader.Summarize(Encoding.UTF8.GetBytes(json)));

        actual.Should().BeEquivalentTo(expected);
    }

    /// <summary>How version nodes were described before the bulk load read versions from their bytes.</summary>
    private static string ReferenceMetadata(ModelVersion version)
    {
        var json = new JsonObject
        {
            ["model"] = version.ModelName,
            ["version"] = version.Version.ToString(),
            ["stage"] = version.Stage.ToString(),
            ["canaryTrafficPercent"] = version.CanaryTrafficPercent,
            ["contentHash"] = version.ContentHash,
            ["runId"] = version.RunId,
            ["derivedFrom"] = version.DerivedFrom,
        };
        foreach (var key in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            json.Remove(key);
        }

        return json.ToJsonString(StoreSerializer.Options);
    }

    private static (VersionSummary? Summary, ErrorCode? Error) Record(Func<VersionSummary> read)
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
