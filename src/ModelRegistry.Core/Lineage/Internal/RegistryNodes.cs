using System.Text.Json.Nodes;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>
/// Version and model nodes: the registry's own records seen as lineage nodes. They are never stored as lineage
/// documents; the tracker describes them from the registry (name, stage, status in <see cref="LineageNode.Metadata"/>)
/// and keeps that description current as the registry changes.
/// </summary>
internal static class RegistryNodes
{
    private const string VersionPrefix = "version:";
    private const string ModelPrefix = "model:";

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_metadataBuffer;

    [ThreadStatic]
    private static System.Text.Json.Utf8JsonWriter? t_metadataWriter;

    /// <summary>Whether the id names a registry version or model (<c>version:</c> or <c>model:</c> prefix, any case).</summary>
    public static bool IsRegistryId(string id) => IsRegistryId(id.AsSpan());

    /// <summary>Whether the id names a registry version or model (<c>version:</c> or <c>model:</c> prefix, any case).</summary>
    public static bool IsRegistryId(ReadOnlySpan<char> id)
        => id.StartsWith(VersionPrefix, StringComparison.OrdinalIgnoreCase) || id.StartsWith(ModelPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the id names a registry model (<c>model:</c> prefix, any case).</summary>
    public static bool IsModelId(string id) => id.StartsWith(ModelPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The id in the form the graph holds it: a version id without build metadata (<c>1.2.0+b7</c> is <c>1.2.0</c>, as
    /// in the registry); any other id as given.
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> for a version id that is not <c>version:{model}/{semver}</c>.</exception>
    public static string Canonical(string id, string parameter)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required and cannot be empty.");
        }

        if (!id.StartsWith(VersionPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return id;
        }

        return TryParseVersion(id, out var model, out var version)
            ? LineageNodeIds.Version(model, version)
            : throw Guard.Invalid(parameter, $"'{parameter}' is '{id}'; a version node's id is 'version:<model>/<semantic version>' (see LineageNodeIds.Version).", id);
    }

    /// <summary>Parses <c>version:{model}/{semver}</c>; model names never contain '/'.</summary>
    public static bool TryParseVersion(string id, out string model, out SemanticVersion version)
    {
        model = string.Empty;
        version = null!;
        if (!id.StartsWith(VersionPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = id[VersionPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !SemanticVersion.TryParse(rest[(slash + 1)..], out var parsed))
        {
            return false;
        }

        model = rest[..slash];
        version = parsed;
        return true;
    }

    /// <summary>Parses <c>model:{name}</c>.</summary>
    public static bool TryParseModel(string id, out string model)
    {
        model = id.StartsWith(ModelPrefix, StringComparison.OrdinalIgnoreCase) ? id[ModelPrefix.Length..] : string.Empty;
        return model.Length > 0;
    }

    /// <summary>The model a registry node id belongs to, or <see langword="null"/> for any other id.</summary>
    public static string? ModelOf(string id)
        => TryParseVersion(id, out var model, out _) || TryParseModel(id, out model) ? model : null;

    /// <summary>
    /// The model an audit subject (<c>model:{name}</c> or <c>version:{name}/{version}</c>) concerns, or
    /// <see langword="null"/> for any other subject.
    /// </summary>
    public static string? ModelOfSubject(string subject)
    {
        if (subject.StartsWith(ModelPrefix, StringComparison.Ordinal))
        {
            return subject.Length > ModelPrefix.Length ? subject[ModelPrefix.Length..] : null;
        }

        if (subject.StartsWith(VersionPrefix, StringComparison.Ordinal))
        {
            var slash = subject.IndexOf('/', VersionPrefix.Length);
            return slash > VersionPrefix.Length ? subject[VersionPrefix.Length..slash] : null;
        }

        return null;
    }

    /// <summary>A version as a lineage node; <see cref="LineageNode.Metadata"/> carries its stage.</summary>
    public static LineageNode Describe(ModelVersion version) => Describe(VersionSummary.Of(version));

    /// <summary>A version, as the fields its node shows, as a lineage node; <see cref="LineageNode.Metadata"/> carries its stage.</summary>
    public static LineageNode Describe(VersionSummary version)
    {
        var id = LineageNodeIds.Version(version.ModelName, version.Version);
        var text = version.Version.ToString();
        return new()
        {
            Id = id,
            Kind = LineageNodeKind.ModelVersion,
            Name = $"{version.ModelName} {text}",
            Metadata = VersionMetadata(version, text),
            CreatedAt = version.CreatedAt,
            CreatedBy = version.CreatedBy,
            Revision = version.Revision,
        };
    }

    /// <summary>
    /// <c>{"model":…,"version":…,"stage":…,"canaryTrafficPercent":…,"contentHash":…,"runId":…,"derivedFrom":…}</c>
    /// without the null ones, written as <see cref="StoreSerializer.Options"/> writes JSON (its encoder).
    /// </summary>
    private static string VersionMetadata(VersionSummary version, string versionText)
    {
        // One buffer and writer per thread, reused: a writer asks its buffer for kilobytes at a time, which per node
        // was most of what describing the registry's versions allocated.
        var buffer = t_metadataBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(512);
        var writer = t_metadataWriter ??= new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = StoreSerializer.Options.Encoder });
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("model", version.ModelName);
        writer.WriteString("version", versionText);
        writer.WriteString("stage", version.Stage.ToString());
        if (version.CanaryTrafficPercent is { } percent)
        {
            writer.WriteNumber("canaryTrafficPercent", percent);
        }

        WriteIfSet(writer, "contentHash", version.ContentHash);
        WriteIfSet(writer, "runId", version.RunId);
        WriteIfSet(writer, "derivedFrom", version.DerivedFrom);
        writer.WriteEndObject();
        writer.Flush();
        var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024)
        {
            // A huge description (long names) is not kept alive for the thread's lifetime.
            t_metadataBuffer = null;
            t_metadataWriter = null;
        }

        return text;
    }

    private static void WriteIfSet(System.Text.Json.Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>A model as a lineage node; <see cref="LineageNode.Metadata"/> carries its status and risk tier.</summary>
    public static LineageNode Describe(RegisteredModel model) => new()
    {
        Id = LineageNodeIds.Model(model.Name),
        Kind = LineageNodeKind.Model,
        Name = model.Name,
        Metadata = WithoutNulls(new JsonObject
        {
            ["status"] = model.Status.ToString(),
            ["riskTier"] = model.RiskTier.ToString(),
            ["replacedBy"] = model.ReplacedBy,
            ["owners"] = new JsonArray([.. model.Owners.Select(o => (JsonNode?)JsonValue.Create(o))]),
        }),
        CreatedAt = model.CreatedAt,
        CreatedBy = model.CreatedBy,
        Revision = model.Revision,
    };

    /// <summary>
    /// A version or model that lineage edges still refer to but the registry no longer holds (the model was deleted):
    /// kept in the graph, so history stays answerable, and marked <c>"deleted": true</c>.
    /// </summary>
    public static LineageNode Deleted(string id, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Kind = id.StartsWith(VersionPrefix, StringComparison.OrdinalIgnoreCase) ? LineageNodeKind.ModelVersion : LineageNodeKind.Model,
        Name = $"{id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace('/', ' ')} (deleted)",
        Metadata = """{"deleted":true}""",
        CreatedAt = createdAt,
        CreatedBy = "registry",
        Revision = 0,
    };

    private static string WithoutNulls(JsonObject json)
    {
        foreach (var key in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            json.Remove(key);
        }

        return json.ToJsonString(StoreSerializer.Options);
    }
}
