using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Audit;

/// <summary>Reads the audit trail through the store and verifies the hash chain.</summary>
internal sealed class AuditTrailService(IRegistryStore store) : IAuditTrail
{
    private const int VerifyBatch = 1_000;

    public async Task<Page<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(query);
        var pageSize = Guard.InRange(query.PageSize, 1, 1_000, "pageSize");
        if (query.From is { } from && query.To is { } to && to < from)
        {
            throw Guard.Invalid("to", $"The window ends ({to:O}) before it starts ({from:O}).");
        }

        var after = DecodeToken(query.ContinuationToken);
        var rows = await store.QueryAuditAsync(query, after, pageSize + 1, cancellationToken);
        var items = rows.Take(pageSize).ToList();
        return new Page<AuditRecord>(items, rows.Count > pageSize ? EncodeToken(items[^1].Sequence) : null);
    }

    public async Task<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var all = new AuditQuery();
        long expected = 1;
        var previousHash = AuditChain.GenesisHash;
        await foreach (var record in store.ReadAuditAsync(all, 0, VerifyBatch, cancellationToken))
        {
            if (AuditChain.Check(record, expected, previousHash) is { } problem)
            {
                return new AuditVerificationResult(false, expected - 1, record.Sequence < expected ? record.Sequence : expected, problem, previousHash);
            }

            previousHash = record.Hash;
            expected++;
        }

        return new AuditVerificationResult(true, expected - 1, null, null, previousHash);
    }

    private static string EncodeToken(long sequence) => "a" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long DecodeToken(string? token)
    {
        if (token is null)
        {
            return 0;
        }

        return token.Length > 1 && token[0] == 'a' && long.TryParse(token.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            ? seq
            : throw Guard.Invalid("continuationToken", "The continuation token is not one this audit query returned.");
    }
}
