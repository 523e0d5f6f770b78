using ModelRegistry.Registry;

namespace ModelRegistry.Compliance;

/// <summary>
/// Receives governance events after they are committed: promotions, rollbacks, approvals and deprecations — the hook
/// for notifications and event buses. Register with <c>builder.AddRegistryEventHandler&lt;T&gt;()</c>.
/// </summary>
/// <remarks>
/// <para>Events are derived from the audit trail, in sequence order, so nothing is delivered that was not committed and
/// nothing committed is skipped. Delivery is at least once: a handler that throws is logged, the commit stands, and the
/// same event is offered again on the next delivery round (after the next commit, or
/// <see cref="IComplianceManager.DeliverEventsAsync"/>).</para>
/// <para>To resume after a restart without losing events, persist <see cref="RegistryEvent.Sequence"/> of the last
/// handled event and return it from <see cref="GetResumeSequenceAsync"/>.</para>
/// </remarks>
public interface IRegistryEventHandler
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>
    /// The audit sequence of the last event this handler has handled, asked once per process before the first delivery;
    /// <see langword="null"/> starts with the events committed from then on.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sequence to resume after, or <see langword="null"/>.</returns>
    ValueTask<long?> GetResumeSequenceAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    /// <summary>Handles one event.</summary>
    /// <param name="registryEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    ValueTask HandleAsync(RegistryEvent registryEvent, CancellationToken cancellationToken);
}

/// <summary>The kinds of governance event.</summary>
public enum RegistryEventKind
{
    /// <summary>A version moved to staging, canary or production.</summary>
    Promoted = 0,

    /// <summary>A model's production version was rolled back to the previous one.</summary>
    RolledBack = 1,

    /// <summary>An approval was requested.</summary>
    ApprovalRequested = 2,

    /// <summary>An approval request reached its quorum.</summary>
    ApprovalGranted = 3,

    /// <summary>An approval request was rejected.</summary>
    ApprovalRejected = 4,

    /// <summary>A reviewer asked for changes.</summary>
    ApprovalChangesRequested = 5,

    /// <summary>An approval request was withdrawn.</summary>
    ApprovalWithdrawn = 6,

    /// <summary>An approval request expired.</summary>
    ApprovalExpired = 7,

    /// <summary>A model was deprecated, or a version moved to the deprecated stage.</summary>
    Deprecated = 8,
}

/// <summary>A governance event, derived from one audit record.</summary>
public sealed record RegistryEvent
{
    /// <summary>What happened.</summary>
    public required RegistryEventKind Kind { get; init; }

    /// <summary>The audit record's sequence: the resume position.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it was committed.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who did it.</summary>
    public required string Actor { get; init; }

    /// <summary>The audit action (<c>version.stage_changed</c>, <c>approval.approved</c>).</summary>
    public required string Action { get; init; }

    /// <summary>The audit subject (<c>version:fraud/1.2.0</c>).</summary>
    public required string Subject { get; init; }

    /// <summary>The model concerned.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version concerned, when the event is about one.</summary>
    public SemanticVersion? Version { get; init; }

    /// <summary>For stage changes and rollbacks, the stage before.</summary>
    public ModelStage? FromStage { get; init; }

    /// <summary>For stage changes, the stage after.</summary>
    public ModelStage? ToStage { get; init; }

    /// <summary>For approval events, the request's id.</summary>
    public string? ApprovalRequestId { get; init; }

    /// <summary>The audit record's data (JSON), with every detail.</summary>
    public required string Data { get; init; }
}
