using System.Text.Json;
using System.Text.Json.Serialization;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage;

/// <summary>
/// The JSON form in which storage adapters persist registry records, so that every adapter stores and reads back
/// exactly the same values. Enums are written by name, versions as SemVer text, timestamps in ISO 8601.
/// </summary>
public static class StoreSerializer
{
    /// <summary>The serializer options adapters use for records.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Serializes a record.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="value">The record.</param>
    /// <returns>Compact JSON.</returns>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Deserializes a record written by <see cref="Serialize{T}"/>.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="json">The JSON.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when the JSON is not a valid record.</exception>
    public static T Deserialize<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"A stored {typeof(T).Name} is empty; the store is damaged.");
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"A stored {typeof(T).Name} could not be read ({ex.Message}); the store is damaged.", innerException: ex);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new SemanticVersionJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class SemanticVersionJsonConverter : JsonConverter<SemanticVersion>
    {
        public override SemanticVersion Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => SemanticVersion.TryParse(reader.GetString(), out var v) ? v : throw new JsonException("Invalid semantic version.");

        public override void Write(Utf8JsonWriter writer, SemanticVersion value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString());
    }
}
