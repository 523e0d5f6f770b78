using System.Text.Json;

namespace ModelRegistry.Lineage;

/// <summary>
/// Reads the JSON <see cref="Storage.StoreSerializer"/> writes for a <see cref="LineageEdge"/> without the serializer's
/// per-call overhead; returns <see langword="null"/> for anything unexpected, and the caller then uses the serializer.
/// </summary>
internal static class EdgeReader
{
    private static readonly (byte[] Name, LineageEdgeKind Kind)[] Kinds =
        [.. Enum.GetValues<LineageEdgeKind>().Select(k => (System.Text.Encoding.UTF8.GetBytes(k.ToString()), k))];

    public static LineageEdge? TryRead(ReadOnlySpan<byte> utf8Json, StringPool strings)
    {
        try
        {
            return Read(utf8Json, strings);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static LineageEdge? Read(ReadOnlySpan<byte> utf8Json, StringPool strings)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        Guid? id = null;
        string? from = null, to = null, customKind = null, createdBy = null, removedBy = null, metadata = null;
        LineageEdgeKind? kind = null;
        DateTimeOffset createdAt = default;
        DateTimeOffset? removedAt = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueIsEscaped)
            {
                return null;
            }

            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return null;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (name.SequenceEqual("Id"u8))
            {
                id = reader.GetGuid();
            }
            else if (name.SequenceEqual("From"u8))
            {
                from = strings.Get(ref reader);
            }
            else if (name.SequenceEqual("To"u8))
            {
                to = strings.Get(ref reader);
            }
            else if (name.SequenceEqual("Kind"u8))
            {
                kind = KindOf(ref reader);
                if (kind is null)
                {
                    return null;
                }
            }
            else if (name.SequenceEqual("CreatedAt"u8))
            {
                createdAt = reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("CreatedBy"u8))
            {
                createdBy = strings.Get(ref reader);
            }
            else if (name.SequenceEqual("CustomKind"u8))
            {
                customKind = strings.Get(ref reader);
            }
            else if (name.SequenceEqual("RemovedAt"u8))
            {
                removedAt = reader.GetDateTimeOffset();
            }
            else if (name.SequenceEqual("RemovedBy"u8))
            {
                removedBy = strings.Get(ref reader);
            }
            else if (name.SequenceEqual("Metadata"u8))
            {
                metadata = reader.GetString();
            }
            else
            {
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || id is null || from is null || to is null || kind is null || createdBy is null)
        {
            return null;
        }

        return new LineageEdge
        {
            Id = id.Value,
            From = from,
            To = to,
            Kind = kind.Value,
            CustomKind = customKind,
            CreatedAt = createdAt,
            CreatedBy = createdBy,
            RemovedAt = removedAt,
            RemovedBy = removedBy,
            Metadata = metadata,
        };
    }

    private static LineageEdgeKind? KindOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return null;
        }

        foreach (var (name, kind) in Kinds)
        {
            if (reader.ValueSpan.SequenceEqual(name))
            {
                return kind;
            }
        }

        return null;
    }
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

    /// <summary>The shared copy of the string token the reader is on.</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new InvalidOperationException("Not a string.");
        }

        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > 256)
        {
            var text = reader.GetString()!;
            return _lookup.TryGetValue(text.AsSpan(), out var held) ? held : Keep(text);
        }

        Span<char> buffer = stackalloc char[256];
        var length = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
        var chars = buffer[..length];
        return _lookup.TryGetValue(chars, out var shared) ? shared : Keep(chars.ToString());
    }

    private string Keep(string value)
    {
        _strings[value] = value;
        return value;
    }
}
