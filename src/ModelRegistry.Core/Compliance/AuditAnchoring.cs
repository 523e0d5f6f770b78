using ModelRegistry.Internal;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModelRegistry.Compliance;

/// <summary>
/// A signed statement that the audit trail's record <see cref="Sequence"/> had hash <see cref="HeadHash"/>: the anchor
/// that lets verification detect a truncated or fully rewritten trail, which a hash chain alone cannot. The signature is
/// HMAC-SHA256 with the key named by <see cref="KeyId"/> (<see cref="ComplianceOptions.CheckpointSigningKey"/>).
/// Checkpoints are stored in the registry and can be exported (<see cref="ToJson"/>) for safekeeping elsewhere.
/// </summary>
/// <param name="Sequence">The sequence of the record the checkpoint covers (every record up to it).</param>
/// <param name="HeadHash">That record's hash.</param>
/// <param name="CreatedAt">When the checkpoint was made.</param>
/// <param name="CreatedBy">Who made it.</param>
/// <param name="KeyId">Which key signed it.</param>
/// <param name="Signature">Lower-case hex HMAC-SHA256 over the canonical form of the other fields.</param>
public sealed record AuditCheckpoint(long Sequence, string HeadHash, DateTimeOffset CreatedAt, string CreatedBy, string KeyId, string Signature)
{
    /// <summary>Creates a signed checkpoint.</summary>
    /// <param name="sequence">The covered record's sequence.</param>
    /// <param name="headHash">Its hash.</param>
    /// <param name="createdAt">When.</param>
    /// <param name="createdBy">Who.</param>
    /// <param name="keyId">The key's id.</param>
    /// <param name="key">The key (at least 32 bytes).</param>
    /// <returns>The checkpoint.</returns>
    public static AuditCheckpoint Create(long sequence, string headHash, DateTimeOffset createdAt, string createdBy, string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(headHash);
        ArgumentNullException.ThrowIfNull(createdBy);
        ArgumentNullException.ThrowIfNull(keyId);
        var unsigned = new AuditCheckpoint(sequence, headHash, createdAt, createdBy, keyId, string.Empty);
        return unsigned with { Signature = unsigned.ComputeSignature(key) };
    }

    /// <summary>Whether <see cref="Signature"/> is the HMAC of the other fields under <paramref name="key"/>.</summary>
    /// <param name="key">The key named by <see cref="KeyId"/>.</param>
    /// <returns><see langword="true"/> when the signature matches.</returns>
    public bool VerifySignature(ReadOnlySpan<byte> key)
    {
        var expected = ComputeSignature(key);
        return Signature.Length == expected.Length
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature), Encoding.ASCII.GetBytes(expected));
    }

    /// <summary>The checkpoint as one line of JSON, for safekeeping outside the registry.</summary>
    /// <returns>The JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Internal.ComplianceJson.Compact);

    /// <summary>Reads a checkpoint written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when the text is not a checkpoint.</exception>
    public static AuditCheckpoint FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var cp = JsonSerializer.Deserialize<AuditCheckpoint>(json, Internal.ComplianceJson.Compact);
            return cp is { HeadHash: not null, KeyId: not null, Signature: not null, CreatedBy: not null }
                ? cp
                : throw new JsonException("missing fields");
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, $"The text is not an audit checkpoint ({ex.Message}); pass the JSON written by AuditCheckpoint.ToJson.", innerException: ex) { ParameterName = nameof(json) };
        }
    }

    private string ComputeSignature(ReadOnlySpan<byte> key)
    {
        // Canonical form: version tag, then fixed-width integers and length-prefixed UTF-8 strings (no delimiter ambiguity).
        using var buffer = new MemoryStream(256);
        CanonicalBytes.WriteString(buffer, "mr-checkpoint-v1");
        CanonicalBytes.WriteInt64(buffer, Sequence);
        CanonicalBytes.WriteString(buffer, HeadHash);
        CanonicalBytes.WriteInt64(buffer, CreatedAt.ToUnixTimeMilliseconds());
        CanonicalBytes.WriteString(buffer, CreatedBy);
        CanonicalBytes.WriteString(buffer, KeyId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }


}

/// <summary>What kind of damage verification found.</summary>
public enum AuditProblemKind
{
    /// <summary>A record's content does not match its hash: it was edited.</summary>
    RecordEdited = 0,

    /// <summary>A sequence number is missing: records were deleted.</summary>
    RecordMissing = 1,

    /// <summary>Records appear out of sequence order or twice: they were reordered or duplicated.</summary>
    RecordsReordered = 2,

    /// <summary>A record does not link to its predecessor's hash: a record before it was edited and re-hashed, or replaced.</summary>
    BrokenLink = 3,

    /// <summary>The trail ends before a checkpoint's record: its tail was cut off.</summary>
    Truncated = 4,

    /// <summary>A checkpointed record's hash differs from the signed one: the chain was rewritten (and re-hashed) up to it.</summary>
    Rewritten = 5,

    /// <summary>A checkpoint's signature does not verify, or its key is unknown: the checkpoint itself was forged or altered.</summary>
    CheckpointInvalid = 6,
}

/// <summary>How <see cref="IComplianceManager.VerifyAuditTrailAsync"/> verifies.</summary>
public sealed record AuditVerificationOptions
{
    /// <summary>Checkpoints kept outside the registry (exported with <see cref="AuditCheckpoint.ToJson"/>), verified in addition to the stored ones.</summary>
    public IReadOnlyList<AuditCheckpoint> TrustedCheckpoints { get; init; } = [];

    /// <summary>Whether the checkpoints stored in the registry are verified too (default <see langword="true"/>).</summary>
    public bool UseStoredCheckpoints { get; init; } = true;
}

/// <summary>The outcome of verifying the audit trail: the hash chain, and every checkpoint against it.</summary>
public sealed record AuditTrailVerification
{
    /// <summary>Whether the chain and every checkpoint verified.</summary>
    public required bool IsValid { get; init; }

    /// <summary>How many records were walked.</summary>
    public long RecordsChecked { get; init; }

    /// <summary>The sequence of the last record walked (0 for an empty trail).</summary>
    public long HeadSequence { get; init; }

    /// <summary>The hash of the last record walked (64 zeros for an empty trail).</summary>
    public required string HeadHash { get; init; }

    /// <summary>The first record that is wrong (for a rewrite, the first record after the last checkpoint that still matched).</summary>
    public long? FirstInvalidSequence { get; init; }

    /// <summary>What kind of damage was found.</summary>
    public AuditProblemKind? ProblemKind { get; init; }

    /// <summary>What is wrong, as a sentence.</summary>
    public string? Problem { get; init; }

    /// <summary>How many checkpoints were verified against the chain.</summary>
    public int CheckpointsVerified { get; init; }

    /// <summary>The newest checkpoint that verified, if any.</summary>
    public AuditCheckpoint? LatestCheckpoint { get; init; }

    /// <summary>Records after <see cref="LatestCheckpoint"/>: a truncation of these could not be detected.</summary>
    public long RecordsAfterLatestCheckpoint { get; init; }

    /// <summary>Whether a checkpoint signing key is configured (without one, truncation and rewrite cannot be detected).</summary>
    public bool AnchoringEnabled { get; init; }
}
