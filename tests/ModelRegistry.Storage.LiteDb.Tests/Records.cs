using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>Builders for records written straight through <see cref="IRegistryStore"/>.</summary>
internal static class Records
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static AuditDraft Draft(string action, string subject = "test:x", DateTimeOffset? at = null, string actor = "tester")
        => new(at ?? T0, actor, action, subject, "{\"k\":1}");

    public static RegisteredModel Model(string name, long revision = 1) => new()
    {
        Name = name,
        Description = $"{name} model",
        Owners = ["team-ml"],
        RiskTier = RiskTier.Limited,
        CreatedBy = "alice",
        UpdatedBy = "alice",
        CreatedAt = T0,
        UpdatedAt = T0,
        Revision = revision,
    };

    public static ModelVersion Version(string model, string version, long revision = 1) => new()
    {
        ModelName = model,
        Version = SemanticVersion.Parse(version),
        ContentHash = new string('0', 64),
        CreatedBy = "alice",
        UpdatedBy = "alice",
        CreatedAt = T0,
        UpdatedAt = T0,
        StageChangedAt = T0,
        Revision = revision,
    };

    public static StoreTransaction Tx(StoreWrite write, string action = "test") => new([write], [Draft(action)]);

    public static StoreTransaction Tx(IReadOnlyList<StoreWrite> writes, params string[] actions)
        => new(writes, [.. actions.Select(a => Draft(a))]);

    public static StoreQuery All(params SortKey[] order) => new(null, order.Length == 0 ? [Asc(SearchField.Name)] : order, int.MaxValue);

    public static StoreQuery AllVersions() => new(null, [Asc(SearchField.Name), Asc(SearchField.Version)], int.MaxValue);

    public static SortKey Asc(SearchField field, string? key = null) => new(new FieldRef(field, key), false);

    public static SortKey Desc(SearchField field, string? key = null) => new(new FieldRef(field, key), true);

    /// <summary>Walks the whole trail and checks every link and hash.</summary>
    public static async Task<long> VerifyChainAsync(IRegistryStore store)
    {
        long expected = 1;
        var previous = AuditChain.GenesisHash;
        long after = 0;
        while (true)
        {
            var page = await store.QueryAuditAsync(new AuditQuery(), after, 500, CancellationToken.None);
            if (page.Count == 0)
            {
                return expected - 1;
            }

            foreach (var record in page)
            {
                AuditChain.Check(record, expected, previous).Should().BeNull();
                previous = record.Hash;
                expected++;
                after = record.Sequence;
            }
        }
    }
}
