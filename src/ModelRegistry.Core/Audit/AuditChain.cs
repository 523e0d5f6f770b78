using ModelRegistry.Internal;
using System.Security.Cryptography;

namespace ModelRegistry.Audit;

/// <summary>
/// The audit chain's hashing rules. Storage adapters call <see cref="Seal"/> inside the transaction that writes a
/// change, after reading the current head, so the chain stays linear even with several writers.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first record: 64 zeros.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Places a draft after the current head of the chain.</summary>
    /// <param name="draft">The record to append.</param>
    /// <param name="previousSequence">The sequence of the current head (0 for an empty trail).</param>
    /// <param name="previousHash">The hash of the current head (<see cref="GenesisHash"/> for an empty trail).</param>
    /// <returns>The sealed record with its sequence and hash.</returns>
    public static AuditRecord Seal(AuditDraft draft, long previousSequence, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(previousHash);
        var record = new AuditRecord(previousSequence + 1, draft.Timestamp, draft.Actor, draft.Action, draft.Subject, draft.Data, previousHash, string.Empty);
        return record with { Hash = ComputeHash(record) };
    }

    /// <summary>Computes a record's hash from its canonical byte form (every field but <see cref="AuditRecord.Hash"/>).</summary>
    /// <param name="record">The record.</param>
    /// <returns>Lower-case hex SHA-256.</returns>
    public static string ComputeHash(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);

        // Canonical form: a version tag, then fixed-width integers and length-prefixed UTF-8 strings,
        // so no two different records share bytes (no delimiter ambiguity).
        using var buffer = new MemoryStream(256 + record.Data.Length);
        CanonicalBytes.WriteString(buffer, "mr-audit-v1");
        CanonicalBytes.WriteInt64(buffer, record.Sequence);
        CanonicalBytes.WriteInt64(buffer, record.Timestamp.ToUnixTimeMilliseconds());
        CanonicalBytes.WriteString(buffer, record.Actor);
        CanonicalBytes.WriteString(buffer, record.Action);
        CanonicalBytes.WriteString(buffer, record.Subject);
        CanonicalBytes.WriteString(buffer, record.Data);
        CanonicalBytes.WriteString(buffer, record.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>Checks one record against its predecessor's hash; returns the problem or <see langword="null"/>.</summary>
    /// <param name="record">The record.</param>
    /// <param name="expectedSequence">The sequence it should have.</param>
    /// <param name="expectedPreviousHash">The hash of the record before.</param>
    /// <returns>A sentence describing the mismatch, or <see langword="null"/> when the record verifies.</returns>
    public static string? Check(AuditRecord record, long expectedSequence, string expectedPreviousHash)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Sequence != expectedSequence)
        {
            return record.Sequence > expectedSequence
                ? $"Record {expectedSequence} is missing (the next record found is {record.Sequence}); records were deleted."
                : $"Record {record.Sequence} appears where {expectedSequence} was expected; records were reordered or duplicated.";
        }

        if (!string.Equals(record.PreviousHash, expectedPreviousHash, StringComparison.Ordinal))
        {
            return $"Record {record.Sequence} does not link to the hash of record {expectedSequence - 1}; records were removed, inserted or reordered.";
        }

        if (!string.Equals(ComputeHash(record), record.Hash, StringComparison.Ordinal))
        {
            return $"Record {record.Sequence} does not match its hash; its content was edited.";
        }

        return null;
    }
}
