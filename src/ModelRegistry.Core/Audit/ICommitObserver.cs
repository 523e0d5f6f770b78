namespace ModelRegistry.Audit;

/// <summary>
/// Told about every commit the registry makes in this process, after it is durable: governance events and periodic
/// audit checkpoints hang off it. An observer that throws is logged and never undoes the commit.
/// </summary>
internal interface ICommitObserver
{
    ValueTask OnCommittedAsync(IReadOnlyList<AuditRecord> committed, CancellationToken cancellationToken);
}
