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

    /// <summary>Whether the id names a registry version or model (<c>version:</c> or <c>model:</c> prefix, any case).</summary>
    public static bool IsRegistryId(string id)
        => id.StartsWith(VersionPrefix, StringComparison.OrdinalIgnoreCase) || id.StartsWith(ModelPrefix, StringComparison.OrdinalIgnoreCase);

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
    public static LineageNode Describe(ModelVersion version) => new()
    {
        Id = LineageNodeIds.Version(version.ModelName, version.Version),
        Kind = LineageNodeKind.ModelVersion,
        Name = $"{version.ModelName} {version.Version}",
        Metadata = WithoutNulls(new JsonObject
        {
            ["model"] = version.ModelName,
            ["version"] = version.Version.ToString(),
            ["stage"] = version.Stage.ToString(),
            ["canaryTrafficPercent"] = version.CanaryTrafficPercent,
            ["contentHash"] = version.ContentHash,
            ["runId"] = version.RunId,
            ["derivedFrom"] = version.DerivedFrom,
        }),
        CreatedAt = version.CreatedAt,
        CreatedBy = version.CreatedBy,
        Revision = version.Revision,
    };

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
