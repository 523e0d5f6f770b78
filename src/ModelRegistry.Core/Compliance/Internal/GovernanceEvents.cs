using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>
/// Delivers governance events to <see cref="IRegistryEventHandler"/>s after commits, reading them back from the audit
/// trail so delivery follows the committed order and resumes from a sequence number. Also triggers periodic checkpoints.
/// </summary>
internal sealed partial class GovernanceEventDispatcher(IServiceProvider services, IRegistryStore store, AuditAnchor anchor, IActorAccessor actor, ILogger<GovernanceEventDispatcher> logger) : ICommitObserver
{
    private const int Batch = 500;
    private static readonly AsyncLocal<bool> Delivering = new();
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<IRegistryEventHandler, long> _cursors = new(ReferenceEqualityComparer.Instance);
    private IReadOnlyList<IRegistryEventHandler>? _handlers;

    public async ValueTask OnCommittedAsync(IReadOnlyList<AuditRecord> committed, CancellationToken cancellationToken)
    {
        if (committed.Count == 0)
        {
            return;
        }

        try
        {
            await DeliverAsync(committed[0].Sequence - 1, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryFailed(logger, ex);
        }

        try
        {
            await anchor.MaybeCreateAsync(committed[^1].Sequence, actor.CurrentActor, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckpointFailed(logger, ex);
        }
    }

    /// <summary>Delivers every event after each handler's cursor; a handler without a resume position starts after <paramref name="startIfUnknown"/> (or the current head).</summary>
    public async Task<int> DeliverAsync(long? startIfUnknown, CancellationToken cancellationToken)
    {
        var handlers = _handlers ??= [.. services.GetServices<IRegistryEventHandler>()];

        // A handler that changes the registry commits from inside delivery; the outer round reads those records too.
        if (handlers.Count == 0 || Delivering.Value)
        {
            return 0;
        }

        await _lock.WaitAsync(cancellationToken);
        Delivering.Value = true;
        try
        {
            foreach (var handler in handlers.Where(h => !_cursors.ContainsKey(h)))
            {
                try
                {
                    _cursors[handler] = await handler.GetResumeSequenceAsync(cancellationToken)
                        ?? startIfUnknown ?? await store.GetChangeSequenceAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHandlerFailed(logger, handler.Name, 0, ex);
                }
            }

            var active = handlers.Where(_cursors.ContainsKey).ToList();
            if (active.Count == 0)
            {
                return 0;
            }

            var blocked = new HashSet<IRegistryEventHandler>(ReferenceEqualityComparer.Instance);
            var after = active.Min(h => _cursors[h]);
            var delivered = 0;
            await foreach (var batch in store.ReadAuditPagesAsync(new AuditQuery(), after, Batch, cancellationToken))
            {
                foreach (var record in batch)
                {
                    var registryEvent = RegistryEventMapper.TryMap(record);
                    foreach (var handler in active)
                    {
                        if (blocked.Contains(handler) || _cursors[handler] >= record.Sequence)
                        {
                            continue;
                        }

                        if (registryEvent is not null)
                        {
                            try
                            {
                                await handler.HandleAsync(registryEvent, cancellationToken);
                                delivered++;
                            }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            {
                                // At least once: the cursor stays before this event, so the next round offers it again.
                                LogHandlerFailed(logger, handler.Name, record.Sequence, ex);
                                blocked.Add(handler);
                                continue;
                            }
                        }

                        _cursors[handler] = record.Sequence;
                    }
                }

                // Every handler failed: stop before reading another page; the next round starts at their cursors.
                if (blocked.Count == active.Count)
                {
                    break;
                }
            }

            return delivered;
        }
        finally
        {
            Delivering.Value = false;
            _lock.Release();
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Event handler {Handler} failed at audit record {Sequence}; it will be offered the event again on the next delivery")]
    private static partial void LogHandlerFailed(ILogger logger, string handler, long sequence, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Delivering governance events failed; the commit stands and delivery resumes on the next commit")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Writing the periodic audit checkpoint failed; the commit stands")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}

/// <summary>Turns the audit records that are governance events into <see cref="RegistryEvent"/>s.</summary>
internal static class RegistryEventMapper
{
    public static RegistryEvent? TryMap(AuditRecord record)
    {
        var kind = record.Action switch
        {
            "version.stage_changed" => StageKind(record.Data),
            "model.rolled_back" => RegistryEventKind.RolledBack,
            "model.deprecated" => RegistryEventKind.Deprecated,
            "approval.requested" => RegistryEventKind.ApprovalRequested,
            "approval.approved" => RegistryEventKind.ApprovalGranted,
            "approval.rejected" => RegistryEventKind.ApprovalRejected,
            "approval.changes_requested" => RegistryEventKind.ApprovalChangesRequested,
            "approval.withdrawn" => RegistryEventKind.ApprovalWithdrawn,
            "approval.expired" => RegistryEventKind.ApprovalExpired,
            _ => (RegistryEventKind?)null,
        };
        if (kind is null || !TrySplitSubject(record.Subject, out var model, out var version))
        {
            return null;
        }

        using var data = Parse(record.Data);
        var root = data?.RootElement;
        ModelStage? from = null, to = null;
        string? requestId = null;
        if (record.Action == "version.stage_changed")
        {
            from = Stage(root, "from");
            to = Stage(root, "to");
        }
        else if (record.Action == "model.rolled_back")
        {
            // The event is about the version that was rolled back; the restored one is in the data.
            version = SemanticVersion.TryParse(String(root, "from"), out var v) ? v : null;
            from = ModelStage.Production;
            to = ModelStage.RolledBack;
        }
        else if (record.Action.StartsWith("approval.", StringComparison.Ordinal))
        {
            requestId = String(root, "requestId");
        }

        return new RegistryEvent
        {
            Kind = kind.Value,
            Sequence = record.Sequence,
            Timestamp = record.Timestamp,
            Actor = record.Actor,
            Action = record.Action,
            Subject = record.Subject,
            ModelName = model,
            Version = version,
            FromStage = from,
            ToStage = to,
            ApprovalRequestId = requestId,
            Data = record.Data,
        };
    }

    public static bool TrySplitSubject(string subject, out string model, out SemanticVersion? version)
    {
        version = null;
        model = string.Empty;
        if (subject.StartsWith("model:", StringComparison.Ordinal))
        {
            model = subject["model:".Length..];
            return model.Length > 0;
        }

        if (subject.StartsWith("version:", StringComparison.Ordinal))
        {
            var rest = subject["version:".Length..];
            var slash = rest.LastIndexOf('/');
            if (slash > 0 && SemanticVersion.TryParse(rest[(slash + 1)..], out var v))
            {
                model = rest[..slash];
                version = v;
                return true;
            }
        }

        return false;
    }

    private static RegistryEventKind? StageKind(string data)
    {
        using var doc = Parse(data);
        return Stage(doc?.RootElement, "to") switch
        {
            ModelStage.Staging or ModelStage.Canary or ModelStage.Production => RegistryEventKind.Promoted,
            ModelStage.Deprecated => RegistryEventKind.Deprecated,
            _ => null,
        };
    }

    private static JsonDocument? Parse(string data)
    {
        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement? root, string name)
        => root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static ModelStage? Stage(JsonElement? root, string name)
        => Enum.TryParse<ModelStage>(String(root, name), ignoreCase: false, out var stage) && Enum.IsDefined(stage) ? stage : null;
}
