using System.Diagnostics;
using System.Diagnostics.Metrics;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Mutations_and_refusals_are_counted_on_the_ModelRegistry_meter_and_traced()
    {
        var measurements = new List<(string Instrument, long Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ModelRegistry")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (var t in tags)
            {
                tag = t.Value?.ToString();
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tag));
            }
        });
        listener.Start();

        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "ModelRegistry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);

        await using var mr = ModelRegistryServices.Create();
        var name = $"telemetry-{Guid.NewGuid():N}";
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = ["o"] });
        var act = () => mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = ["o"] });
        await act.Should().ThrowAsync<ModelRegistryException>();

        lock (measurements)
        {
            measurements.Should().Contain(m => m.Instrument == "modelregistry.mutations" && m.Tag == "model.registered");
        }

        lock (activities)
        {
            activities.Should().Contain(a => a.OperationName == "ModelRegistry.Commit");
        }
    }
}
