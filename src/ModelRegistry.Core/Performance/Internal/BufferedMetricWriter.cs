using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The buffered <see cref="IInferenceRecorder"/>: a bounded channel in front of the metric store, drained by one
/// background loop that writes a batch when <see cref="PerformanceOptions.FlushBatchSize"/> records are waiting, when
/// <see cref="PerformanceOptions.FlushInterval"/> has passed since the batch's first record (on the injected
/// <see cref="TimeProvider"/>), when a flush is asked for, or when the recorder is disposed. The loop starts with the
/// first record, so a host that never records pays nothing.
/// </summary>
/// <remarks>
/// A flush is a marker in the channel: everything offered before it is in an earlier or the same batch, so when the
/// marker's batch is written, everything before the flush is written. Markers always wait for room, even in DropNewest
/// mode (a flush must not be lost).
/// </remarks>
internal sealed partial class BufferedMetricWriter : IInferenceRecorder, IAsyncDisposable, IDisposable
{
    private readonly Channel<Item> _channel;
    private readonly IMetricStore _store;
    private readonly SubjectResolver _resolver;
    private readonly TimeProvider _time;
    private readonly int _batchSize;
    private readonly TimeSpan _interval;
    private readonly MetricBufferFullMode _fullMode;
    private readonly ILogger _logger;
    private readonly Lock _startGate = new();
    private Task? _loop;
    private long _dropped;
    private long _rejected;
    private long _failed;
    private long _written;
    private int _pending;
    private int _disposed;

    public BufferedMetricWriter(IMetricStore store, SubjectResolver resolver, TimeProvider time, PerformanceOptions options, ILogger<BufferedMetricWriter> logger)
    {
        _store = store;
        _resolver = resolver;
        _time = time;
        _batchSize = options.FlushBatchSize;
        _interval = options.FlushInterval;
        _fullMode = options.BufferFullMode;
        _logger = logger;
        _channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public long DroppedCount => Interlocked.Read(ref _dropped);

    public long RejectedCount => Interlocked.Read(ref _rejected);

    public long FailedCount => Interlocked.Read(ref _failed);

    public long WrittenCount => Interlocked.Read(ref _written);

    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>Test hook: called each time the loop starts waiting for the flush interval of a partial batch.</summary>
    internal Action? WaitingForInterval { get; set; }

    public ValueTask<bool> TrackInferenceAsync(InferenceRecord record, CancellationToken cancellationToken = default)
    {
        MetricValidation.Validate(record);
        return OfferAsync(new Item(record, null, (record.Timestamp ?? _time.GetUtcNow()).UtcTicks, null), cancellationToken);
    }

    public ValueTask<bool> RecordAsync(MetricPoint point, CancellationToken cancellationToken = default)
    {
        MetricValidation.Validate(point);
        return OfferAsync(new Item(null, point, (point.Timestamp ?? _time.GetUtcNow()).UtcTicks, null), cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _loop) is null)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _channel.Writer.WriteAsync(new Item(null, null, 0, done), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Disposing: the loop drains and writes everything that was offered.
            await _loop!.WaitAsync(cancellationToken);
            return;
        }

        await done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _channel.Writer.TryComplete();
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
    }

    /// <summary>Blocks until the buffer is written; containers call it when they are disposed synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask<bool> OfferAsync(Item item, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        EnsureStarted();

        // Count before writing: the loop may read the item before TryWrite returns.
        Interlocked.Increment(ref _pending);
        if (_channel.Writer.TryWrite(item))
        {
            return true;
        }

        if (_fullMode == MetricBufferFullMode.DropNewest)
        {
            Interlocked.Decrement(ref _pending);
            if (Volatile.Read(ref _disposed) == 1)
            {
                throw new ObjectDisposedException(GetType().FullName);
            }

            Interlocked.Increment(ref _dropped);
            PerformanceTelemetry.Dropped.Add(1);
            return false;
        }

        try
        {
            await _channel.Writer.WriteAsync(item, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            Interlocked.Decrement(ref _pending);
            if (ex is ChannelClosedException)
            {
                throw new ObjectDisposedException(GetType().FullName);
            }

            throw;
        }
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            if (_loop is null)
            {
                Volatile.Write(ref _loop, Task.Run(RunAsync));
            }
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<Item>(Math.Min(_batchSize, 4096));
        var flushes = new List<TaskCompletionSource>();

        // WaitToReadAsync returns false only once the channel is completed (disposal) and empty, so nothing is left behind.
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Drain(reader, batch, flushes);
            if (batch.Count < _batchSize && flushes.Count == 0 && batch.Count > 0)
            {
                using var timer = new CancellationTokenSource();
                var interval = Task.Delay(_interval, _time, timer.Token);
                WaitingForInterval?.Invoke();
                while (batch.Count < _batchSize && flushes.Count == 0)
                {
                    var more = reader.WaitToReadAsync().AsTask();
                    if (await Task.WhenAny(more, interval).ConfigureAwait(false) != more || !await more.ConfigureAwait(false))
                    {
                        break;
                    }

                    Drain(reader, batch, flushes);
                }

                await timer.CancelAsync().ConfigureAwait(false);
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }

            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
        }
    }

    /// <summary>Moves waiting items into the batch until it is full, a flush marker is reached, or the channel is empty.</summary>
    private void Drain(ChannelReader<Item> reader, List<Item> batch, List<TaskCompletionSource> flushes)
    {
        while (batch.Count < _batchSize && reader.TryRead(out var item))
        {
            if (item.Flush is not null)
            {
                flushes.Add(item.Flush);
                return;
            }

            Interlocked.Decrement(ref _pending);
            batch.Add(item);
        }
    }

    private async Task WriteAsync(List<Item> batch)
    {
        var points = new List<MetricPointRecord>(batch.Count * 6);
        var series = new SeriesCache();
        long rejected = 0;
        string? firstRejection = null;
        foreach (var item in batch)
        {
            try
            {
                if (item.Inference is { } record)
                {
                    var resolved = await _resolver.RequireAsync(record.ModelName, record.Version, record.BindingId, "A buffered inference record", CancellationToken.None).ConfigureAwait(false);
                    InferencePoints.Append(record, resolved, item.TimestampUtcTicks, series, points);
                }
                else if (item.Point is { } point)
                {
                    var resolved = await _resolver.RequireAsync(point.ModelName, point.Version, point.BindingId, "A buffered metric point", CancellationToken.None).ConfigureAwait(false);
                    points.Add(PerformanceTracker.ToRecord(point, resolved, item.TimestampUtcTicks, series));
                }
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.NotFound or ErrorCode.InvalidArgument)
            {
                rejected++;
                firstRejection ??= ex.Message;
            }
        }

        if (rejected > 0)
        {
            Interlocked.Add(ref _rejected, rejected);
            PerformanceTelemetry.Rejected.Add(rejected);
            LogRejected(_logger, rejected, firstRejection!);
        }

        var accepted = batch.Count - rejected;
        if (accepted == 0)
        {
            return;
        }

        try
        {
            await _store.AppendAsync(points, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Add(ref _written, accepted);
            PerformanceTelemetry.PointsRecorded.Add(points.Count);
        }
        catch (Exception ex)
        {
            Interlocked.Add(ref _failed, accepted);
            PerformanceTelemetry.Failed.Add(accepted);
            LogWriteFailed(_logger, ex, accepted);
        }
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "The inference recorder left out {Count} buffered records whose model, version or binding does not exist; the first: {Reason}")]
    private static partial void LogRejected(ILogger logger, long count, string reason);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "The inference recorder could not write a batch of {Count} records to the metric store; they are lost")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, long count);

    /// <summary>One entry of the channel: an inference record, a metric point, or a flush marker.</summary>
    private readonly record struct Item(InferenceRecord? Inference, MetricPoint? Point, long TimestampUtcTicks, TaskCompletionSource? Flush);
}
