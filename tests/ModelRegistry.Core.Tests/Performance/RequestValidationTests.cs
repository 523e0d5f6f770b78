using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class RequestValidationTests
{
    private static readonly MetricWindow Window = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero));

    private static MetricQuery Query() => new() { Subject = new MetricSubject("chat", "1.0.0"), Metric = MetricKey.Latency, Window = Window };

    public static TheoryData<string, MetricQuery, string?> Queries => new()
    {
        { "good", Query(), null },
        { "with binding and dimension filter", Query() with { Subject = new MetricSubject("chat", "1.0.0", "oai"), Dimensions = new Dictionary<string, string> { ["region"] = "eu" } }, null },
        { "custom metric", Query() with { Metric = MetricKey.Custom("bleu") }, null },
        { "empty window", Query() with { Window = new MetricWindow(Window.From, Window.From) }, "query.Window" },
        { "bad model", Query() with { Subject = new MetricSubject("", "1.0.0") }, "query.Subject.ModelName" },
        { "bad version", Query() with { Subject = new MetricSubject("chat", "latest") }, "query.Subject.Version" },
        { "custom without name", Query() with { Metric = new MetricKey(MetricKind.Custom) }, "query.Metric" },
        { "name on built-in", Query() with { Metric = new MetricKey(MetricKind.Cost, "usd") }, "query.Metric" },
        { "null window", Query() with { Window = null! }, "query.Window" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Metric_queries(string description, MetricQuery query, string? parameter)
    {
        var act = () => RequestValidation.Query(query);
        if (parameter is null)
        {
            act.Should().NotThrow(description);
        }
        else
        {
            act.Should().Throw<ModelRegistryException>(description).Which.ParameterName.Should().Be(parameter);
        }
    }

    [Theory]
    [InlineData(1, "query.Bins")]
    [InlineData(101, "query.Bins")]
    [InlineData(10, null)]
    public void Drift_queries_need_2_to_100_bins(int bins, string? parameter)
    {
        var query = new DriftQuery { Metric = MetricKey.Quality, Subject = new MetricSubject("chat", "1.0.0"), CurrentWindow = Window, ReferenceWindow = Window, Bins = bins };
        var act = () => RequestValidation.Drift(query);
        if (parameter is null)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<ModelRegistryException>().Which.ParameterName.Should().Be(parameter);
        }
    }

    [Fact]
    public void An_undefined_bucket_size_is_refused()
    {
        foreach (var act in new Action[] { () => RequestValidation.BucketSize((TimeBucketSize)9), () => TimeBucketing.Ticks((TimeBucketSize)9) })
        {
            act.Should().Throw<ModelRegistryException>().Which.Should().Match<ModelRegistryException>(e => e.Code == ErrorCode.InvalidArgument && e.ParameterName == "bucketSize");
        }
    }

    [Fact]
    public void An_undefined_ab_test_direction_is_refused()
    {
        var request = new AbTestRequest
        {
            A = new MetricSubject("chat", "1.0.0"),
            B = new MetricSubject("chat", "2.0.0"),
            Window = Window,
            Options = new AbTestOptions { Direction = (MetricDirection)7 },
        };
        var act = () => RequestValidation.AbTest(request);
        act.Should().Throw<ModelRegistryException>().Which.Should().Match<ModelRegistryException>(e => e.Code == ErrorCode.InvalidArgument && e.ParameterName == "request.Options.Direction");
        RequestValidation.AbTest(request with { Options = new AbTestOptions { Direction = MetricDirection.LowerIsBetter } }).Direction.Should().Be(MetricDirection.LowerIsBetter);
    }

    [Fact]
    public void Metric_keys_have_default_directions_and_readable_names()
    {
        MetricKey.Latency.DefaultDirection.Should().Be(MetricDirection.LowerIsBetter);
        MetricKey.ErrorRate.DefaultDirection.Should().Be(MetricDirection.LowerIsBetter);
        MetricKey.Accuracy.DefaultDirection.Should().Be(MetricDirection.HigherIsBetter);
        MetricKey.Custom("bleu").DefaultDirection.Should().BeNull();
        MetricKey.Custom("bleu").ToString().Should().Be("Custom:bleu");
        MetricKey.Custom("bleu").Should().Be(new MetricKey(MetricKind.Custom, "bleu"));
        new MetricSubject("chat", "1.0.0", "oai").ToString().Should().Be("models:/chat/1.0.0#oai");
        Window.Contains(Window.From).Should().BeTrue();
        Window.Contains(Window.To).Should().BeFalse();
        Window.Duration.Should().Be(TimeSpan.FromDays(1));
    }
}
