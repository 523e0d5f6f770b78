using FluentAssertions.Equivalency;
using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Sqlite.Tests.Support;

public static class Equivalence
{
    /// <summary>Member-by-member comparison of records (their Equals compares collections by reference).</summary>
    public static EquivalencyAssertionOptions<T> Members<T>(EquivalencyAssertionOptions<T> o)
        => o.ComparingByMembers<RegisteredModel>()
            .ComparingByMembers<ModelVersion>()
            .ComparingByMembers<ProviderBinding>()
            .ComparingByMembers<ModelArtifact>()
            .ComparingByMembers<AuditRecord>()
            .Using<SemanticVersion>(ctx => ctx.Subject.ToString().Should().Be(ctx.Expectation.ToString())).WhenTypeIs<SemanticVersion>()
            .Using<DateTimeOffset>(ctx =>
            {
                ctx.Subject.UtcTicks.Should().Be(ctx.Expectation.UtcTicks);
                ctx.Subject.Offset.Should().Be(ctx.Expectation.Offset);
            }).WhenTypeIs<DateTimeOffset>()
            .WithStrictOrdering();

    /// <summary>The record reads back exactly: same members and the same stored JSON.</summary>
    public static void ShouldRoundTrip<T>(this T? actual, T expected)
        where T : class
    {
        actual.Should().NotBeNull();
        actual.Should().BeEquivalentTo(expected, Members);
        StoreSerializer.Serialize(actual).Should().Be(StoreSerializer.Serialize(expected));
    }
}
