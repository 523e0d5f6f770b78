using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Audit;

public sealed class AuditChainTamperTests
{
    private static async Task<(ModelRegistryServices Services, InMemoryRegistryStore Store)> SeedAsync()
    {
        var mr = ModelRegistryServices.Create();
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        for (var i = 0; i < 5; i++)
        {
            await mr.Registry.SetModelTagAsync("m", $"k{i}", "v");
        }

        return (mr, (InMemoryRegistryStore)mr.GetRequiredService<IRegistryStore>());
    }

    [Fact]
    public async Task Edited_data_is_detected_at_the_edited_record()
    {
        var (mr, store) = await SeedAsync();
        await using var _ = mr;
        store.TamperAudit(list => list[2] = list[2] with { Data = list[2].Data.Replace("k1", "kX", StringComparison.Ordinal) });
        var result = await mr.AuditTrail.VerifyAsync();
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(3);
        result.Problem.Should().Contain("edited");
    }

    [Fact]
    public async Task A_deleted_record_is_detected()
    {
        var (mr, store) = await SeedAsync();
        await using var _ = mr;
        store.TamperAudit(list => list.RemoveAt(3));
        var result = await mr.AuditTrail.VerifyAsync();
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(4);
        result.Problem.Should().Contain("missing");
    }

    [Fact]
    public async Task Reordered_records_are_detected()
    {
        var (mr, store) = await SeedAsync();
        await using var _ = mr;
        store.TamperAudit(list => (list[1], list[2]) = (list[2], list[1]));
        var result = await mr.AuditTrail.VerifyAsync();
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(2);
    }

    [Fact]
    public async Task A_record_rehashed_after_editing_breaks_the_link_of_the_next()
    {
        var (mr, store) = await SeedAsync();
        await using var _ = mr;
        store.TamperAudit(list =>
        {
            var edited = list[1] with { Actor = "mallory" };
            list[1] = edited with { Hash = AuditChain.ComputeHash(edited) };
        });
        var result = await mr.AuditTrail.VerifyAsync();
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(3);
        result.Problem.Should().Contain("does not link");
    }

    [Fact]
    public void The_hash_covers_every_field()
    {
        var record = AuditChain.Seal(new AuditDraft(DateTimeOffset.UnixEpoch, "a", "act", "s", "{}"), 0, AuditChain.GenesisHash);
        var variants = new[]
        {
            record with { Sequence = 2 }, record with { Timestamp = record.Timestamp.AddMilliseconds(1) }, record with { Actor = "b" },
            record with { Action = "x" }, record with { Subject = "t" }, record with { Data = "{ }" }, record with { PreviousHash = new string('1', 64) },
        };
        variants.Should().OnlyContain(v => AuditChain.ComputeHash(v) != record.Hash);
        AuditChain.ComputeHash(record with { Actor = "ab", Action = "ct" }).Should().NotBe(AuditChain.ComputeHash(record with { Actor = "a", Action = "bct" }), "fields are length-prefixed");
    }
}
