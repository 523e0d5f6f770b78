using System.Text.Json;
using ModelRegistry.Storage;

namespace ModelRegistry.Lineage;

/// <summary>
/// Reads the JSON <see cref="StoreSerializer"/> writes for a <see cref="LineageNode"/> — with dataset, run, deployment or
/// consumer details — without the serializer's per-object machinery, sharing repeated short texts (actors, licenses,
/// environments) through a <see cref="StringPool"/>. Returns <see langword="null"/> for anything it does not expect (an
/// unknown or escaped property name, evaluation details, a value of another JSON type, a missing required property), and
/// the caller then uses the serializer, so results and errors are the serializer's.
/// </summary>
internal static class NodeReader
{
    public static LineageNode? TryRead(ReadOnlySpan<byte> utf8Json, StringPool strings)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject ? ReadNode(ref reader, strings) : null;
        }
        catch (Exception ex) when (JsonFields.IsUnexpected(ex) || ex is ArgumentException)
        {
            return null;
        }
    }

    private static LineageNode? ReadNode(ref Utf8JsonReader reader, StringPool strings)
    {
        string? id = null, name = null, customKind = null, metadata = null, createdBy = null;
        LineageNodeKind? kind = null;
        LineageNodeDetails? details = null;
        DateTimeOffset createdAt = default;
        long revision = 0;
        bool hasId = false, hasName = false, hasCreatedBy = false;
        while (JsonFields.NextProperty(ref reader, out var property))
        {
            var isNull = reader.TokenType == JsonTokenType.Null;
            if (property.SequenceEqual("Id"u8))
            {
                id = Text(ref reader, null);
                hasId = true;
            }
            else if (property.SequenceEqual("Kind"u8))
            {
                kind = Utf8EnumNames<LineageNodeKind>.Match(ref reader);
                if (kind is null)
                {
                    return null;
                }
            }
            else if (property.SequenceEqual("Name"u8))
            {
                name = Text(ref reader, null);
                hasName = true;
            }
            else if (property.SequenceEqual("CustomKind"u8))
            {
                customKind = Text(ref reader, strings);
            }
            else if (property.SequenceEqual("Details"u8))
            {
                if (isNull)
                {
                    details = null;
                }
                else if (reader.TokenType != JsonTokenType.StartObject || (details = ReadDetails(ref reader, strings)) is null)
                {
                    return null;
                }
            }
            else if (property.SequenceEqual("Metadata"u8))
            {
                metadata = Text(ref reader, null);
            }
            else if (property.SequenceEqual("CreatedAt"u8))
            {
                if (isNull)
                {
                    return null;
                }

                createdAt = reader.GetDateTimeOffset();
            }
            else if (property.SequenceEqual("CreatedBy"u8))
            {
                createdBy = Text(ref reader, strings);
                hasCreatedBy = true;
            }
            else if (property.SequenceEqual("Revision"u8))
            {
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return null;
                }

                revision = reader.GetInt64();
            }
            else
            {
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || !hasId || kind is null || !hasName || !hasCreatedBy)
        {
            return null;
        }

        return new LineageNode
        {
            Id = id!,
            Kind = kind.Value,
            Name = name!,
            CustomKind = customKind,
            Details = details,
            Metadata = metadata,
            CreatedAt = createdAt,
            CreatedBy = createdBy!,
            Revision = revision,
        };
    }

    /// <summary>Details, the reader on their start; the serializer reads the type discriminator only as the first property.</summary>
    private static LineageNodeDetails? ReadDetails(ref Utf8JsonReader reader, StringPool strings)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped || !reader.ValueSpan.SequenceEqual("$type"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return null;
        }

        var type = reader.ValueSpan;
        return type.SequenceEqual("dataset"u8) ? ReadDataset(ref reader, strings)
            : type.SequenceEqual("run"u8) ? ReadRun(ref reader, strings)
            : type.SequenceEqual("deployment"u8) ? ReadDeployment(ref reader, strings)
            : type.SequenceEqual("consumer"u8) ? ReadConsumer(ref reader, strings)
            : null;
    }

    private static DatasetDetails? ReadDataset(ref Utf8JsonReader reader, StringPool strings)
    {
        string? uri = null, version = null, contentHash = null, schemaSummary = null, license = null, sourceSystem = null;
        long? rowCount = null;
        bool? personal = null;
        List<string>? categories = null;
        var hasCategories = false;
        while (JsonFields.NextProperty(ref reader, out var property))
        {
            if (property.SequenceEqual("Uri"u8))
            {
                uri = Text(ref reader, null);
            }
            else if (property.SequenceEqual("Version"u8))
            {
                version = Text(ref reader, null);
            }
            else if (property.SequenceEqual("ContentHash"u8))
            {
                contentHash = Text(ref reader, null);
            }
            else if (property.SequenceEqual("RowCount"u8))
            {
                rowCount = reader.TokenType == JsonTokenType.Null ? null
                    : reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : throw new InvalidOperationException("Not a number.");
            }
            else if (property.SequenceEqual("SchemaSummary"u8))
            {
                schemaSummary = Text(ref reader, null);
            }
            else if (property.SequenceEqual("License"u8))
            {
                license = Text(ref reader, strings);
            }
            else if (property.SequenceEqual("ContainsPersonalData"u8))
            {
                personal = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new InvalidOperationException("Not a boolean."),
                };
            }
            else if (property.SequenceEqual("PersonalDataCategories"u8))
            {
                hasCategories = true;
                categories = reader.TokenType == JsonTokenType.Null ? null : TextList(ref reader, strings);
            }
            else if (property.SequenceEqual("SourceSystem"u8))
            {
                sourceSystem = Text(ref reader, strings);
            }
            else
            {
                return null;
            }
        }

        var details = new DatasetDetails
        {
            Uri = uri,
            Version = version,
            ContentHash = contentHash,
            RowCount = rowCount,
            SchemaSummary = schemaSummary,
            License = license,
            ContainsPersonalData = personal,
            SourceSystem = sourceSystem,
        };
        return hasCategories ? details with { PersonalDataCategories = categories! } : details;
    }

    private static TrainingRunDetails? ReadRun(ref Utf8JsonReader reader, StringPool strings)
    {
        string? codeCommit = null;
        Dictionary<string, string>? parameters = null;
        var hasParameters = false;
        DateTimeOffset? startedAt = null, endedAt = null;
        while (JsonFields.NextProperty(ref reader, out var property))
        {
            if (property.SequenceEqual("CodeCommit"u8))
            {
                codeCommit = Text(ref reader, null);
            }
            else if (property.SequenceEqual("Parameters"u8))
            {
                hasParameters = true;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    parameters = null;
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                parameters = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || !parameters.TryAdd(key, reader.GetString()!))
                    {
                        return null;
                    }
                }
            }
            else if (property.SequenceEqual("StartedAt"u8))
            {
                startedAt = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
            }
            else if (property.SequenceEqual("EndedAt"u8))
            {
                endedAt = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
            }
            else
            {
                return null;
            }
        }

        var details = new TrainingRunDetails { CodeCommit = codeCommit, StartedAt = startedAt, EndedAt = endedAt };
        return hasParameters ? details with { Parameters = parameters! } : details;
    }

    private static DeploymentDetails? ReadDeployment(ref Utf8JsonReader reader, StringPool strings)
    {
        string? environment = null, endpoint = null, region = null;
        double? traffic = null;
        var hasEnvironment = false;
        while (JsonFields.NextProperty(ref reader, out var property))
        {
            if (property.SequenceEqual("Environment"u8))
            {
                environment = Text(ref reader, strings);
                hasEnvironment = true;
            }
            else if (property.SequenceEqual("Endpoint"u8))
            {
                endpoint = Text(ref reader, null);
            }
            else if (property.SequenceEqual("Region"u8))
            {
                region = Text(ref reader, strings);
            }
            else if (property.SequenceEqual("TrafficPercent"u8))
            {
                traffic = reader.TokenType == JsonTokenType.Null ? null
                    : reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw new InvalidOperationException("Not a number.");
            }
            else
            {
                return null;
            }
        }

        return hasEnvironment ? new DeploymentDetails { Environment = environment!, Endpoint = endpoint, Region = region, TrafficPercent = traffic } : null;
    }

    private static ConsumerDetails? ReadConsumer(ref Utf8JsonReader reader, StringPool strings)
    {
        string? description = null;
        while (JsonFields.NextProperty(ref reader, out var property))
        {
            if (property.SequenceEqual("Description"u8))
            {
                description = Text(ref reader, strings);
            }
            else
            {
                return null;
            }
        }

        return new ConsumerDetails { Description = description };
    }

    /// <summary>A string or null, shared through <paramref name="strings"/> when given (plain short texts only).</summary>
    private static string? Text(ref Utf8JsonReader reader, StringPool? strings)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidOperationException("Not a string.");
        }

        return strings is not null && !reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= 64 && System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)
            ? strings.Get(reader.ValueSpan)
            : reader.GetString();
    }

    private static List<string> TextList(ref Utf8JsonReader reader, StringPool strings)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidOperationException("Not an array.");
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(Text(ref reader, strings)!);
        }

        return list;
    }
}
