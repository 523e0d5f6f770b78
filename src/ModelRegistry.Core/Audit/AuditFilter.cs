namespace ModelRegistry.Audit;

/// <summary>The reference meaning of <see cref="AuditQuery"/> filters, used by the in-memory store.</summary>
internal static class AuditFilter
{
    public static bool Matches(AuditQuery q, AuditRecord r)
        => SubjectMatches(q.Subject, r.Subject)
           && (q.Action is null || string.Equals(q.Action, r.Action, StringComparison.Ordinal))
           && (q.Actor is null || string.Equals(q.Actor, r.Actor, StringComparison.Ordinal))
           && (q.From is null || r.Timestamp >= q.From)
           && (q.To is null || r.Timestamp < q.To);

    public static bool SubjectMatches(string? pattern, string subject)
        => pattern is null
           || (pattern.EndsWith('*')
               ? subject.StartsWith(pattern[..^1], StringComparison.Ordinal)
               : string.Equals(pattern, subject, StringComparison.Ordinal));
}
