using System.Text.Json;

namespace ModelRegistry.Lineage;

/// <summary>
/// The property walk shared by the bulk-load readers (<see cref="EdgeReader"/>, <see cref="NodeReader"/>,
/// <see cref="VersionReader"/>): each reads the stored JSON it expects field by field and leaves anything else to the
/// serializer, so "anything else" is signalled the same way everywhere — an exception <see cref="IsUnexpected"/> accepts.
/// </summary>
internal static class JsonFields
{
    /// <summary>
    /// Moves to the next property's value and names the property; <see langword="false"/> at the end of the object.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another token where a property name should be, an escaped name, or a name without a value.</exception>
    public static bool NextProperty(ref Utf8JsonReader reader, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
        {
            throw new InvalidOperationException("Unexpected property.");
        }

        name = reader.ValueSpan;
        if (!reader.Read())
        {
            throw new InvalidOperationException("A property without a value.");
        }

        return true;
    }

    /// <summary>Whether a reader gave up on JSON it does not expect (the caller then asks the serializer).</summary>
    public static bool IsUnexpected(Exception exception)
        => exception is JsonException or InvalidOperationException or FormatException;
}
