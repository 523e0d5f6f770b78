using System.Text;
using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Compliance;

/// <summary>The audit trail exposed by the compliance manager: queries, JSON Lines export, and verification with signed checkpoints against tampering.</summary>
public sealed class AuditAnchoringTests
{
    /// <summary>Records 1–6, a checkpoint of record 6 (its own record is 7), then records 8–10.</summary>
    private static async Task<(ComplianceHost Host, AuditCheckpoint Checkpoint)> SeedAsync(Action<ComplianceOptions>? options = null)
    {
        var host = ComplianceHost.Create(options);
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        for (var i = 0; i < 5; i++)
        {
            await host.Registry.SetModelTagAsync("m", $"k{i}", "v");
        }

        var checkpoint = await host.Compliance.CreateAuditCheckpointAsync();
        for (var i = 5; i < 8; i++)
        {
            await host.Registry.SetModelTagAsync("m", $"k{i}", "v");
        }

        return (host, checkpoint);
    }

    private static void Reseal(List<AuditRecord> list, int from)
    {
        for (var i = from; i < list.Count; i++)
        {
            var r = list[i];
            var previous = i == 0 ? null : list[i - 1];
            list[i] = AuditChain.Seal(new AuditDraft(r.Timestamp, r.Actor, r.Action, r.Subject, r.Data), previous?.Sequence ?? 0, previous?.Hash ?? AuditChain.GenesisHash);
        }
    }

    [Fact]
    public async Task An_untouched_trail_verifies_with_its_checkpoints()
    {
        var (host, checkpoint) = await SeedAsync();
        await using var _ = host;
        checkpoint.Sequence.Should().Be(6);
        checkpoint.CreatedBy.Should().Be("rob");
        checkpoint.VerifySignature(ComplianceHost.Key).Should().BeTrue();
        (await host.Compliance.ListAuditCheckpointsAsync()).Should().Equal(checkpoint);
        (await host.Compliance.QueryAuditAsync(new AuditQuery { Action = "audit.checkpoint_created" })).Items.Should().ContainSingle().Which.Sequence.Should().Be(7);

        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.IsValid.Should().BeTrue(result.Problem);
        result.RecordsChecked.Should().Be(10);
        result.HeadSequence.Should().Be(10);
        result.CheckpointsVerified.Should().Be(1);
        result.LatestCheckpoint.Should().Be(checkpoint);
        result.RecordsAfterLatestCheckpoint.Should().Be(4);
        result.AnchoringEnabled.Should().BeTrue();
    }

    [Fact]
    public async Task Edited_data_is_reported_at_the_edited_record()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => list[2] = list[2] with { Data = list[2].Data.Replace("k1", "kX", StringComparison.Ordinal) });
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.FirstInvalidSequence == 3 && r.ProblemKind == AuditProblemKind.RecordEdited);
        result.Problem.Should().Contain("edited");
    }

    [Fact]
    public async Task A_deleted_record_is_reported_as_missing()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => list.RemoveAt(3));
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.FirstInvalidSequence == 4 && r.ProblemKind == AuditProblemKind.RecordMissing);
    }

    [Fact]
    public async Task Reordered_records_are_reported_as_reordered()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => (list[1], list[2]) = (list[2], list[1]));
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.FirstInvalidSequence == 2 && r.ProblemKind == AuditProblemKind.RecordsReordered);
        result.Problem.Should().Contain("reordered");
    }

    [Fact]
    public async Task A_record_edited_and_rehashed_breaks_the_link_of_the_next()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list =>
        {
            var edited = list[1] with { Actor = "mallory" };
            list[1] = edited with { Hash = AuditChain.ComputeHash(edited) };
        });
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.FirstInvalidSequence == 3 && r.ProblemKind == AuditProblemKind.BrokenLink);
    }

    [Fact]
    public async Task A_truncated_tail_is_detected_by_the_checkpoint()
    {
        var (host, checkpoint) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => list.RemoveRange(4, list.Count - 4));
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.ProblemKind == AuditProblemKind.Truncated && r.FirstInvalidSequence == 5 && r.HeadSequence == 4);
        result.Problem.Should().Contain("cut off").And.Contain($"checkpoint {checkpoint.Sequence}");
    }

    [Fact]
    public async Task A_truncation_after_the_last_checkpoint_cannot_be_detected_and_the_result_says_how_much_is_exposed()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => list.RemoveRange(8, 2));
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.IsValid.Should().BeTrue();
        result.RecordsAfterLatestCheckpoint.Should().Be(2);
    }

    [Fact]
    public async Task A_fully_rewritten_chain_is_detected_by_the_checkpoint()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list =>
        {
            list[1] = list[1] with { Data = "{\"key\":\"k0\",\"value\":\"forged\"}" };
            Reseal(list, 1);
        });
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.Should().Match<AuditTrailVerification>(r => !r.IsValid && r.ProblemKind == AuditProblemKind.Rewritten && r.FirstInvalidSequence == 1);
        result.Problem.Should().Contain("rewritten somewhere in records 1–6");
    }

    [Fact]
    public async Task An_exported_checkpoint_kept_elsewhere_detects_a_rewrite_on_its_own()
    {
        var (host, checkpoint) = await SeedAsync();
        await using var __ = host;
        var kept = AuditCheckpoint.FromJson(checkpoint.ToJson());
        kept.Should().Be(checkpoint);
        checkpoint.ToJson().Should().Contain("\"headHash\"");

        host.Store.TamperAudit(list => { list[3] = list[3] with { Actor = "mallory" }; Reseal(list, 3); });
        var result = await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { UseStoredCheckpoints = false, TrustedCheckpoints = [kept] });
        result.ProblemKind.Should().Be(AuditProblemKind.Rewritten);
        (await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { UseStoredCheckpoints = false })).IsValid.Should().BeTrue("a re-hashed chain is consistent on its own");
    }

    [Fact]
    public async Task A_forged_checkpoint_or_an_unknown_key_is_reported()
    {
        var (host, checkpoint) = await SeedAsync();
        await using var __ = host;
        var forged = checkpoint with { HeadHash = new string('f', 64) };
        var result = await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { TrustedCheckpoints = [forged] });
        result.ProblemKind.Should().Be(AuditProblemKind.CheckpointInvalid);
        result.Problem.Should().Contain("does not verify");

        var otherKey = AuditCheckpoint.Create(6, checkpoint.HeadHash, checkpoint.CreatedAt, "x", "old-key", new byte[32]);
        (await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { TrustedCheckpoints = [otherKey] })).Problem.Should().Contain("'old-key'");
        FluentActions.Invoking(() => AuditCheckpoint.FromJson("{\"nope\":1}")).Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task Checkpoints_signed_with_a_retired_key_still_verify_after_rotation()
    {
        var oldKey = Enumerable.Repeat((byte)7, 32).ToArray();
        var checkpoint = AuditCheckpoint.Create(1, AuditChain.GenesisHash, DateTimeOffset.UnixEpoch, "x", "2025", oldKey);
        await using var host = ComplianceHost.Create(o => o.PreviousCheckpointKeys = new Dictionary<string, byte[]> { ["2025"] = oldKey });
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        var head = (await host.Compliance.QueryAuditAsync(new AuditQuery())).Items[0];
        var rotated = AuditCheckpoint.Create(1, head.Hash, DateTimeOffset.UnixEpoch, "x", "2025", oldKey);
        (await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { TrustedCheckpoints = [rotated] })).IsValid.Should().BeTrue();
        (await host.Compliance.VerifyAuditTrailAsync(new AuditVerificationOptions { TrustedCheckpoints = [checkpoint] })).ProblemKind.Should().Be(AuditProblemKind.Rewritten);
    }

    [Fact]
    public async Task A_damaged_trail_is_never_signed()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        host.Store.TamperAudit(list => list[8] = list[8] with { Data = "{}" });
        var ex = (await host.Invoking(h => h.Compliance.CreateAuditCheckpointAsync()).Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.PolicyViolation);
        ex.Message.Should().Contain("record 9");
        (await host.Compliance.ListAuditCheckpointsAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Without_a_key_there_are_no_checkpoints_and_verification_says_anchoring_is_off()
    {
        await using var host = ComplianceHost.Create(o => o.CheckpointSigningKey = null);
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        (await host.Invoking(h => h.Compliance.CreateAuditCheckpointAsync()).Should().ThrowAsync<ModelRegistryException>()).Which.Message.Should().Contain("CheckpointSigningKey");
        var result = await host.Compliance.VerifyAuditTrailAsync();
        result.IsValid.Should().BeTrue();
        result.AnchoringEnabled.Should().BeFalse();
    }

    [Fact]
    public async Task Checkpoints_are_written_automatically_every_N_records()
    {
        await using var host = ComplianceHost.Create(o => o.CheckpointEvery = 4);
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        for (var i = 0; i < 9; i++)
        {
            await host.Registry.SetModelTagAsync("m", $"k{i}", "v");
        }

        // Records 1–4, checkpoint of 4 (record 5); 6–8, checkpoint of 8 (record 9); 10–12, checkpoint of 12 (record 13).
        (await host.Compliance.ListAuditCheckpointsAsync()).Select(c => c.Sequence).Should().Equal(4, 8, 12);
        (await host.Compliance.VerifyAuditTrailAsync()).Should().Match<AuditTrailVerification>(r => r.IsValid && r.CheckpointsVerified == 3 && r.HeadSequence == 13);
    }

    [Fact]
    public async Task Each_checkpoint_covers_the_head_including_the_previous_checkpoints_own_record()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        var first = await host.Compliance.CreateAuditCheckpointAsync();
        var second = await host.Compliance.CreateAuditCheckpointAsync();
        second.Sequence.Should().Be(first.Sequence + 1, "the first checkpoint's own record is the new head");
        (await host.Compliance.ListAuditCheckpointsAsync()).Should().HaveCount(3);
        host.Actor.Current = "vic";
        (await host.Invoking(h => h.Compliance.CreateAuditCheckpointAsync()).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.Forbidden);
    }

    [Fact]
    public async Task The_trail_exports_as_json_lines_that_can_be_reverified()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        using var buffer = new MemoryStream();
        var count = await host.Compliance.ExportAuditAsync(buffer);
        count.Should().Be(10);
        var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(10);
        lines[0].Should().StartWith("{\"sequence\":1,").And.Contain("\"previousHash\":\"0000");
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var records = lines.Select(l => JsonSerializer.Deserialize<AuditRecord>(l, options)!).ToList();
        records.Should().OnlyContain(r => AuditChain.ComputeHash(r) == r.Hash);
        records.Zip(records.Skip(1)).Should().OnlyContain(p => p.Second.PreviousHash == p.First.Hash);

        using var filtered = new MemoryStream();
        (await host.Compliance.ExportAuditAsync(filtered, new AuditQuery { Action = "model.tag_set", From = records[3].Timestamp })).Should().Be(8);
        (await host.Invoking(h => h.Compliance.ExportAuditAsync(new MemoryStream([], writable: false))).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task The_export_and_the_evidence_bundle_read_every_page_of_a_trail_longer_than_one_store_read()
    {
        await using var host = ComplianceHost.Create();
        await host.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        await host.Registry.CreateVersionAsync("m", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "c1" });

        // 2,500 more records on the version (the manager reads 1,000 per store call), written in one commit for speed.
        var at = host.Time.GetUtcNow();
        await host.Store.CommitAsync(new StoreTransaction([], [.. Enumerable.Range(0, 2_500).Select(i => new AuditDraft(at, "rob", "version.tag_set", "version:m/1.0.0", $"{{\"i\":{i}}}"))]), CancellationToken.None);

        using var export = new MemoryStream();
        (await host.Compliance.ExportAuditAsync(export)).Should().Be(2_502);
        var sequences = Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<AuditRecord>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Sequence);
        sequences.Should().Equal(Enumerable.Range(1, 2_502).Select(i => (long)i), "every page once, in order");

        using var bundle = new MemoryStream();
        var info = await host.Compliance.WriteEvidenceBundleAsync("m", "1.0.0", bundle);
        info.AuditRecordCount.Should().Be(2_501, "version.created and the 2,500 records on the version");
        info.Checkpoint!.Sequence.Should().Be(2_502, "the new checkpoint covers the head");
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bundle.ToArray())))
        {
            using var reader = new StreamReader(zip.GetEntry("audit/chain.jsonl")!.Open());
            (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2_501, "the chain segment runs from the version's first record (2) to the checkpoint (2,502)");
        }

        var verification = await EvidenceBundle.VerifyAsync(new MemoryStream(bundle.ToArray()), ComplianceHost.Key);
        verification.IsValid.Should().BeTrue(string.Join("\n", verification.Problems));
    }

    [Fact]
    public async Task The_export_writes_only_asynchronously_so_an_http_response_body_accepts_it()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        using var body = new AsyncOnlyStream();
        (await host.Compliance.ExportAuditAsync(body)).Should().Be(10);
        Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(10);
    }

    /// <summary>Like ASP.NET Core's response body: synchronous writes are refused.</summary>
    private sealed class AsyncOnlyStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void WriteByte(byte value) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            base.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // MemoryStream's span overload would call back into the refusing Write(byte[], ...) of this subclass.
            var bytes = buffer.ToArray();
            base.Write(bytes, 0, bytes.Length);
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task The_trail_is_queried_by_subject_actor_action_and_window_with_paging()
    {
        var (host, _) = await SeedAsync();
        await using var __ = host;
        var page = await host.Compliance.QueryAuditAsync(new AuditQuery { Subject = "model:m", PageSize = 4 });
        page.Items.Select(r => r.Sequence).Should().Equal(1, 2, 3, 4);
        var next = await host.Compliance.QueryAuditAsync(new AuditQuery { Subject = "model:m", PageSize = 4, ContinuationToken = page.ContinuationToken });
        next.Items.Select(r => r.Sequence).Should().Equal(5, 6, 8, 9);
        (await host.Compliance.QueryAuditAsync(new AuditQuery { Actor = "rob", Action = "audit.checkpoint_created" })).Items.Should().ContainSingle();
        host.Actor.Current = "nobody";
        (await host.Invoking(h => h.Compliance.QueryAuditAsync(new AuditQuery())).Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.Forbidden);
    }
}
