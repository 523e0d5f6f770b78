using Microsoft.Extensions.DependencyInjection.Extensions;
using CsCheck;
using Microsoft.Extensions.Options;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class MetricStorageTests
{
    private static readonly MetricSeries A = new("chat", "1.0.0", null, "Latency");
    private static readonly MetricSeries B = new("chat", "1.0.0", "b1", "Latency");

    [Fact]
    public void Sketch_encoding_round_trips_every_bucket_count_and_extreme()
    {
        QuantileSketchTests.DataSets.Sample(values =>
        {
            var sketch = new QuantileSketch();
            foreach (var v in values)
            {
                sketch.Add(v);
            }

            var decoded = SketchCodec.Decode(SketchCodec.Encode(sketch));
            decoded.HasSameContentAs(sketch).Should().BeTrue();
            decoded.Count.Should().Be(values.Length);
        });
    }

    [Fact]
    public void An_empty_sketch_round_trips_and_a_damaged_one_is_reported_as_storage_corruption()
    {
        SketchCodec.Decode(SketchCodec.Encode(new QuantileSketch())).Count.Should().Be(0);
        var sketch = new QuantileSketch();
        sketch.Add(12.5);
        var bytes = SketchCodec.Encode(sketch);
        foreach (var damaged in new[] { bytes[..^1], [.. bytes, 0], [9, .. bytes[1..]], Array.Empty<byte>() })
        {
            var act = () => SketchCodec.Decode(damaged);
            act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.StorageCorrupted);
        }
    }

    [Fact]
    public void Dimensions_are_stored_as_canonical_json_and_matched_exactly()
    {
        var json = MetricNames.Dimensions(new Dictionary<string, string> { ["tenant"] = "a\"b", ["region"] = "eu" });
        json.Should().Be(MetricNames.Dimensions(new Dictionary<string, string> { ["region"] = "eu", ["tenant"] = "a\"b" }), "keys are ordered");
        MetricNames.ParseDimensions(json).Should().BeEquivalentTo(new Dictionary<string, string> { ["region"] = "eu", ["tenant"] = "a\"b" });
        MetricNames.Dimensions(null).Should().BeNull();
        MetricNames.Dimensions(new Dictionary<string, string>(), "timeout").Should().Be("{\"error_kind\":\"timeout\"}");

        // The memo belongs to one filter (one query).
        MetricNames.Matches(json, new Dictionary<string, string> { ["region"] = "eu" }, []).Should().BeTrue();
        MetricNames.Matches(json, new Dictionary<string, string> { ["region"] = "EU" }, []).Should().BeFalse();
        MetricNames.Matches(null, new Dictionary<string, string> { ["region"] = "eu" }, []).Should().BeFalse();
        MetricNames.Matches(null, new Dictionary<string, string>(), []).Should().BeTrue();
    }

    [Fact]
    public async Task The_in_memory_store_answers_like_a_filter_over_all_points_whatever_the_arrival_order()
    {
        var gen = Gen.Select(
            Gen.Select(Gen.Int[0, 1], Gen.Long[0, 999], Gen.Double[-5, 5]).Array[0, 300],
            Gen.Long[0, 1000], Gen.Long[0, 1000],
            Gen.Long[0, 1000], Gen.Long[0, 1000]);
        await gen.SampleAsync(async (points, w1, w2, c1, c2) =>
        {
            var store = new InMemoryMetricStore();
            var records = points.Select(p => new MetricPointRecord(p.Item1 == 0 ? A : B, p.Item2, p.Item3)).ToList();
            foreach (var chunk in records.Chunk(37))
            {
                await store.AppendAsync(chunk, default);
            }

            var (from, to) = (Math.Min(w1, w2), Math.Max(w1, w2));
            var (cFrom, cTo) = (Math.Min(c1, c2), Math.Max(c1, c2));
            var inCompaction = records.Count(r => r.TimestampUtcTicks >= cFrom && r.TimestampUtcTicks < cTo);
            await store.CompactAsync(new MetricCompaction(cFrom, cTo, inCompaction, []), default);
            var remaining = records.Where(r => r.TimestampUtcTicks < cFrom || r.TimestampUtcTicks >= cTo).ToList();

            var read = new List<(MetricSeries, long, double)>();
            await foreach (var batch in store.ReadPointsAsync(new MetricStoreQuery { FromUtcTicks = from, ToUtcTicks = to, BatchSize = 7 }, default))
            {
                batch.Count.Should().BeInRange(1, 7);
                for (var i = 0; i < batch.Count; i++)
                {
                    read.Add((batch.Series, batch.TimestampsUtcTicks.Span[i], batch.Values.Span[i]));
                }
            }

            static string Key((MetricSeries Series, long Ticks, double Value) p) => $"{p.Series.BindingId}|{p.Ticks:D6}|{p.Value:R}";
            var expected = remaining.Where(r => r.TimestampUtcTicks >= from && r.TimestampUtcTicks < to).Select(r => Key((r.Series, r.TimestampUtcTicks, r.Value))).Order(StringComparer.Ordinal).ToList();
            read.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(expected).Should().BeTrue();
            (await store.GetOldestPointTimestampAsync(default)).Should().Be(remaining.Count == 0 ? null : remaining.Min(r => r.TimestampUtcTicks));
        }, iter: 200);
    }

    [Theory]
    [InlineData("RawRetentionDays", 0)]
    [InlineData("FlushBatchSize", 0)]
    [InlineData("BufferCapacity", 0)]
    [InlineData("RollupRetentionDays", 5)]
    [InlineData("FlushInterval", -1)]
    [InlineData("RollbackBaselineWindow", 0)]
    [InlineData("RegistryCacheDuration", -1)]
    [InlineData("ErrorRateThreshold", 2)]
    public void Bad_performance_options_fail_when_the_tracker_is_resolved_naming_the_option(string option, int value)
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().ConfigurePerformance(o =>
        {
            switch (option)
            {
                case "RawRetentionDays": o.RawRetentionDays = value; break;
                case "FlushBatchSize": o.FlushBatchSize = value; break;
                case "BufferCapacity": o.BufferCapacity = value; break;
                case "RollupRetentionDays": o.RollupRetentionDays = value; break;
                case "FlushInterval": o.FlushInterval = TimeSpan.FromSeconds(value); break;
                case "RollbackBaselineWindow": o.RollbackBaselineWindow = TimeSpan.FromSeconds(value); break;
                case "RegistryCacheDuration": o.RegistryCacheDuration = TimeSpan.FromSeconds(value); break;
                default: o.RollbackTriggersByModel = new Dictionary<string, RollbackTriggerOptions> { ["chat"] = RollbackTriggerOptions.Default with { ErrorRateThreshold = value } }; break;
            }
        });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IPerformanceTracker>();
        act.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*");
        var recorder = () => provider.GetRequiredService<IInferenceRecorder>();
        recorder.Should().Throw<OptionsValidationException>();
    }

    [Fact]
    public void The_services_are_singletons_and_the_metric_store_is_replaceable()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry();
        var custom = new InMemoryMetricStore();
        services.Replace(ServiceDescriptor.Singleton<IMetricStore>(custom));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IPerformanceTracker>().Should().BeSameAs(provider.GetRequiredService<IPerformanceTracker>());
        provider.GetRequiredService<IInferenceRecorder>().Should().BeSameAs(provider.GetRequiredService<IInferenceRecorder>());
        provider.GetRequiredService<IMetricStore>().Should().BeSameAs(custom);
    }
}
