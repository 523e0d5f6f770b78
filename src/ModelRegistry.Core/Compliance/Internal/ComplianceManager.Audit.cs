using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Internal;

internal sealed partial class ComplianceManager
{
    /// <summary>How many audit records one store read returns while the manager walks the trail.</summary>
    private const int AuditPage = 1_000;

    public async Task<Page<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(query);
        await AuthorizeAsync(ComplianceRoles.Viewer, null, "read the audit trail", cancellationToken);
        return await _auditTrail.QueryAsync(query, cancellationToken);
    }

    public async Task<long> ExportAuditAsync(Stream destination, AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(destination);
        if (!destination.CanWrite)
        {
            throw Guard.Invalid(nameof(destination), "The destination stream is not writable.");
        }

        query = (query ?? new AuditQuery()) with { PageSize = AuditPage, ContinuationToken = null };
        if (query.From is { } from && query.To is { } to && to < from)
        {
            throw Guard.Invalid("to", $"The window ends ({to:O}) before it starts ({from:O}).");
        }

        await AuthorizeAsync(ComplianceRoles.Viewer, null, "export the audit trail", cancellationToken);
        long written = 0;
        await foreach (var record in AuditRecordsAsync(query, 0, cancellationToken))
        {
            await WriteJsonLineAsync(destination, record, cancellationToken);
            written++;
        }

        await destination.FlushAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// The stored audit records that match <paramref name="query"/> with a sequence after <paramref name="after"/>, in
    /// sequence order, read from the store one page of <see cref="AuditPage"/> at a time. Stopping the enumeration stops
    /// the reading, so a caller that needs only a prefix reads only its pages.
    /// </summary>
    private IAsyncEnumerable<AuditRecord> AuditRecordsAsync(AuditQuery query, long after, CancellationToken cancellationToken)
        => _store.ReadAuditAsync(query, after, AuditPage, cancellationToken);

    internal static async Task WriteJsonLineAsync<T>(Stream destination, T value, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(destination, value, ComplianceJson.Compact, cancellationToken);

        // Asynchronously too: an HTTP response body (ASP.NET Core) refuses synchronous writes.
        await destination.WriteAsync(LineFeed, cancellationToken);
    }

    private static readonly ReadOnlyMemory<byte> LineFeed = new[] { (byte)'\n' };

    public async Task<AuditTrailVerification> VerifyAuditTrailAsync(AuditVerificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AuditVerificationOptions();
        Guard.NotNull(options.TrustedCheckpoints, "TrustedCheckpoints");
        await AuthorizeAsync(ComplianceRoles.Viewer, null, "verify the audit trail", cancellationToken);
        return await _anchor.VerifyAsync(options, cancellationToken);
    }

    public async Task<AuditCheckpoint> CreateAuditCheckpointAsync(CancellationToken cancellationToken = default)
    {
        var actor = await AuthorizeAsync(ComplianceRoles.Contributor, null, "create audit checkpoints", cancellationToken);
        return await _anchor.CreateAsync(actor, automatic: false, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditCheckpoint>> ListAuditCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(ComplianceRoles.Viewer, null, "read audit checkpoints", cancellationToken);
        return await _anchor.ListAsync(cancellationToken);
    }

    public Task<int> DeliverEventsAsync(CancellationToken cancellationToken = default)
        => _events.DeliverAsync(null, cancellationToken);
}
