using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ModelRegistry.Internal;

/// <summary>The <c>ModelRegistry</c> meter and activity source, so OpenTelemetry picks them up by name.</summary>
internal static class Telemetry
{
    public const string Name = "ModelRegistry";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Mutations = Meter.CreateCounter<long>("modelregistry.mutations", description: "Committed registry mutations, by action.");

    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("modelregistry.refusals", description: "Commits the store refused (concurrency conflicts, duplicate keys), by error code.");

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("modelregistry.commit.duration", unit: "ms", description: "Time spent committing a mutation to the store.");
}
