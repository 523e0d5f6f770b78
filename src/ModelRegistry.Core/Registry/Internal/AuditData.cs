using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Audit;
using ModelRegistry.Storage;

namespace ModelRegistry.Registry.Internal;

/// <summary>Builds audit drafts with a compact JSON description of what changed.</summary>
internal static class AuditData
{
    public static string ModelSubject(string name) => $"model:{name}";

    public static string VersionSubject(string model, SemanticVersion version) => $"version:{model}/{version}";

    public static AuditDraft Draft(DateTimeOffset at, string actor, string action, string subject, object data)
        => new(at, actor, action, subject, JsonSerializer.Serialize(data, StoreSerializer.Options));

    public static AuditDraft Draft(DateTimeOffset at, string actor, string action, string subject, JsonObject data)
        => new(at, actor, action, subject, data.ToJsonString(StoreSerializer.Options));
}
