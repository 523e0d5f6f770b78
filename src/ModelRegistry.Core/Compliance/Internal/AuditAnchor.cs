using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Registry.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// Signed checkpoints of the audit chain's head and verification of the chain against them. Checkpoints are documents
/// (<c>compliance.checkpoint</c>, keyed by the zero-padded sequence) plus a <c>latest</c> pointer whose revision keeps
/// concurrent writers from racing; each is committed with an <c>audit.checkpoint_created</c> record.
/// </summary>
internal sealed partial class AuditAnchor(IRegistryStore store, TimeProvider time, IOptions<ComplianceOptions> options, ILogger<AuditAnchor> logger)
{
    public const string Collection = "compliance.checkpoint";
    public const string LatestCollection = "compliance.checkpoint.latest";
    public const string LatestKey = "latest";
    public const string Subject = "audit:trail";
    private const int Batch = 1_000;
    private readonly RegistryClock _clock = new(time);
    private readonly ComplianceOptions _options = options.Value;
    private long _lastKnownCheckpoint = -1;

    public bool Enabled => _options.CheckpointSigningKey is not null;

    public async Task<AuditCheckpoint> CreateAsync(string actor, bool automatic, CancellationToken cancellationToken)
    {
        var key = _options.CheckpointSigningKey
            ?? throw new ModelRegistryException(ErrorCode.PolicyViolation, "No checkpoint signing key is configured; set ComplianceOptions.CheckpointSigningKey (at least 32 bytes, kept outside the store) to anchor the audit trail.");
        for (var attempt = 1; ; attempt++)
        {
            var latestDoc = await store.FindDocumentAsync(LatestCollection, LatestKey, cancellationToken);
            var latest = latestDoc is null ? null : StoreSerializer.Deserialize<AuditCheckpoint>(latestDoc.Json);
            var head = await store.GetChangeSequenceAsync(cancellationToken);
            if (head == 0)
            {
                throw new ModelRegistryException(ErrorCode.PolicyViolation, "The audit trail is empty; there is nothing to anchor yet.", Subject);
            }

            if (latest is not null && latest.Sequence >= head)
            {
                return latest;
            }

            var headHash = await VerifySegmentAsync(latest, head, cancellationToken);
            var checkpoint = AuditCheckpoint.Create(head, headHash, _clock.Now(), actor, _options.CheckpointKeyId, key);
            var json = StoreSerializer.Serialize(checkpoint);
            StoreWrite[] writes =
            [
                new PutDocument(Collection, SequenceKey(head), json, null, 0),
                new PutDocument(LatestCollection, LatestKey, json, null, latestDoc?.Revision ?? 0),
            ];
            AuditDraft[] audit = [AuditData.Draft(checkpoint.CreatedAt, actor, "audit.checkpoint_created", Subject, new { sequence = head, headHash, keyId = checkpoint.KeyId, automatic })];
            try
            {
                await InstrumentedCommit.CommitAsync(store, writes, audit, cancellationToken);
                Interlocked.Exchange(ref _lastKnownCheckpoint, head);
                LogCheckpoint(logger, head, headHash, checkpoint.KeyId);
                return checkpoint;
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.AlreadyExists && attempt < 4)
            {
                // Another writer checkpointed at the same time; read its checkpoint and decide again.
            }
        }
    }

    /// <summary>Writes a checkpoint when <see cref="ComplianceOptions.CheckpointEvery"/> records have been added since the last.</summary>
    public async Task MaybeCreateAsync(long head, string actor, CancellationToken cancellationToken)
    {
        if (!Enabled || _options.CheckpointEvery <= 0)
        {
            return;
        }

        var last = Interlocked.Read(ref _lastKnownCheckpoint);
        if (last < 0)
        {
            var latestDoc = await store.FindDocumentAsync(LatestCollection, LatestKey, cancellationToken);
            last = latestDoc is null ? 0 : StoreSerializer.Deserialize<AuditCheckpoint>(latestDoc.Json).Sequence;
            Interlocked.Exchange(ref _lastKnownCheckpoint, last);
        }

        if (head - last >= _options.CheckpointEvery)
        {
            await CreateAsync(actor, automatic: true, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<AuditCheckpoint>> ListAsync(CancellationToken cancellationToken)
    {
        var docs = await store.ListDocumentsAsync(new DocumentQuery(Collection), cancellationToken);
        return [.. docs.Select(d => StoreSerializer.Deserialize<AuditCheckpoint>(d.Json)).OrderBy(c => c.Sequence)];
    }

    /// <summary>The smallest stored checkpoint at or after <paramref name="sequence"/>, if any.</summary>
    public async Task<AuditCheckpoint?> FindCoveringAsync(long sequence, CancellationToken cancellationToken)
        => (await ListAsync(cancellationToken)).FirstOrDefault(c => c.Sequence >= sequence);

    public async Task<AuditTrailVerification> VerifyAsync(AuditVerificationOptions verification, CancellationToken cancellationToken)
    {
        var checkpoints = (verification.UseStoredCheckpoints ? await ListAsync(cancellationToken) : [])
            .Concat(verification.TrustedCheckpoints)
            .DistinctBy(c => (c.Sequence, c.HeadHash, c.Signature))
            .OrderBy(c => c.Sequence)
            .ToList();
        var wanted = checkpoints.Select(c => c.Sequence).ToHashSet();
        var hashes = new Dictionary<long, string>();

        var walk = await WalkAsync(0, AuditChain.GenesisHash, long.MaxValue, wanted, hashes, cancellationToken);
        var result = new AuditTrailVerification
        {
            IsValid = walk.Problem is null,
            RecordsChecked = walk.Checked,
            HeadSequence = walk.HeadSequence,
            HeadHash = walk.HeadHash,
            FirstInvalidSequence = walk.FirstInvalid,
            ProblemKind = walk.Kind,
            Problem = walk.Problem,
            AnchoringEnabled = Enabled,
        };
        if (walk.Problem is not null)
        {
            return result;
        }

        long previousGood = 0;
        AuditCheckpoint? latestGood = null;
        var verified = 0;
        foreach (var cp in checkpoints)
        {
            var key = KeyFor(cp.KeyId);
            string? problem = null;
            AuditProblemKind kind = default;
            long first = cp.Sequence;
            if (key is null)
            {
                (kind, problem) = (AuditProblemKind.CheckpointInvalid, $"Checkpoint {cp.Sequence} is signed with key '{cp.KeyId}', which is not configured (ComplianceOptions.CheckpointSigningKey / PreviousCheckpointKeys); it cannot be trusted.");
            }
            else if (!cp.VerifySignature(key))
            {
                (kind, problem) = (AuditProblemKind.CheckpointInvalid, $"The signature of checkpoint {cp.Sequence} (made {cp.CreatedAt:O} by {cp.CreatedBy}) does not verify; the checkpoint was altered or forged.");
            }
            else if (cp.Sequence > walk.HeadSequence)
            {
                first = walk.HeadSequence + 1;
                (kind, problem) = (AuditProblemKind.Truncated, $"The trail ends at record {walk.HeadSequence}, but checkpoint {cp.Sequence} signed {cp.CreatedAt:O} vouches for record {cp.Sequence}; records {walk.HeadSequence + 1}–{cp.Sequence} (at least) were cut off.");
            }
            else if (!string.Equals(hashes.GetValueOrDefault(cp.Sequence), cp.HeadHash, StringComparison.Ordinal))
            {
                first = previousGood + 1;
                (kind, problem) = (AuditProblemKind.Rewritten, $"Record {cp.Sequence} has hash {Short(hashes.GetValueOrDefault(cp.Sequence))}, but checkpoint {cp.Sequence} signed {cp.CreatedAt:O} says {Short(cp.HeadHash)}; the trail was rewritten somewhere in records {previousGood + 1}–{cp.Sequence}.");
            }

            if (problem is not null)
            {
                return result with { IsValid = false, FirstInvalidSequence = first, ProblemKind = kind, Problem = problem, CheckpointsVerified = verified, LatestCheckpoint = latestGood, RecordsAfterLatestCheckpoint = walk.HeadSequence - (latestGood?.Sequence ?? 0) };
            }

            previousGood = cp.Sequence;
            latestGood = cp;
            verified++;
        }

        return result with { CheckpointsVerified = verified, LatestCheckpoint = latestGood, RecordsAfterLatestCheckpoint = walk.HeadSequence - (latestGood?.Sequence ?? 0) };
    }

    private byte[]? KeyFor(string keyId)
        => string.Equals(keyId, _options.CheckpointKeyId, StringComparison.Ordinal) && _options.CheckpointSigningKey is { } current
            ? current
            : _options.PreviousCheckpointKeys.GetValueOrDefault(keyId);

    /// <summary>Checks that the latest checkpoint still matches and the chain links from it to <paramref name="head"/>; returns the head's hash.</summary>
    private async Task<string> VerifySegmentAsync(AuditCheckpoint? latest, long head, CancellationToken cancellationToken)
    {
        var startAfter = latest is null ? 0 : latest.Sequence - 1;
        var startHash = AuditChain.GenesisHash;
        if (latest is not null)
        {
            var anchor = await store.QueryAuditAsync(new AuditQuery(), startAfter, 1, cancellationToken);
            if (anchor.Count == 0 || anchor[0].Sequence != latest.Sequence || !string.Equals(anchor[0].Hash, latest.HeadHash, StringComparison.Ordinal))
            {
                throw Damaged(latest.Sequence, $"record {latest.Sequence} no longer matches the previous checkpoint");
            }

            startAfter = latest.Sequence;
            startHash = latest.HeadHash;
        }

        var walk = await WalkAsync(startAfter, startHash, head, null, null, cancellationToken);
        if (walk.Problem is not null)
        {
            throw Damaged(walk.FirstInvalid ?? 0, walk.Problem);
        }

        if (walk.HeadSequence != head)
        {
            throw Damaged(walk.HeadSequence + 1, $"the trail ends at record {walk.HeadSequence}, before the head {head}");
        }

        return walk.HeadHash;

        static ModelRegistryException Damaged(long sequence, string problem)
            => new(ErrorCode.PolicyViolation, $"The audit trail does not verify at record {sequence.ToString(CultureInfo.InvariantCulture)} ({problem}); a damaged trail is never signed. Run VerifyAuditTrailAsync and investigate.", Subject);
    }

    private sealed record WalkResult(long Checked, long HeadSequence, string HeadHash, long? FirstInvalid, AuditProblemKind? Kind, string? Problem);

    /// <summary>Walks records after <paramref name="after"/> up to <paramref name="until"/>, classifying the first problem.</summary>
    private async Task<WalkResult> WalkAsync(long after, string previousHash, long until, HashSet<long>? wanted, Dictionary<long, string>? hashes, CancellationToken cancellationToken)
    {
        var all = new AuditQuery();
        var expected = after + 1;
        long count = 0;
        var head = after;
        if (head >= until)
        {
            return new(count, head, previousHash, null, null, null);
        }

        await foreach (var batch in store.ReadAuditPagesAsync(all, after, Batch, cancellationToken))
        {
            for (var i = 0; i < batch.Count && head < until; i++)
            {
                var record = batch[i];
                if (record.Sequence != expected)
                {
                    if (record.Sequence < expected)
                    {
                        return new(count, head, previousHash, expected, AuditProblemKind.RecordsReordered, $"Record {record.Sequence} appears where record {expected} was expected; records were reordered or duplicated.");
                    }

                    var later = batch.Skip(i + 1).Any(r => r.Sequence == expected)
                        || (batch.Count == Batch && (await store.QueryAuditAsync(all, batch[^1].Sequence, Batch, cancellationToken)).Any(r => r.Sequence == expected));
                    return later
                        ? new(count, head, previousHash, expected, AuditProblemKind.RecordsReordered, $"Record {record.Sequence} appears where record {expected} was expected, and record {expected} comes later; records were reordered.")
                        : new(count, head, previousHash, expected, AuditProblemKind.RecordMissing, $"Record {expected} is missing (the next record found is {record.Sequence}); records were deleted.");
                }

                if (!string.Equals(record.PreviousHash, previousHash, StringComparison.Ordinal))
                {
                    return new(count, head, previousHash, record.Sequence, AuditProblemKind.BrokenLink, $"Record {record.Sequence} does not link to the hash of record {record.Sequence - 1}; record {record.Sequence - 1} was edited and re-hashed, or records were replaced.");
                }

                if (!string.Equals(AuditChain.ComputeHash(record), record.Hash, StringComparison.Ordinal))
                {
                    return new(count, head, previousHash, record.Sequence, AuditProblemKind.RecordEdited, $"Record {record.Sequence} ({record.Action} on {record.Subject}) does not match its hash; its content was edited.");
                }

                if (wanted?.Contains(record.Sequence) == true)
                {
                    hashes![record.Sequence] = record.Hash;
                }

                previousHash = record.Hash;
                head = record.Sequence;
                expected++;
                count++;
            }

            // Stop before reading a page past the requested end.
            if (head >= until)
            {
                break;
            }
        }

        return new(count, head, previousHash, null, null, null);
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash.Length > 16 ? hash[..16] + "…" : hash;

    internal static string SequenceKey(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Audit checkpoint at record {Sequence} ({Hash}) signed with key {KeyId}")]
    private static partial void LogCheckpoint(ILogger logger, long sequence, string hash, string keyId);
}
