using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;

namespace ModelRegistry.Core.Tests.Performance;

public sealed class ModelComparerTests
{
    private static readonly MetricSubject V1 = new("chat", "1.0.0");
    private static readonly MetricSubject V2 = new("chat", "2.0.0");
    private static readonly MetricSubject V3 = new("chat", "3.0.0", "bedrock");
    private static readonly MetricWindow Window = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero));

    private static readonly Dictionary<(MetricSubject, MetricKey), double[]> Data = new()
    {
        [(V1, MetricKey.Latency)] = [100, 120, 110],
        [(V2, MetricKey.Latency)] = [90, 95, 85],
        [(V3, MetricKey.Latency)] = [300],
        [(V1, MetricKey.Quality)] = [4, 4],
        [(V2, MetricKey.Quality)] = [4.5, 4.5],
        [(V1, MetricKey.Custom("bleu"))] = [30],
        [(V2, MetricKey.Custom("bleu"))] = [31],
    };

    private static MetricStatistics Lookup(MetricSubject s, MetricKey m) => Data.TryGetValue((s, m), out var v) ? MetricAccumulator.Of(v).ToStatistics() : MetricStatistics.Empty;

    [Fact]
    public void Each_metric_lists_every_subject_in_request_order_and_names_the_best()
    {
        var request = new ModelComparisonRequest { Subjects = [V1, V2, V3], Metrics = [MetricKey.Latency, MetricKey.Quality, MetricKey.Custom("bleu")], Window = Window };
        var result = ModelComparer.Compare(request, Lookup);

        result.Window.Should().Be(Window);
        result.Metrics.Select(m => m.Metric).Should().Equal(MetricKey.Latency, MetricKey.Quality, MetricKey.Custom("bleu"));
        result.Metrics[0].Entries.Select(e => e.Subject).Should().Equal(V1, V2, V3);
        result.Metrics[0].Direction.Should().Be(MetricDirection.LowerIsBetter);
        result.Metrics[0].Best.Should().Be(V2);
        result.Metrics[1].Best.Should().Be(V2, "V3 has no quality data and is not ranked");
        result.Metrics[1].Entries[2].Statistics.IsEmpty.Should().BeTrue();
        result.Metrics[2].Direction.Should().BeNull();
        result.Metrics[2].Best.Should().BeNull("a custom metric has no known direction");
    }

    [Fact]
    public void A_stated_direction_ranks_a_custom_metric_and_a_tie_has_no_best()
    {
        var request = new ModelComparisonRequest
        {
            Subjects = [V1, V2],
            Metrics = [MetricKey.Custom("bleu")],
            Window = Window,
            Directions = new Dictionary<MetricKey, MetricDirection> { [MetricKey.Custom("bleu")] = MetricDirection.HigherIsBetter },
        };
        ModelComparer.Compare(request, Lookup).Metrics[0].Best.Should().Be(V2);
        ModelComparer.Compare(request, (_, _) => MetricAccumulator.Of([1.0]).ToStatistics()).Metrics[0].Best.Should().BeNull();
    }

    public static TheoryData<string, ModelComparisonRequest, string> BadRequests => new()
    {
        { "one subject", new ModelComparisonRequest { Subjects = [V1], Metrics = [MetricKey.Latency], Window = Window }, "request.Subjects" },
        { "duplicate subject (case-insensitive name, build metadata)", new ModelComparisonRequest { Subjects = [V1, new MetricSubject("CHAT", "1.0.0+b1")], Metrics = [MetricKey.Latency], Window = Window }, "request.Subjects" },
        { "no metrics", new ModelComparisonRequest { Subjects = [V1, V2], Metrics = [], Window = Window }, "request.Metrics" },
        { "duplicate metric", new ModelComparisonRequest { Subjects = [V1, V2], Metrics = [MetricKey.Latency, new MetricKey(MetricKind.Latency)], Window = Window }, "request.Metrics" },
        { "custom metric without name", new ModelComparisonRequest { Subjects = [V1, V2], Metrics = [new MetricKey(MetricKind.Custom)], Window = Window }, "request.Metrics[0]" },
        { "reversed window", new ModelComparisonRequest { Subjects = [V1, V2], Metrics = [MetricKey.Latency], Window = new MetricWindow(Window.To, Window.From) }, "request.Window" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_requests_are_refused(string description, ModelComparisonRequest request, string parameter)
    {
        var act = () => ModelComparer.Compare(request, Lookup);
        act.Should().Throw<ModelRegistryException>(description).Which.ParameterName.Should().Be(parameter);
    }
}
