using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class MetricValidationTests
{
    private static MetricPoint Point(MetricKind kind = MetricKind.Latency, double value = 12.5) =>
        new() { ModelName = "fraud-detector", Version = "1.2.0", Kind = kind, Value = value };

    public static TheoryData<string, MetricPoint> GoodPoints => new()
    {
        { "latency", Point() },
        { "zero latency", Point(MetricKind.Latency, 0) },
        { "accuracy 0", Point(MetricKind.Accuracy, 0) },
        { "accuracy 1", Point(MetricKind.Accuracy, 1) },
        { "error rate 0.05", Point(MetricKind.ErrorRate, 0.05) },
        { "OOD flag 1", Point(MetricKind.OodRate, 1) },
        { "cost", Point(MetricKind.Cost, 0.0042) },
        { "throughput", Point(MetricKind.Throughput, 1500) },
        { "drift", Point(MetricKind.Drift, 0.31) },
        { "negative quality", Point(MetricKind.Quality, -3) },
        { "huge latency at the limit", Point(MetricKind.Latency, 1e300) },
        { "tiny positive value", Point(MetricKind.Custom, 1e-310) with { CustomName = "loss" } },
        { "custom with path-like name", Point(MetricKind.Custom, -7) with { CustomName = "eval/rouge-l:v2" } },
        { "binding and dimensions", Point() with { BindingId = "openai:eu-1", Dimensions = new Dictionary<string, string> { ["region"] = "eu-west-1", ["tenant"] = "acme" } } },
        { "pre-release version", Point() with { Version = "2.0.0-rc.1+build.5" } },
        { "unit, request id, timestamp", Point() with { Unit = "ms", RequestId = "req-123", Timestamp = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)) } },
    };

    public static TheoryData<string, MetricPoint, string> BadPoints => new()
    {
        { "NaN", Point(MetricKind.Quality, double.NaN), "point.Value" },
        { "+infinity", Point(MetricKind.Custom, double.PositiveInfinity) with { CustomName = "x" }, "point.Value" },
        { "-infinity", Point(MetricKind.Quality, double.NegativeInfinity), "point.Value" },
        { "beyond 1e300", Point(MetricKind.Quality, 1.5e300), "point.Value" },
        { "negative latency", Point(MetricKind.Latency, -0.001), "point.Value" },
        { "negative cost", Point(MetricKind.Cost, -1), "point.Value" },
        { "negative throughput", Point(MetricKind.Throughput, -5), "point.Value" },
        { "negative drift", Point(MetricKind.Drift, -0.1), "point.Value" },
        { "accuracy as a percentage", Point(MetricKind.Accuracy, 93), "point.Value" },
        { "error rate above 1", Point(MetricKind.ErrorRate, 1.0001), "point.Value" },
        { "negative OOD rate", Point(MetricKind.OodRate, -0.2), "point.Value" },
        { "custom without a name", Point(MetricKind.Custom, 1), "point.CustomName" },
        { "custom with a bad name", Point(MetricKind.Custom, 1) with { CustomName = "has space" }, "point.CustomName" },
        { "name on a built-in kind", Point() with { CustomName = "latency_p95" }, "point.CustomName" },
        { "undefined kind", Point((MetricKind)42, 1), "point.Kind" },
        { "bad model name", Point() with { ModelName = "fraud/detector" }, "point.ModelName" },
        { "empty model name", Point() with { ModelName = "" }, "point.ModelName" },
        { "not a version", Point() with { Version = "v1" }, "point.Version" },
        { "bad binding id", Point() with { BindingId = "a b" }, "point.BindingId" },
        { "long unit", Point() with { Unit = new string('u', 33) }, "point.Unit" },
        { "long request id", Point() with { RequestId = new string('r', 257) }, "point.RequestId" },
        { "lone surrogate in request id", Point() with { RequestId = "\ud800x" }, "point.RequestId" },
        { "too many dimensions", Point() with { Dimensions = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", i => "v") }, "point.Dimensions" },
        { "bad dimension key", Point() with { Dimensions = new Dictionary<string, string> { ["bad key"] = "v" } }, "point.Dimensions" },
        { "long dimension value", Point() with { Dimensions = new Dictionary<string, string> { ["k"] = new string('v', 257) } }, "point.Dimensions[k]" },
    };

    [Theory]
    [MemberData(nameof(GoodPoints))]
    public void Good_points_are_accepted(string description, MetricPoint point)
    {
        var act = () => MetricValidation.Validate(point);
        act.Should().NotThrow(description);
    }

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void Bad_points_are_refused_with_invalid_argument_naming_the_member(string description, MetricPoint point, string parameter)
    {
        var act = () => MetricValidation.Validate(point);
        var error = act.Should().Throw<ModelRegistryException>(description).Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be(parameter);
        error.Message.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void A_batch_is_checked_whole_and_the_error_names_the_first_bad_point()
    {
        var batch = new[] { Point(), Point(MetricKind.ErrorRate, 0), Point(MetricKind.Accuracy, 1.5), Point(MetricKind.Latency, -1) };
        var act = () => MetricValidation.ValidateBatch(batch);
        var error = act.Should().Throw<MetricBatchValidationException>().Which;
        error.Index.Should().Be(2);
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.ParameterName.Should().Be("points[2].Value");
        error.Message.Should().Contain("Point 2").And.Contain("Nothing was recorded");
        error.InnerException.Should().BeOfType<ModelRegistryException>();
    }

    [Fact]
    public void A_null_entry_in_a_batch_is_named_by_its_index()
    {
        var act = () => MetricValidation.ValidateBatch([Point(), null!]);
        act.Should().Throw<MetricBatchValidationException>().Which.Index.Should().Be(1);
    }

    [Fact]
    public void An_empty_batch_is_valid_and_an_oversized_one_is_refused()
    {
        var empty = () => MetricValidation.ValidateBatch([]);
        empty.Should().NotThrow();

        var big = Enumerable.Repeat(Point(), MetricValidation.MaxBatchSize + 1).ToArray();
        var act = () => MetricValidation.ValidateBatch(big);
        act.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be("points");
    }

    private static InferenceRecord Inference() => new() { ModelName = "chat", Version = "3.0.0", LatencyMs = 230, InputTokens = 1200, OutputTokens = 300 };

    public static TheoryData<string, InferenceRecord, string?> InferenceCases => new()
    {
        { "good", Inference(), null },
        { "failed with a kind", Inference() with { Succeeded = false, ErrorKind = "timeout" }, null },
        { "failed without a kind", Inference() with { Succeeded = false }, null },
        { "with quality, drift and cost", Inference() with { QualityScore = 4.5, DriftScore = 0.02, Cost = 0.0031m, IsOutOfDistribution = true }, null },
        { "NaN latency", Inference() with { LatencyMs = double.NaN }, "record.LatencyMs" },
        { "negative latency", Inference() with { LatencyMs = -1 }, "record.LatencyMs" },
        { "negative input tokens", Inference() with { InputTokens = -1 }, "record.InputTokens" },
        { "negative output tokens", Inference() with { OutputTokens = -5 }, "record.OutputTokens" },
        { "error kind on a success", Inference() with { ErrorKind = "timeout" }, "record.ErrorKind" },
        { "infinite quality", Inference() with { QualityScore = double.PositiveInfinity }, "record.QualityScore" },
        { "negative drift", Inference() with { DriftScore = -0.5 }, "record.DriftScore" },
        { "negative cost", Inference() with { Cost = -0.01m }, "record.Cost" },
        { "bad version", Inference() with { Version = "3" }, "record.Version" },
    };

    [Theory]
    [MemberData(nameof(InferenceCases))]
    public void Inference_records_follow_the_same_rules(string description, InferenceRecord record, string? parameter)
    {
        var act = () => MetricValidation.Validate(record);
        if (parameter is null)
        {
            act.Should().NotThrow(description);
        }
        else
        {
            var error = act.Should().Throw<ModelRegistryException>(description).Which;
            error.Code.Should().Be(ErrorCode.InvalidArgument);
            error.ParameterName.Should().Be(parameter);
        }
    }
}
