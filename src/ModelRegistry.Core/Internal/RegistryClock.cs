namespace ModelRegistry.Internal;

/// <summary>
/// The registry's notion of "now": the injected <see cref="TimeProvider"/>, in UTC, truncated to milliseconds so every
/// store (LiteDB keeps milliseconds) round-trips timestamps exactly and audit hashes stay verifiable.
/// </summary>
internal sealed class RegistryClock(TimeProvider time)
{
    public TimeProvider TimeProvider { get; } = time;

    public DateTimeOffset Now()
    {
        var now = TimeProvider.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
