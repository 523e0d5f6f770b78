using System.Globalization;
using ModelRegistry.Registry;

namespace ModelRegistry.Search;

/// <summary>What the filter parser, the order-by parser and the printer share: field names and literal forms.</summary>
internal static class SearchSyntax
{
    private const string TimestampPrintFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    // ISO-8601 forms accepted in literals. 'K' also matches no offset, which AssumeUniversal reads as UTC.
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Resolves a word token to a field of the target, or throws a syntax error naming the field.</summary>
    public static FieldRef ResolveField(Token word, SearchTarget target, string language)
    {
        FieldRef field;
        if (word.Key is not null)
        {
            var kind = word.Value!.ToLowerInvariant() switch
            {
                "tags" => SearchField.Tag,
                "metrics" => SearchField.Metric,
                "params" => SearchField.Param,
                _ => (SearchField?)null,
            };
            if (kind is null)
            {
                throw UnknownField(word, target, language);
            }

            field = new FieldRef(kind.Value, word.Key);
        }
        else if (SearchFields.TryParseSimple(word.Value!, out var simple))
        {
            field = new FieldRef(simple);
        }
        else if (word.Value!.ToLowerInvariant() is "tags" or "metrics" or "params")
        {
            var prefix = word.Value.ToLowerInvariant();
            throw new FilterSyntaxException(
                $"'{word.Display}' at position {word.Position} needs a key in the {language}: write {prefix}.<key>, for example {prefix}.team.",
                word.Position,
                word.Display);
        }
        else
        {
            throw UnknownField(word, target, language);
        }

        if (!SearchFields.AppliesTo(field.Field, target))
        {
            throw new FilterSyntaxException(
                $"The field '{word.Display}' at position {word.Position} applies only to version searches, not to {TargetText(target)}. {FieldList(target)}",
                word.Position,
                word.Display);
        }

        return field;
    }

    /// <summary>Converts a literal token to the type of a field, or throws a syntax error saying what was expected.</summary>
    public static FilterValue ConvertLiteral(FieldRef field, Token token)
    {
        var type = SearchFields.TypeOf(field.Field);
        if (type == SearchFieldType.Number)
        {
            return token.Kind == TokenKind.Number
                ? FilterValue.FromNumber(token.Number)
                : throw WrongLiteral(field, token);
        }

        if (token.Kind != TokenKind.String)
        {
            throw WrongLiteral(field, token);
        }

        var text = token.Value!;
        switch (type)
        {
            case SearchFieldType.String:
                return FilterValue.FromString(text);
            case SearchFieldType.Timestamp:
                return TryParseTimestamp(text, out var instant) ? FilterValue.FromTimestamp(instant) : throw WrongLiteral(field, token);
            case SearchFieldType.Version:
                return SemanticVersion.TryParse(text, out var version) ? FilterValue.FromVersion(version) : throw WrongLiteral(field, token);
            default:
                var enumType = SearchFields.EnumTypeOf(field.Field)!;
                var match = EnumMembers(enumType).FirstOrDefault(m => string.Equals(m.Name, text, StringComparison.OrdinalIgnoreCase));
                return match.Name is not null ? FilterValue.FromEnum(match.Value) : throw WrongLiteral(field, token);
        }
    }

    /// <summary>Writes a literal in its canonical, re-parseable form; throws <see cref="ArgumentException"/> when it does not fit the field.</summary>
    public static string FormatLiteral(FieldRef field, FilterValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = SearchFields.TypeOf(field.Field);
        var expected = type switch
        {
            SearchFieldType.String => FilterValueKind.String,
            SearchFieldType.Number => FilterValueKind.Number,
            SearchFieldType.Timestamp => FilterValueKind.Timestamp,
            SearchFieldType.Version => FilterValueKind.Version,
            _ => FilterValueKind.Enum,
        };
        if (value.Kind != expected)
        {
            throw new ArgumentException($"The field '{field}' takes {expected} values, but the filter holds a {value.Kind} value.", nameof(value));
        }

        switch (value.Kind)
        {
            case FilterValueKind.String:
                return Quote(value.Text ?? throw new ArgumentException($"A string value for '{field}' has no text.", nameof(value)));
            case FilterValueKind.Number:
                return double.IsFinite(value.Number)
                    ? value.Number.ToString("R", CultureInfo.InvariantCulture)
                    : throw new ArgumentException($"The number for '{field}' is {value.Number}; only finite numbers can be written.", nameof(value));
            case FilterValueKind.Timestamp:
                return Quote(FormatTimestamp(value.Timestamp));
            case FilterValueKind.Version:
                return Quote(value.Version?.ToString() ?? throw new ArgumentException($"A version value for '{field}' has no version.", nameof(value)));
            default:
                var enumType = SearchFields.EnumTypeOf(field.Field)!;
                var member = EnumMembers(enumType).FirstOrDefault(m => m.Value == value.EnumValue);
                return member.Name is not null
                    ? Quote(member.Name)
                    : throw new ArgumentException($"{value.EnumValue} is not a member of {enumType.Name}.", nameof(value));
        }
    }

    /// <summary>A UTC instant in the canonical literal form (round-trips every tick).</summary>
    public static string FormatTimestamp(DateTimeOffset instant)
        => instant.UtcDateTime.ToString(TimestampPrintFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses an ISO-8601 date (UTC midnight) or date-time (UTC unless an offset is given).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset instant)
        => DateTimeOffset.TryParseExact(
            text,
            TimestampFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out instant);

    /// <summary>A string literal: single quotes, with quotes doubled.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Checks that a field reference is well formed (keyed fields have a non-empty key, others none).</summary>
    public static void ValidateFieldRef(FieldRef field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!Enum.IsDefined(field.Field))
        {
            throw new ArgumentException($"{(int)field.Field} is not a search field.", nameof(field));
        }

        if (SearchFields.IsKeyed(field.Field) ? string.IsNullOrEmpty(field.Key) : field.Key is not null)
        {
            throw new ArgumentException(
                SearchFields.IsKeyed(field.Field) ? $"The field {field.Field} needs a non-empty key." : $"The field {field.Field} takes no key.",
                nameof(field));
        }
    }

    /// <summary>The members of an enum field's type, by name and integer value.</summary>
    public static IEnumerable<(string Name, int Value)> EnumMembers(Type enumType)
        => Enum.GetNames(enumType).Select(n => (n, Convert.ToInt32(Enum.Parse(enumType, n), CultureInfo.InvariantCulture)));

    /// <summary>"Model searches can use: name, …" for error messages.</summary>
    public static string FieldList(SearchTarget target)
    {
        var names = new List<string> { "name", "description", "owner", "risk_tier", "status", "created_at", "updated_at", "tags.<key>" };
        if (target == SearchTarget.Versions)
        {
            names.AddRange(["version", "stage", "provider", "run_id", "commit", "metrics.<key>", "params.<key>"]);
        }

        return $"{(target == SearchTarget.Models ? "Model" : "Version")} searches can use: {string.Join(", ", names)}.";
    }

    /// <summary>"model searches" or "version searches".</summary>
    public static string TargetText(SearchTarget target) => target == SearchTarget.Models ? "model searches" : "version searches";

    /// <summary>What literal a field takes, for error messages.</summary>
    public static string ExpectedLiteral(FieldRef field) => SearchFields.TypeOf(field.Field) switch
    {
        SearchFieldType.String => "a string in single quotes",
        SearchFieldType.Number => "a number, such as 0.95 or -3 or 1e-6",
        SearchFieldType.Timestamp => "an ISO-8601 date or date-time in single quotes, such as '2024-05-01' or '2024-05-01T12:00:00Z'",
        SearchFieldType.Version => "a semantic version in single quotes, such as '1.2.0' or '2.0.0-rc.1'",
        _ => "one of " + string.Join(", ", EnumMembers(SearchFields.EnumTypeOf(field.Field)!).Select(m => Quote(m.Name))),
    };

    /// <summary>"the end of the filter" or the quoted token, for error messages.</summary>
    public static string Found(Token token, string language)
        => token.Kind == TokenKind.End ? $"the end of the {language}" : $"'{token.Display}'";

    private static FilterSyntaxException WrongLiteral(FieldRef field, Token token)
        => token.Kind is TokenKind.String or TokenKind.Number
            ? new FilterSyntaxException(
                $"The value {token.Display} at position {token.Position} does not fit '{field}': expected {ExpectedLiteral(field)}.",
                token.Position,
                token.Display)
            : new FilterSyntaxException(
                $"Expected a value for '{field}' at position {token.Position}: {ExpectedLiteral(field)}, but found {Found(token, "filter")}.",
                token.Position,
                token.Display);

    private static FilterSyntaxException UnknownField(Token word, SearchTarget target, string language)
        => new(
            $"Unknown field '{word.Display}' at position {word.Position} in the {language}. {FieldList(target)}",
            word.Position,
            word.Display);
}
