using System.Diagnostics;
using System.Diagnostics.Metrics;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Registry_compliance_and_checkpoint_mutations_and_refusals_are_counted_on_the_ModelRegistry_meter_and_traced()
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

        await using var mr = ModelRegistryServices.Create(b => b.ConfigureCompliance(o => o.CheckpointSigningKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)]));
        var name = $"telemetry-{Guid.NewGuid():N}";
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = ["o"] });
        var act = () => mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = name, Owners = ["o"] });
        await act.Should().ThrowAsync<ModelRegistryException>();

        // Compliance commits take the same instrumented path as the registry's.
        await mr.Registry.CreateVersionAsync(name, new CreateVersionRequest { SourceCommit = "c1" });
        await mr.Compliance.RequestApprovalAsync(name, "1.0.0", ModelStage.Production, "ready for production");

        // So do signed audit checkpoints.
        await mr.Compliance.CreateAuditCheckpointAsync();

        lock (measurements)
        {
            measurements.Should().Contain(m => m.Instrument == "modelregistry.mutations" && m.Tag == "model.registered");
            measurements.Should().Contain(m => m.Instrument == "modelregistry.mutations" && m.Tag == "approval.requested");
            measurements.Should().Contain(m => m.Instrument == "modelregistry.mutations" && m.Tag == "audit.checkpoint_created");
        }

        lock (activities)
        {
            activities.Should().Contain(a => a.OperationName == "ModelRegistry.Commit");
            activities.Should().Contain(a => a.OperationName == "ModelRegistry.Commit" && (a.GetTagItem("modelregistry.action") as string) == "audit.checkpoint_created");
        }
    }
}
