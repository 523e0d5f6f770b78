using System.Diagnostics;
using ModelRegistry.Audit;
using ModelRegistry.Storage;

namespace ModelRegistry.Internal;

/// <summary>Commits a transaction to the store with the <c>ModelRegistry</c> activity, duration and counters around it.</summary>
internal static class InstrumentedCommit
{
    public static async Task<IReadOnlyList<AuditRecord>> CommitAsync(IRegistryStore store, IReadOnlyList<StoreWrite> writes, IReadOnlyList<AuditDraft> audit, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.ActivitySource.StartActivity("ModelRegistry.Commit");
        activity?.SetTag("modelregistry.action", audit.Count > 0 ? audit[0].Action : null);
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<AuditRecord> records;
        try
        {
            records = await store.CommitAsync(new StoreTransaction(writes, audit), cancellationToken);
        }
        catch (ModelRegistryException ex)
        {
            Telemetry.Refusals.Add(1, new KeyValuePair<string, object?>("code", ex.Code.ToString()));
            throw;
        }

        Telemetry.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        foreach (var draft in audit)
        {
            Telemetry.Mutations.Add(1, new KeyValuePair<string, object?>("action", draft.Action));
        }

        return records;
    }
}
