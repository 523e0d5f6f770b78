namespace ModelRegistry.Performance;

/// <summary>
/// The buffered path for hot code such as an inference gateway: records go into a bounded in-memory buffer and a
/// background writer stores them in batches (by size, <see cref="PerformanceOptions.FlushBatchSize"/>, or time,
/// <see cref="PerformanceOptions.FlushInterval"/>), so a request never waits on storage. Use
/// <see cref="IPerformanceTracker.TrackInferenceAsync"/> instead when the caller needs the stored record or wants
/// unknown models reported to it.
/// </summary>
/// <remarks>
/// <para><b>Validation.</b> Value rules (finite numbers, ranges, names) are checked when a record is offered, and a bad
/// record throws at once. Whether the model, version and binding exist is checked when the batch is written: a record
/// naming an unknown one is left out of its batch and counted in <see cref="RejectedCount"/> (and logged), so one bad
/// record never costs the others.</para>
/// <para><b>When the buffer is full</b> (<see cref="PerformanceOptions.BufferCapacity"/>):
/// <see cref="MetricBufferFullMode.Wait"/> makes the caller wait for room; <see cref="MetricBufferFullMode.DropNewest"/>
/// drops the new record, returns <see langword="false"/> and counts it in <see cref="DroppedCount"/> (also published as
/// the <c>modelregistry.metrics.dropped</c> counter of the <c>ModelRegistry</c> meter).</para>
/// <para><b>Shutdown.</b> Disposing the container flushes what is buffered. A failed store write is logged and its
/// records are counted in <see cref="FailedCount"/>; the writer carries on.</para>
/// </remarks>
public interface IInferenceRecorder
{
    /// <summary>Offers one served request to the buffer; it is stored like <see cref="IPerformanceTracker.TrackInferenceAsync"/> would.</summary>
    /// <param name="record">The request.</param>
    /// <param name="cancellationToken">Cancels a wait for room (in <see cref="MetricBufferFullMode.Wait"/> mode).</param>
    /// <returns><see langword="true"/> when buffered; <see langword="false"/> when dropped because the buffer was full.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for a bad value or name (nothing is buffered).</exception>
    /// <exception cref="ObjectDisposedException">The recorder has been disposed.</exception>
    ValueTask<bool> TrackInferenceAsync(InferenceRecord record, CancellationToken cancellationToken = default);

    /// <summary>Offers one metric point to the buffer.</summary>
    /// <param name="point">The point.</param>
    /// <param name="cancellationToken">Cancels a wait for room (in <see cref="MetricBufferFullMode.Wait"/> mode).</param>
    /// <returns><see langword="true"/> when buffered; <see langword="false"/> when dropped because the buffer was full.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for a bad value or name (nothing is buffered).</exception>
    /// <exception cref="ObjectDisposedException">The recorder has been disposed.</exception>
    ValueTask<bool> RecordAsync(MetricPoint point, CancellationToken cancellationToken = default);

    /// <summary>Writes everything buffered before the call, without waiting for the batch size or interval.</summary>
    /// <param name="cancellationToken">Stops waiting (the records are still written).</param>
    /// <returns>A task that completes when those records have been written (or rejected, or failed).</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Records dropped because the buffer was full (<see cref="MetricBufferFullMode.DropNewest"/>).</summary>
    long DroppedCount { get; }

    /// <summary>Records left out when written because their model, version or binding does not exist.</summary>
    long RejectedCount { get; }

    /// <summary>Records lost because the store failed to write their batch.</summary>
    long FailedCount { get; }

    /// <summary>Records written to the store.</summary>
    long WrittenCount { get; }

    /// <summary>Records waiting in the buffer.</summary>
    int PendingCount { get; }
}
