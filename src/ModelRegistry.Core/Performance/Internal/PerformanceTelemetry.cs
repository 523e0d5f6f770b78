using System.Diagnostics.Metrics;
using ModelRegistry.Internal;

namespace ModelRegistry.Performance.Internal;

/// <summary>Counters of the performance path on the <c>ModelRegistry</c> meter, so an operator sees ingest and loss.</summary>
internal static class PerformanceTelemetry
{
    public static readonly Counter<long> PointsRecorded = Telemetry.Meter.CreateCounter<long>("modelregistry.metrics.recorded", description: "Metric points written to the metric store.");

    public static readonly Counter<long> Dropped = Telemetry.Meter.CreateCounter<long>("modelregistry.metrics.dropped", description: "Records the buffered recorder dropped because its buffer was full (DropNewest).");

    public static readonly Counter<long> Rejected = Telemetry.Meter.CreateCounter<long>("modelregistry.metrics.rejected", description: "Buffered records left out because their model, version or binding does not exist.");

    public static readonly Counter<long> Failed = Telemetry.Meter.CreateCounter<long>("modelregistry.metrics.failed", description: "Buffered records lost because the metric store failed to write their batch.");

    public static readonly Counter<long> AutomaticRollbacks = Telemetry.Meter.CreateCounter<long>("modelregistry.rollbacks.automatic", description: "Rollbacks performed by rollback triggers.");
}
