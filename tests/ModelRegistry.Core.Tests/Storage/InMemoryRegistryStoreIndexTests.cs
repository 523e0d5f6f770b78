using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Storage;

/// <summary>
/// The in-memory store answers its hot-path lookups from indexes, so their cost does not grow with the store. Counted,
/// not timed: <see cref="InMemoryRegistryStore.Examined"/> says how many stored entries a call looked at.
/// </summary>
public sealed class InMemoryRegistryStoreIndexTests
{
    private const int Bulk = 500;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly InMemoryRegistryStore _store = new();

    private static AuditDraft Draft(string subject, string actor = "alice", string action = "thing.done") => new(At, actor, action, subject, "{}");

    private async Task<long> ExaminedBy(Func<Task> call)
    {
        var before = _store.Examined;
        await call();
        return _store.Examined - before;
    }

    [Fact]
    public async Task Listing_one_collection_or_one_index_value_examines_only_the_documents_it_returns()
    {
        for (var i = 0; i < Bulk; i++)
        {
            await _store.CommitAsync(new StoreTransaction([new PutDocument("big", $"k{i}", "{}", $"v{i % 50}", 0)], [Draft($"doc:{i}")]), Ct);
        }

        await _store.CommitAsync(new StoreTransaction([new PutDocument("small", "a", "{}", "v1", 0), new PutDocument("small", "b", "{}", null, 0)], [Draft("doc:small")]), Ct);

        IReadOnlyList<StoredDocument> listed = [];
        (await ExaminedBy(async () => listed = await _store.ListDocumentsAsync(new DocumentQuery("small"), Ct))).Should().Be(2);
        listed.Select(d => d.Key).Should().Equal("a", "b");
        (await ExaminedBy(async () => listed = await _store.ListDocumentsAsync(new DocumentQuery("big", "v7"), Ct))).Should().Be(Bulk / 50);
        listed.Should().HaveCount(Bulk / 50).And.OnlyContain(d => d.Index == "v7");
        (await ExaminedBy(async () => listed = await _store.ListDocumentsAsync(new DocumentQuery("big", AfterChangeSequence: Bulk - 3), Ct))).Should().Be(3);
        listed.Select(d => d.Key).Should().Equal($"k{Bulk - 3}", $"k{Bulk - 2}", $"k{Bulk - 1}");
        (await ExaminedBy(async () => listed = await _store.ListDocumentsAsync(new DocumentQuery("big", Limit: 4), Ct))).Should().Be(4);
    }

    [Fact]
    public async Task An_audit_query_by_exact_subject_actor_or_action_examines_only_that_values_records_after_the_start()
    {
        for (var i = 0; i < Bulk; i++)
        {
            await _store.CommitAsync(new StoreTransaction([], [Draft($"model:m{i % 100}", actor: i % 250 == 0 ? "bob" : "alice")]), Ct);
        }

        IReadOnlyList<AuditRecord> found = [];
        (await ExaminedBy(async () => found = await _store.QueryAuditAsync(new AuditQuery { Subject = "model:m7" }, 0, 100, Ct))).Should().Be(Bulk / 100);
        found.Should().HaveCount(Bulk / 100).And.OnlyContain(r => r.Subject == "model:m7");
        (await ExaminedBy(async () => found = await _store.QueryAuditAsync(new AuditQuery { Subject = "model:m7" }, 300, 100, Ct))).Should().Be(2);
        found.Select(r => r.Sequence).Should().Equal(308, 408);
        (await ExaminedBy(async () => found = await _store.QueryAuditAsync(new AuditQuery { Actor = "bob", Action = "thing.done" }, 0, 100, Ct))).Should().Be(2);
        found.Select(r => r.Sequence).Should().Equal(1, 251);
        (await ExaminedBy(async () => found = await _store.QueryAuditAsync(new AuditQuery { Actor = "nobody" }, 0, 100, Ct))).Should().Be(0);
        (await ExaminedBy(async () => found = await _store.QueryAuditAsync(new AuditQuery(), Bulk - 5, 100, Ct))).Should().Be(5, "catching up after a sequence starts there");
    }

    [Fact]
    public async Task Finding_a_version_by_content_hash_or_idempotency_key_examines_one_version_however_long_the_history()
    {
        await _store.CommitAsync(new StoreTransaction([new PutModel(Model("m"), 0)], [Draft("model:m")]), Ct);
        for (var i = 0; i < Bulk; i++)
        {
            await _store.CommitAsync(new StoreTransaction([new PutVersion(Version("m", $"1.0.{i}", $"{i:x64}", $"key-{i}"), 0)], [Draft("version:m")]), Ct);
        }

        ModelVersion? found = null;
        (await ExaminedBy(async () => found = await _store.FindVersionByContentHashAsync("M", $"{Bulk - 1:x64}", Ct))).Should().Be(1);
        found!.Version.ToString().Should().Be($"1.0.{Bulk - 1}");
        (await ExaminedBy(async () => found = await _store.FindVersionByIdempotencyKeyAsync("m", "key-250", Ct))).Should().Be(1);
        found!.Version.ToString().Should().Be("1.0.250");
        (await ExaminedBy(async () => found = await _store.FindVersionByContentHashAsync("m", "absent", Ct))).Should().Be(0);
        found.Should().BeNull();
    }

    [Fact]
    public async Task Tampering_with_the_trail_rebuilds_the_audit_indexes()
    {
        await _store.CommitAsync(new StoreTransaction([], [Draft("model:a"), Draft("model:b"), Draft("model:a")]), Ct);
        _store.TamperAudit(list => list[0] = list[0] with { Subject = "model:b" });

        (await _store.QueryAuditAsync(new AuditQuery { Subject = "model:a" }, 0, 10, Ct)).Select(r => r.Sequence).Should().Equal(3);
        (await _store.QueryAuditAsync(new AuditQuery { Subject = "model:b" }, 0, 10, Ct)).Select(r => r.Sequence).Should().Equal(1, 2);
    }

    private static RegisteredModel Model(string name) => new()
    {
        Name = name,
        Owners = ["o"],
        CreatedBy = "t",
        UpdatedBy = "t",
        CreatedAt = At,
        UpdatedAt = At,
        Revision = 1,
    };

    private static ModelVersion Version(string model, string version, string hash, string idempotencyKey) => new()
    {
        ModelName = model,
        Version = SemanticVersion.Parse(version),
        ContentHash = hash,
        IdempotencyKey = idempotencyKey,
        CreatedBy = "t",
        UpdatedBy = "t",
        Revision = 1,
    };
}
