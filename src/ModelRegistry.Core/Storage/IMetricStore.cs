namespace ModelRegistry.Storage;

/// <summary>
/// The storage seam for metric points: an append-only, batch-friendly path that is separate from
/// <see cref="IRegistryStore"/> and never takes the registry's or the audit trail's write path (one table or collection
/// of raw points, one of hourly roll-ups). An adapter only persists; every rule (validation, names, aggregation, the
/// roll-up format) is decided in Core, and every adapter must pass the conformance suite's <c>MetricStoreTests</c>.
/// </summary>
/// <remarks>
/// <para><b>Names.</b> Core passes canonical names — the registered model name and version text, the binding id and the
/// metric key (<c>Latency</c>, <c>ErrorRate</c>, <c>Custom:tokens.input</c>, …) — so every comparison is ordinal and
/// exact. Timestamps are UTC ticks (<see cref="DateTimeOffset.UtcTicks"/>), so no store loses precision.</para>
/// <para><b>Raw points and roll-ups are disjoint.</b> <see cref="CompactAsync"/> replaces raw points by roll-ups in one
/// atomic step, so a measurement is either a raw point or part of exactly one roll-up row, never both. Several roll-up
/// rows may exist for the same series and hour (points that arrived late are compacted later); readers merge them.</para>
/// <para><b>Indexes.</b> Adapters should index raw points by (model, version, metric, timestamp) and roll-ups by
/// (model, version, metric, hour); <see cref="MetricStoreQuery.ModelName"/> is given by every analysis except the
/// store-wide cost summary and the retention job.</para>
/// </remarks>
public interface IMetricStore
{
    /// <summary>Appends raw points atomically: either every point is stored or none (a batch is one transaction).</summary>
    /// <param name="points">The points, already validated by Core (at most 100,000). An empty list stores nothing.</param>
    /// <param name="cancellationToken">Cancels the call (before the commit point only).</param>
    /// <returns>A task that completes when the points are durable.</returns>
    /// <exception cref="ArgumentException">A point lacks a required field (nothing is stored).</exception>
    ValueTask AppendAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the raw points matching a query in batches of at most <see cref="MetricStoreQuery.BatchSize"/> points. Each
    /// batch holds points of one series; a series may span several batches; neither series nor points need be ordered.
    /// Points are selected by <see cref="MetricPointRecord.TimestampUtcTicks"/> in [From, To).
    /// </summary>
    /// <param name="query">The series filter, the window and what to return.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The batches.</returns>
    IAsyncEnumerable<MetricPointBatch> ReadPointsAsync(MetricStoreQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the roll-up rows matching a query, selected by <see cref="MetricRollupRecord.HourStartUtcTicks"/> in
    /// [From, To), in any order. <see cref="MetricStoreQuery.IncludeDetails"/> and <see cref="MetricStoreQuery.BatchSize"/> are ignored.
    /// </summary>
    /// <param name="query">The series filter and the hour range.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The roll-up rows.</returns>
    IAsyncEnumerable<MetricRollupRecord> ReadRollupsAsync(MetricStoreQuery query, CancellationToken cancellationToken);

    /// <summary>The smallest timestamp of any raw point, so the retention job knows where to start.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>UTC ticks, or <see langword="null"/> when there are no raw points.</returns>
    ValueTask<long?> GetOldestPointTimestampAsync(CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: deletes every raw point (of every series) with a timestamp in
    /// [<see cref="MetricCompaction.FromUtcTicks"/>, <see cref="MetricCompaction.ToUtcTicks"/>), checks that exactly
    /// <see cref="MetricCompaction.ExpectedPointCount"/> points were deleted, and inserts
    /// <see cref="MetricCompaction.Rollups"/> (as new rows; existing roll-ups are kept). When the count differs — another
    /// writer appended or compacted points in the range since Core read them — nothing changes.
    /// </summary>
    /// <param name="compaction">The range, the expected count and the roll-ups that summarise the deleted points.</param>
    /// <param name="cancellationToken">Cancels the call (before the commit point only).</param>
    /// <returns>A task that completes when the compaction is durable.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.ConcurrencyConflict"/> when the deleted count differs (nothing changed).</exception>
    ValueTask CompactAsync(MetricCompaction compaction, CancellationToken cancellationToken);

    /// <summary>Deletes roll-up rows whose hour starts before an instant (roll-up retention).</summary>
    /// <param name="beforeUtcTicks">Exclusive bound on <see cref="MetricRollupRecord.HourStartUtcTicks"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of rows deleted.</returns>
    ValueTask<long> DeleteRollupsBeforeAsync(long beforeUtcTicks, CancellationToken cancellationToken);
}

/// <summary>One metric series: a metric of one model version, optionally served by one provider binding.</summary>
/// <param name="ModelName">The registered model name (canonical; compared ordinally).</param>
/// <param name="Version">The registered version text (canonical; compared ordinally).</param>
/// <param name="BindingId">The provider binding, or <see langword="null"/> when the points name none.</param>
/// <param name="Metric">The metric key: a <c>MetricKind</c> name, or <c>Custom:name</c> for a custom metric (1–135 characters).</param>
public sealed record MetricSeries(string ModelName, string Version, string? BindingId, string Metric);

/// <summary>One raw metric point as a row: plain values an adapter stores in one table or collection.</summary>
/// <param name="Series">The series.</param>
/// <param name="TimestampUtcTicks">When it was measured, in UTC ticks.</param>
/// <param name="Value">The value (finite).</param>
/// <param name="Unit">The unit as given, or <see langword="null"/> (≤ 32 characters).</param>
/// <param name="RequestId">The request identifier, or <see langword="null"/> (≤ 256 characters).</param>
/// <param name="Dimensions">Core's canonical JSON object of the dimensions (keys in ordinal order), or <see langword="null"/> without dimensions. Stored and returned verbatim.</param>
public sealed record MetricPointRecord(MetricSeries Series, long TimestampUtcTicks, double Value, string? Unit = null, string? RequestId = null, string? Dimensions = null);

/// <summary>
/// A batch of raw points of one series, column by column (so a million points cost a few arrays, not a million objects).
/// All columns have <see cref="Count"/> entries, except the detail columns, which are empty unless the query asked for
/// details.
/// </summary>
/// <param name="Series">The series every point of the batch belongs to.</param>
/// <param name="TimestampsUtcTicks">Timestamps in UTC ticks.</param>
/// <param name="Values">Values.</param>
/// <param name="Units">Units (details only).</param>
/// <param name="RequestIds">Request identifiers (details only).</param>
/// <param name="Dimensions">Dimensions JSON as stored (details only).</param>
public sealed record MetricPointBatch(
    MetricSeries Series,
    ReadOnlyMemory<long> TimestampsUtcTicks,
    ReadOnlyMemory<double> Values,
    ReadOnlyMemory<string?> Units = default,
    ReadOnlyMemory<string?> RequestIds = default,
    ReadOnlyMemory<string?> Dimensions = default)
{
    /// <summary>Number of points in the batch.</summary>
    public int Count => Values.Length;
}

/// <summary>
/// A mergeable summary of the points of one series in one UTC hour: moments and a quantile sketch, so that count, mean,
/// min, max, standard deviation and percentiles over old windows still work after the raw points are gone.
/// </summary>
/// <param name="Series">The series.</param>
/// <param name="HourStartUtcTicks">Start of the hour in UTC ticks (a multiple of <see cref="TimeSpan.TicksPerHour"/>).</param>
/// <param name="Count">Number of points summarised (≥ 1).</param>
/// <param name="Sum">Sum of the values.</param>
/// <param name="Mean">Mean of the values.</param>
/// <param name="SumOfSquaredDeviations">Σ (x − mean)², the second central moment times the count (Welford's M2).</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Sketch">Core's encoding of the quantile sketch of the values; stored and returned verbatim (a BLOB).</param>
public sealed record MetricRollupRecord(
    MetricSeries Series,
    long HourStartUtcTicks,
    long Count,
    double Sum,
    double Mean,
    double SumOfSquaredDeviations,
    double Min,
    double Max,
    byte[] Sketch);

/// <summary>Which series and which time range <see cref="IMetricStore.ReadPointsAsync"/> and <see cref="IMetricStore.ReadRollupsAsync"/> return.</summary>
public sealed record MetricStoreQuery
{
    /// <summary>Only this model (ordinal); <see langword="null"/> for every model.</summary>
    public string? ModelName { get; init; }

    /// <summary>Only this version (ordinal); <see langword="null"/> for every version.</summary>
    public string? Version { get; init; }

    /// <summary>Only this binding (ordinal); <see langword="null"/> for every binding and for points without one.</summary>
    public string? BindingId { get; init; }

    /// <summary>Only this metric key (ordinal); <see langword="null"/> for every metric.</summary>
    public string? Metric { get; init; }

    /// <summary>Inclusive lower bound in UTC ticks (of the point's timestamp, or of the roll-up's hour start).</summary>
    public required long FromUtcTicks { get; init; }

    /// <summary>Exclusive upper bound in UTC ticks.</summary>
    public required long ToUtcTicks { get; init; }

    /// <summary>Whether batches carry the unit, request id and dimensions columns (Core asks only when it filters by dimensions).</summary>
    public bool IncludeDetails { get; init; }

    /// <summary>The most points per batch (1–100,000; default 8,192).</summary>
    public int BatchSize { get; init; } = 8192;
}

/// <summary>The raw points of a time range replaced by their roll-ups; see <see cref="IMetricStore.CompactAsync"/>.</summary>
/// <param name="FromUtcTicks">Inclusive start of the range (hour-aligned).</param>
/// <param name="ToUtcTicks">Exclusive end of the range (hour-aligned).</param>
/// <param name="ExpectedPointCount">How many raw points Core read (and summarised) in the range.</param>
/// <param name="Rollups">The roll-ups of those points.</param>
public sealed record MetricCompaction(long FromUtcTicks, long ToUtcTicks, long ExpectedPointCount, IReadOnlyList<MetricRollupRecord> Rollups);
