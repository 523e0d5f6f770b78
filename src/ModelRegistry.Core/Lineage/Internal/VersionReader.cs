using System.Text.Json;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>What a version node says about its version (see <see cref="RegistryNodes.Describe(VersionSummary)"/>).</summary>
internal readonly record struct VersionSummary(
    string ModelName,
    SemanticVersion Version,
    ModelStage Stage,
    int? CanaryTrafficPercent,
    string? ContentHash,
    string? RunId,
    string? DerivedFrom,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    long Revision)
{
    public static VersionSummary Of(ModelVersion version) => new(
        version.ModelName,
        version.Version,
        version.Stage,
        version.CanaryTrafficPercent,
        version.ContentHash,
        version.RunId,
        version.DerivedFrom,
        version.CreatedAt,
        version.CreatedBy,
        version.Revision);
}

/// <summary>
/// Reads from a stored <see cref="ModelVersion"/>'s JSON only what its lineage node needs, skipping the rest (artifacts,
/// parameters, metrics, tags, provider bindings) without building it. <see cref="Summarize"/> falls back to the
/// serializer for anything this reader does not expect — an unknown or escaped property name, a value of another JSON
/// type, a stage written differently, a missing required property — so the result, and the error for a damaged
/// document, are the serializer's. (A skipped collection is checked for its JSON type only, not item by item: the
/// registry's own reads still report a damaged item.)
/// </summary>
internal static class VersionReader
{
    /// <summary>The summary of a stored version.</summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when the serializer cannot read it either.</exception>
    public static VersionSummary Summarize(ReadOnlySpan<byte> utf8Json)
        => TryRead(utf8Json, out var summary)
            ? summary
            : VersionSummary.Of(StoreSerializer.Deserialize<ModelVersion>(Utf8Text.Strict.GetString(utf8Json)));

    /// <summary>Reads the summary straight from the bytes; <see langword="false"/> for anything unexpected.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, out VersionSummary summary)
    {
        summary = default;
        try
        {
            return Read(utf8Json, out summary);
        }
        catch (Exception ex) when (JsonFields.IsUnexpected(ex))
        {
            return false;
        }
    }

    private static bool Read(ReadOnlySpan<byte> utf8Json, out VersionSummary summary)
    {
        summary = default;
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? modelName = null, contentHash = null, runId = null, derivedFrom = null, createdBy = null;
        SemanticVersion? version = null;
        ModelStage stage = default;
        int? canary = null;
        DateTimeOffset createdAt = default;
        long revision = 0;
        bool hasModelName = false, hasVersion = false, hasContentHash = false, hasCreatedBy = false, hasUpdatedBy = false;
        while (JsonFields.NextProperty(ref reader, out var name))
        {

            var isNull = reader.TokenType == JsonTokenType.Null;
            if (name.SequenceEqual("ModelName"u8))
            {
                modelName = Text(ref reader);
                hasModelName = true;
            }
            else if (name.SequenceEqual("Version"u8))
            {
                // Read by the registry's converter, which refuses null and anything that is not a semantic version.
                if (isNull || !SemanticVersion.TryParse(reader.GetString(), out version))
                {
                    return false;
                }

                hasVersion = true;
            }
            else if (name.SequenceEqual("Stage"u8))
            {
                if (Utf8EnumNames<ModelStage>.Match(ref reader) is not { } parsed)
                {
                    return false;
                }

                stage = parsed;
            }
            else if (name.SequenceEqual("CanaryTrafficPercent"u8))
            {
                if (isNull)
                {
                    canary = null;
                }
                else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var percent))
                {
                    canary = percent;
                }
                else
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("ContentHash"u8))
            {
                contentHash = Text(ref reader);
                hasContentHash = true;
            }
            else if (name.SequenceEqual("RunId"u8))
            {
                runId = Text(ref reader);
            }
            else if (name.SequenceEqual("DerivedFrom"u8))
            {
                derivedFrom = Text(ref reader);
            }
            else if (name.SequenceEqual("CreatedAt"u8))
            {
                if (isNull)
                {
                    return false;
                }

                createdAt = reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("CreatedBy"u8))
            {
                createdBy = Text(ref reader);
                hasCreatedBy = true;
            }
            else if (name.SequenceEqual("Revision"u8))
            {
                if (isNull || reader.TokenType != JsonTokenType.Number)
                {
                    return false;
                }

                revision = reader.GetInt64();
            }
            else if (name.SequenceEqual("UpdatedBy"u8))
            {
                SkipText(ref reader);
                hasUpdatedBy = true;
            }
            else if (name.SequenceEqual("Description"u8) || name.SequenceEqual("SourceCommit"u8) || name.SequenceEqual("IdempotencyKey"u8) || name.SequenceEqual("Uri"u8))
            {
                SkipText(ref reader);
            }
            else if (name.SequenceEqual("UpdatedAt"u8) || name.SequenceEqual("StageChangedAt"u8))
            {
                if (isNull)
                {
                    return false;
                }

                reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("Parameters"u8) || name.SequenceEqual("Metrics"u8) || name.SequenceEqual("Tags"u8))
            {
                Skip(ref reader, JsonTokenType.StartObject);
            }
            else if (name.SequenceEqual("Artifacts"u8) || name.SequenceEqual("ProviderBindings"u8))
            {
                Skip(ref reader, JsonTokenType.StartArray);
            }
            else
            {
                return false;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()
            || !hasModelName || !hasVersion || !hasContentHash || !hasCreatedBy || !hasUpdatedBy || modelName is null || createdBy is null)
        {
            return false;
        }

        summary = new VersionSummary(modelName, version!, stage, canary, contentHash, runId, derivedFrom, createdAt, createdBy, revision);
        return true;
    }

    /// <summary>A string or null; anything else is unexpected.</summary>
    private static string? Text(ref Utf8JsonReader reader)
        => reader.TokenType is JsonTokenType.String or JsonTokenType.Null ? reader.GetString() : throw new InvalidOperationException("Not a string.");

    private static void SkipText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
        {
            throw new InvalidOperationException("Not a string.");
        }
    }

    private static void Skip(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != expected)
        {
            throw new InvalidOperationException("Unexpected JSON type.");
        }

        reader.Skip();
    }
}
