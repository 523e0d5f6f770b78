using ModelRegistry.Registry;

namespace ModelRegistry.Audit;

/// <summary>
/// One entry of the append-only, hash-chained audit trail: who did what to which subject, when, with what data.
/// <see cref="Hash"/> is SHA-256 over the record's canonical bytes including <see cref="PreviousHash"/>.
/// </summary>
/// <param name="Sequence">Position in the trail, starting at 1, without gaps.</param>
/// <param name="Timestamp">When the change was committed (UTC, millisecond precision).</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="Action">What was done, such as <c>model.registered</c> or <c>version.stage_changed</c>.</param>
/// <param name="Subject">What it was done to, such as <c>model:fraud-detector</c> or <c>version:fraud-detector/1.2.0</c>.</param>
/// <param name="Data">Canonical JSON describing the change.</param>
/// <param name="PreviousHash">The hash of the record before (64 zeros for the first).</param>
/// <param name="Hash">Lower-case hex SHA-256 of this record's canonical form.</param>
public sealed record AuditRecord(long Sequence, DateTimeOffset Timestamp, string Actor, string Action, string Subject, string Data, string PreviousHash, string Hash);

/// <summary>An audit record before it is placed in the chain; the store assigns sequence and hashes in the same transaction as the change.</summary>
/// <param name="Timestamp">When (UTC, millisecond precision).</param>
/// <param name="Actor">Who.</param>
/// <param name="Action">What was done.</param>
/// <param name="Subject">To what.</param>
/// <param name="Data">Canonical JSON of the change.</param>
public sealed record AuditDraft(DateTimeOffset Timestamp, string Actor, string Action, string Subject, string Data);

/// <summary>A query over the audit trail; all given filters must match. Results are in sequence order.</summary>
public sealed record AuditQuery
{
    /// <summary>Exact subject, or a prefix when it ends with <c>*</c> (for example <c>version:fraud-detector/*</c>).</summary>
    public string? Subject { get; init; }

    /// <summary>Exact action.</summary>
    public string? Action { get; init; }

    /// <summary>Exact actor.</summary>
    public string? Actor { get; init; }

    /// <summary>Inclusive lower bound on the timestamp.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound on the timestamp.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Records per page (1–1,000; default 100).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token returned by the previous page.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>The outcome of walking the audit chain.</summary>
/// <param name="IsValid">Whether every record verified.</param>
/// <param name="RecordsChecked">How many records were checked.</param>
/// <param name="FirstInvalidSequence">The sequence of the first record that failed, if any.</param>
/// <param name="Problem">What is wrong with it, if anything.</param>
/// <param name="HeadHash">The hash of the last record checked (64 zeros for an empty trail).</param>
public sealed record AuditVerificationResult(bool IsValid, long RecordsChecked, long? FirstInvalidSequence, string? Problem, string HeadHash);

/// <summary>Reads and verifies the audit trail.</summary>
public interface IAuditTrail
{
    /// <summary>Reads records matching a query, in sequence order, one page at a time.</summary>
    /// <param name="query">Filters and paging.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page of records.</returns>
    Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Walks the whole chain and reports the first record whose hash or link does not match, and why.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The verification result.</returns>
    Task<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default);
}
