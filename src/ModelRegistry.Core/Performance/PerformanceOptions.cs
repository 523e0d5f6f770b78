namespace ModelRegistry.Performance;

/// <summary>
/// Options of the performance tracker and the buffered inference recorder, validated when either is first resolved (and
/// at host start-up): a bad value fails with a message that names the option. Configure them with
/// <c>builder.ConfigurePerformance(o =&gt; ...)</c>.
/// </summary>
public sealed class PerformanceOptions
{
    /// <summary>
    /// How many days raw metric points are kept (1–3,650; default 30). <see cref="IPerformanceTracker.ApplyRetentionAsync"/>
    /// rolls older points up into hourly summaries and deletes them.
    /// </summary>
    public int RawRetentionDays { get; set; } = 30;

    /// <summary>How many days hourly roll-ups are kept (at least <see cref="RawRetentionDays"/>; default 400); <see langword="null"/> keeps them forever.</summary>
    public int? RollupRetentionDays { get; set; } = 400;

    /// <summary>How many records the buffered <see cref="IInferenceRecorder"/> holds before it is full (1–10,000,000; default 100,000).</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>The buffered recorder writes a batch once this many records are waiting (1–10,000; default 1,000). An inference becomes about six points.</summary>
    public int FlushBatchSize { get; set; } = 1_000;

    /// <summary>The buffered recorder writes a batch at the latest this long after its first record arrived (1 ms–1 hour; default 1 second).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>What the buffered recorder does when its buffer is full (default <see cref="MetricBufferFullMode.Wait"/>).</summary>
    public MetricBufferFullMode BufferFullMode { get; set; } = MetricBufferFullMode.Wait;

    /// <summary>The rollback triggers used when <see cref="IPerformanceTracker.CheckRollbackAsync"/> is given none and the model has no entry in <see cref="RollbackTriggersByModel"/>.</summary>
    public RollbackTriggerOptions RollbackTriggers { get; set; } = RollbackTriggerOptions.Default;

    /// <summary>Rollback triggers per model name (matched case-insensitively); they replace <see cref="RollbackTriggers"/> for that model.</summary>
    public IReadOnlyDictionary<string, RollbackTriggerOptions> RollbackTriggersByModel { get; set; } = new Dictionary<string, RollbackTriggerOptions>();

    /// <summary>
    /// Master switch for automatic rollback (default <see langword="true"/>). When <see langword="false"/>, no trigger rolls
    /// a model back even if its <see cref="RollbackTriggerOptions.AutomaticRollback"/> asks for it; decisions are still returned.
    /// </summary>
    public bool AutomaticRollbackEnabled { get; set; } = true;

    /// <summary>
    /// How much traffic of the previous production version the latency trigger compares against (1 minute–90 days; default
    /// 24 hours): for a production version, the span just before it was promoted; for a canary, the span just before now
    /// (the production version serves beside it).
    /// </summary>
    public TimeSpan RollbackBaselineWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a model version looked up to check recorded points (and its bindings' prices) is reused before it is read
    /// again (0–1 hour; default 30 seconds; 0 disables the cache). Versions that do not exist are never cached.
    /// </summary>
    public TimeSpan RegistryCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>What the buffered <see cref="IInferenceRecorder"/> does when its buffer is full.</summary>
public enum MetricBufferFullMode
{
    /// <summary>The caller waits until the writer has made room (back-pressure; nothing is lost).</summary>
    Wait = 0,

    /// <summary>The new record is dropped and counted in <see cref="IInferenceRecorder.DroppedCount"/>; the caller never waits.</summary>
    DropNewest = 1,
}
