using System.Text.Json;

namespace ModelRegistry.Lineage;

/// <summary>
/// Reads the JSON <see cref="Storage.StoreSerializer"/> writes for a <see cref="LineageEdge"/> without the serializer's
/// per-call overhead; returns <see langword="null"/> for anything unexpected, and the caller then uses the serializer.
/// </summary>
internal static class EdgeReader
{
    public static LineageEdge? TryRead(ReadOnlySpan<byte> utf8Json, StringPool strings)
    {
        if (!TryReadFields(utf8Json, out var fields))
        {
            return null;
        }

        try
        {
            return Build(ref fields, strings);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static LineageEdge Build(ref EdgeFields fields, StringPool strings)
        => new()
        {
            Id = fields.Id,
            From = strings.Get(fields.From),
            To = strings.Get(fields.To),
            Kind = fields.Kind,
            CustomKind = fields.CustomKind,
            CreatedAt = fields.CreatedAt,
            CreatedBy = strings.Get(fields.CreatedBy),
            RemovedAt = fields.RemovedAt,
            RemovedBy = fields.RemovedBy,
            Metadata = fields.Metadata,
        };

    /// <summary>
    /// The fields of a stored edge, with its ends and creator as the UTF-8 bytes of the document (no string made);
    /// <see langword="false"/> for anything unexpected — an unknown or escaped property name, an escaped end or creator,
    /// a kind written differently, a missing required field, JSON the serializer would refuse.
    /// </summary>
    public static bool TryReadFields(ReadOnlySpan<byte> utf8Json, out EdgeFields fields)
    {
        fields = default;
        try
        {
            return Read(utf8Json, ref fields);
        }
        catch (Exception ex) when (JsonFields.IsUnexpected(ex))
        {
            return false;
        }
    }

    private static bool Read(ReadOnlySpan<byte> utf8Json, ref EdgeFields fields)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool id = false, kind = false;
        while (JsonFields.NextProperty(ref reader, out var name))
        {

            if (reader.TokenType == JsonTokenType.Null)
            {
                // The serializer leaves a property at its default for null; so does this reader (a required one stays unset).
                if (name.SequenceEqual("Id"u8) || name.SequenceEqual("Kind"u8) || name.SequenceEqual("CreatedAt"u8))
                {
                    return false;
                }

                if (name.SequenceEqual("From"u8))
                {
                    fields.From = default;
                }
                else if (name.SequenceEqual("To"u8))
                {
                    fields.To = default;
                }
                else if (name.SequenceEqual("CreatedBy"u8))
                {
                    fields.CreatedBy = default;
                }
                else if (name.SequenceEqual("CustomKind"u8))
                {
                    fields.CustomKind = null;
                }
                else if (name.SequenceEqual("RemovedAt"u8))
                {
                    fields.RemovedAt = null;
                }
                else if (name.SequenceEqual("RemovedBy"u8))
                {
                    fields.RemovedBy = null;
                }
                else if (name.SequenceEqual("Metadata"u8))
                {
                    fields.Metadata = null;
                }
                else
                {
                    return false;
                }

                continue;
            }

            if (name.SequenceEqual("Id"u8))
            {
                fields.Id = reader.GetGuid();
                id = true;
            }
            else if (name.SequenceEqual("From"u8))
            {
                fields.From = Plain(ref reader, utf8Json);
            }
            else if (name.SequenceEqual("To"u8))
            {
                fields.To = Plain(ref reader, utf8Json);
            }
            else if (name.SequenceEqual("Kind"u8))
            {
                if (Utf8EnumNames<LineageEdgeKind>.Match(ref reader) is not { } parsed)
                {
                    return false;
                }

                fields.Kind = parsed;
                kind = true;
            }
            else if (name.SequenceEqual("CreatedAt"u8))
            {
                fields.CreatedAt = reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("CreatedBy"u8))
            {
                fields.CreatedBy = Plain(ref reader, utf8Json);
            }
            else if (name.SequenceEqual("CustomKind"u8))
            {
                fields.CustomKind = reader.GetString();
            }
            else if (name.SequenceEqual("RemovedAt"u8))
            {
                fields.RemovedAt = reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("RemovedBy"u8))
            {
                fields.RemovedBy = reader.GetString();
            }
            else if (name.SequenceEqual("Metadata"u8))
            {
                fields.Metadata = reader.GetString();
            }
            else
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && id && kind
            && !fields.From.IsEmpty && !fields.To.IsEmpty && !fields.CreatedBy.IsEmpty;
    }

    /// <summary>A string value as its bytes in <paramref name="utf8Json"/>; an escaped (or empty) one is left to the serializer.</summary>
    private static ReadOnlySpan<byte> Plain(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8Json)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.IsEmpty
            || !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
        {
            throw new InvalidOperationException("Not a plain string.");
        }

        // The value of an unescaped string token is the bytes between its quotes.
        return utf8Json.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
    }
}

/// <summary>
/// A stored edge as <see cref="EdgeReader.TryReadFields"/> reads it: the ends and creator are the unescaped, valid UTF-8
/// bytes of the document (usable while it is), everything else a value.
/// </summary>
internal ref struct EdgeFields
{
    public Guid Id;
    public ReadOnlySpan<byte> From;
    public ReadOnlySpan<byte> To;
    public LineageEdgeKind Kind;
    public DateTimeOffset CreatedAt;
    public ReadOnlySpan<byte> CreatedBy;
    public string? CustomKind;
    public DateTimeOffset? RemovedAt;
    public string? RemovedBy;
    public string? Metadata;
}

/// <summary>One shared copy of each string seen (ordinal), looked up from UTF-8 without allocating on a hit.</summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool(int capacity = 0)
    {
        _strings = new Dictionary<string, string>(capacity, StringComparer.Ordinal);
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Makes <paramref name="value"/> the shared copy of its text, unless one is held already.</summary>
    public void Add(string value) => _strings.TryAdd(value, value);

    /// <summary>The shared copy of the text of <paramref name="utf8"/> (valid UTF-8, as a JSON string's unescaped bytes are).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > Utf8Text.StackLimit)
        {
            var text = Utf8Text.Strict.GetString(utf8);
            return _lookup.TryGetValue(text.AsSpan(), out var held) ? held : Keep(text);
        }

        Span<char> buffer = stackalloc char[Utf8Text.StackLimit];
        var chars = Utf8Text.Decode(utf8, buffer);
        return _lookup.TryGetValue(chars, out var shared) ? shared : Keep(chars.ToString());
    }

    private string Keep(string value)
    {
        _strings[value] = value;
        return value;
    }
}

/// <summary>UTF-8 to UTF-16 for short texts decoded on the stack.</summary>
internal static class Utf8Text
{
    /// <summary>The longest text (in bytes) callers decode into a stack buffer of this many characters.</summary>
    public const int StackLimit = 256;

    /// <summary>UTF-8 that throws on invalid bytes (<see cref="System.Text.DecoderFallbackException"/> is a <see cref="ArgumentException"/>).</summary>
    public static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="utf8"/> (at most <paramref name="buffer"/>'s length in bytes) into <paramref name="buffer"/>.</summary>
    /// <exception cref="FormatException">The bytes are not valid UTF-8.</exception>
    public static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, Span<char> buffer)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(utf8, buffer, out _, out var written, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? buffer[..written] : throw new FormatException("Invalid UTF-8.");
    }
}

/// <summary>Matches a JSON string token against an enum's names as the serializer writes them (exactly, unescaped).</summary>
internal static class Utf8EnumNames<TEnum>
    where TEnum : struct, Enum
{
    private static readonly (byte[] Name, TEnum Value)[] Names =
        [.. Enum.GetValues<TEnum>().Select(v => (System.Text.Encoding.UTF8.GetBytes(v.ToString()), v))];

    /// <summary>The value named by the string token the reader is on, or <see langword="null"/> for anything else.</summary>
    public static TEnum? Match(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return null;
        }

        foreach (var (name, value) in Names)
        {
            if (reader.ValueSpan.SequenceEqual(name))
            {
                return value;
            }
        }

        return null;
    }
}
