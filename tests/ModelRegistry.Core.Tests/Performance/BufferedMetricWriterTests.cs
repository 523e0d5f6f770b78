using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class BufferedMetricWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly GatedMetricStore _store = new();
    private readonly List<BufferedMetricWriter> _writers = [];
    private ModelRegistryServices _services = null!;

    public async Task InitializeAsync()
    {
        _services = ModelRegistryServices.Create(timeProvider: _time);
        await _services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "chat", Owners = ["team"] });
        await _services.Registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "abc" });
    }

    public async Task DisposeAsync()
    {
        _store.Release();
        foreach (var writer in _writers)
        {
            await writer.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private BufferedMetricWriter Writer(int batchSize = 100, int capacity = 1000, MetricBufferFullMode mode = MetricBufferFullMode.Wait, TimeSpan? interval = null)
    {
        var options = new PerformanceOptions { FlushBatchSize = batchSize, BufferCapacity = capacity, BufferFullMode = mode, FlushInterval = interval ?? TimeSpan.FromSeconds(1) };
        var resolver = new SubjectResolver(_services.GetRequiredService<IRegistryStore>(), _time, TimeSpan.FromSeconds(30));
        var writer = new BufferedMetricWriter(_store, resolver, _time, options, NullLogger<BufferedMetricWriter>.Instance);
        _writers.Add(writer);
        return writer;
    }

    private static InferenceRecord Request(double latency = 10, string model = "chat") => new() { ModelName = model, Version = "1.0.0", LatencyMs = latency };

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_for_the_interval()
    {
        var writer = Writer(batchSize: 5, interval: TimeSpan.FromHours(1));
        for (var i = 0; i < 5; i++)
        {
            (await writer.TrackInferenceAsync(Request(i))).Should().BeTrue();
        }

        var batch = await _store.NextAppendAsync().WaitAsync(Patience);
        batch.Should().HaveCount(15, "each inference without cost or tokens is a latency, an error-rate and an OOD point");
        batch.Where(p => p.Series.Metric == "Latency").Select(p => p.Value).Should().Equal(0, 1, 2, 3, 4);
        writer.WrittenCount.Should().Be(5);
    }

    [Fact]
    public async Task A_partial_batch_is_written_once_the_interval_has_passed_on_the_clock()
    {
        var writer = Writer(batchSize: 100, interval: TimeSpan.FromSeconds(1));
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.WaitingForInterval = () => waiting.TrySetResult();
        var next = _store.NextAppendAsync();
        for (var i = 0; i < 3; i++)
        {
            await writer.TrackInferenceAsync(Request(i));
        }

        await waiting.Task.WaitAsync(Patience);
        SpinWait.SpinUntil(() => writer.PendingCount == 0, Patience).Should().BeTrue("the loop takes every offered record into its batch");
        _time.Advance(TimeSpan.FromMilliseconds(999));
        next.IsCompleted.Should().BeFalse("the interval has not passed");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await next.WaitAsync(Patience)).Should().HaveCount(9);
        writer.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task Flush_writes_everything_offered_before_it()
    {
        var writer = Writer(batchSize: 100, interval: TimeSpan.FromHours(1));
        await writer.FlushAsync().WaitAsync(Patience);
        _store.Appended.Should().BeEmpty("a flush with nothing offered has nothing to write");

        for (var i = 0; i < 7; i++)
        {
            await writer.RecordAsync(new MetricPoint { ModelName = "chat", Version = "1.0.0", Kind = MetricKind.Quality, Value = i });
        }

        await writer.FlushAsync().WaitAsync(Patience);
        _store.Appended.Should().HaveCount(7);
        writer.WrittenCount.Should().Be(7);
        writer.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task When_full_in_DropNewest_mode_new_records_are_dropped_and_counted()
    {
        _store.Hold();
        var writer = Writer(batchSize: 1, capacity: 2, mode: MetricBufferFullMode.DropNewest);
        (await writer.TrackInferenceAsync(Request(1))).Should().BeTrue();
        await _store.AppendStarted.WaitAsync(Patience); // the writer holds record 1 and waits on the store

        (await writer.TrackInferenceAsync(Request(2))).Should().BeTrue();
        (await writer.TrackInferenceAsync(Request(3))).Should().BeTrue();
        (await writer.TrackInferenceAsync(Request(4))).Should().BeFalse("the buffer holds two records");
        (await writer.TrackInferenceAsync(Request(5))).Should().BeFalse();
        writer.DroppedCount.Should().Be(2);
        writer.PendingCount.Should().Be(2);

        _store.Release();
        await writer.FlushAsync().WaitAsync(Patience);
        writer.WrittenCount.Should().Be(3);
        _store.Appended.Where(p => p.Series.Metric == "Latency").Select(p => p.Value).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task When_full_in_Wait_mode_the_caller_waits_for_room_and_nothing_is_lost()
    {
        _store.Hold();
        var writer = Writer(batchSize: 1, capacity: 1, mode: MetricBufferFullMode.Wait);
        await writer.TrackInferenceAsync(Request(1));
        await _store.AppendStarted.WaitAsync(Patience);
        await writer.TrackInferenceAsync(Request(2));

        var third = writer.TrackInferenceAsync(Request(3)).AsTask();
        third.IsCompleted.Should().BeFalse("the buffer is full and the writer is held");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await ((Func<Task>)(() => writer.TrackInferenceAsync(Request(4), cancelled.Token).AsTask())).Should().ThrowAsync<OperationCanceledException>();

        _store.Release();
        (await third.WaitAsync(Patience)).Should().BeTrue();
        await writer.FlushAsync().WaitAsync(Patience);
        writer.WrittenCount.Should().Be(3);
        writer.DroppedCount.Should().Be(0);
    }

    [Fact]
    public async Task Disposing_writes_the_buffer_and_refuses_new_records()
    {
        var writer = Writer(batchSize: 100, interval: TimeSpan.FromHours(1));
        for (var i = 0; i < 4; i++)
        {
            await writer.TrackInferenceAsync(Request(i));
        }

        await writer.DisposeAsync().AsTask().WaitAsync(Patience);
        _store.Appended.Where(p => p.Series.Metric == "Latency").Should().HaveCount(4);
        await ((Func<Task>)(() => writer.TrackInferenceAsync(Request()).AsTask())).Should().ThrowAsync<ObjectDisposedException>();
        await writer.FlushAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task The_container_flushes_the_recorder_when_it_is_disposed()
    {
        var services = ModelRegistryServices.Create(b => b.ConfigurePerformance(o => o.FlushInterval = TimeSpan.FromHours(1)), timeProvider: _time);
        await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "chat", Owners = ["team"] });
        await services.Registry.CreateVersionAsync("chat", new CreateVersionRequest { Version = "1.0.0", SourceCommit = "abc" });
        var store = services.GetRequiredService<IMetricStore>();
        await services.GetRequiredService<IInferenceRecorder>().TrackInferenceAsync(Request(42));
        services.Dispose();

        var count = 0;
        await foreach (var batch in store.ReadPointsAsync(new MetricStoreQuery { FromUtcTicks = 0, ToUtcTicks = long.MaxValue }, CancellationToken.None))
        {
            count += batch.Count;
        }

        count.Should().Be(3);
    }

    [Fact]
    public async Task Records_of_unknown_versions_are_left_out_and_counted_without_costing_the_batch()
    {
        var writer = Writer(batchSize: 100);
        await writer.TrackInferenceAsync(Request(1));
        await writer.TrackInferenceAsync(Request(2, model: "ghost"));
        await writer.TrackInferenceAsync(Request(3) with { Version = "2.0.0" });
        await writer.TrackInferenceAsync(Request(4) with { BindingId = "nope" });
        await writer.TrackInferenceAsync(Request(5));
        await writer.FlushAsync().WaitAsync(Patience);

        writer.RejectedCount.Should().Be(3);
        writer.WrittenCount.Should().Be(2);
        _store.Appended.Where(p => p.Series.Metric == "Latency").Select(p => p.Value).Should().Equal(1, 5);
    }

    [Fact]
    public async Task A_failing_store_is_counted_and_the_writer_carries_on()
    {
        var writer = Writer(batchSize: 100);
        _store.FailNext();
        await writer.TrackInferenceAsync(Request(1));
        await writer.TrackInferenceAsync(Request(2));
        await writer.FlushAsync().WaitAsync(Patience);
        writer.FailedCount.Should().Be(2);

        await writer.TrackInferenceAsync(Request(3));
        await writer.FlushAsync().WaitAsync(Patience);
        writer.WrittenCount.Should().Be(1);
        _store.Appended.Where(p => p.Series.Metric == "Latency").Select(p => p.Value).Should().Equal(3);
    }

    [Fact]
    public async Task Bad_values_are_refused_when_offered_and_nothing_is_buffered()
    {
        var writer = Writer();
        var ex = (await ((Func<Task>)(() => writer.TrackInferenceAsync(Request(double.NaN)).AsTask())).Should().ThrowAsync<ModelRegistryException>()).Which;
        ex.Code.Should().Be(ErrorCode.InvalidArgument);
        ex.ParameterName.Should().Be("record.LatencyMs");
        await ((Func<Task>)(() => writer.RecordAsync(new MetricPoint { ModelName = "chat", Version = "1.0.0", Kind = MetricKind.ErrorRate, Value = 3 }).AsTask()))
            .Should().ThrowAsync<ModelRegistryException>();
        writer.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task A_record_is_timestamped_when_offered_not_when_written()
    {
        var writer = Writer(batchSize: 100, interval: TimeSpan.FromHours(1));
        var offeredAt = _time.GetUtcNow();
        await writer.TrackInferenceAsync(Request());
        _time.Advance(TimeSpan.FromSeconds(5));
        await writer.FlushAsync().WaitAsync(Patience);
        _store.Appended.Should().OnlyContain(p => p.TimestampUtcTicks == offeredAt.UtcTicks);
    }

    /// <summary>A metric store that records appends, can hold the writer inside an append, and can fail one append.</summary>
    private sealed class GatedMetricStore : IMetricStore
    {
        private readonly Lock _gate = new();
        private readonly List<MetricPointRecord> _appended = [];
        private readonly List<TaskCompletionSource<IReadOnlyList<MetricPointRecord>>> _waiters = [];
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _held = CompletedSource();
        private bool _failNext;

        public Task AppendStarted => _started.Task;

        public IReadOnlyList<MetricPointRecord> Appended
        {
            get
            {
                lock (_gate)
                {
                    return [.. _appended];
                }
            }
        }

        public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _held.TrySetResult();

        public void FailNext() => _failNext = true;

        public Task<IReadOnlyList<MetricPointRecord>> NextAppendAsync()
        {
            var waiter = new TaskCompletionSource<IReadOnlyList<MetricPointRecord>>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _waiters.Add(waiter);
            }

            return waiter.Task;
        }

        public async ValueTask AppendAsync(IReadOnlyList<MetricPointRecord> points, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            await _held.Task;
            if (_failNext)
            {
                _failNext = false;
                throw new InvalidOperationException("disk full");
            }

            List<TaskCompletionSource<IReadOnlyList<MetricPointRecord>>> waiters;
            lock (_gate)
            {
                _appended.AddRange(points);
                waiters = [.. _waiters];
                _waiters.Clear();
            }

            foreach (var w in waiters)
            {
                w.TrySetResult([.. points]);
            }
        }

        public IAsyncEnumerable<MetricPointBatch> ReadPointsAsync(MetricStoreQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<MetricRollupRecord> ReadRollupsAsync(MetricStoreQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<long?> GetOldestPointTimestampAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CompactAsync(MetricCompaction compaction, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<long> DeleteRollupsBeforeAsync(long beforeUtcTicks, CancellationToken cancellationToken) => throw new NotSupportedException();

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource();
            source.SetResult();
            return source;
        }
    }
}
