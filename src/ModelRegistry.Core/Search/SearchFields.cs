namespace ModelRegistry.Search;

/// <summary>What is searched: registered models or model versions.</summary>
public enum SearchTarget
{
    /// <summary>Registered models.</summary>
    Models,

    /// <summary>Model versions.</summary>
    Versions,
}

/// <summary>The value type of a search field.</summary>
public enum SearchFieldType
{
    /// <summary>Text.</summary>
    String,

    /// <summary>A finite number.</summary>
    Number,

    /// <summary>A UTC instant.</summary>
    Timestamp,

    /// <summary>A semantic version.</summary>
    Version,

    /// <summary>An enum (risk tier, status, stage).</summary>
    Enum,
}

/// <summary>The catalogue of search fields: their names in the filter language, types and where they apply.</summary>
public static class SearchFields
{
    /// <summary>The value type of a field.</summary>
    /// <param name="field">The field.</param>
    /// <returns>Its type.</returns>
    public static SearchFieldType TypeOf(SearchField field) => field switch
    {
        SearchField.RiskTier or SearchField.Status or SearchField.Stage => SearchFieldType.Enum,
        SearchField.CreatedAt or SearchField.UpdatedAt => SearchFieldType.Timestamp,
        SearchField.Version => SearchFieldType.Version,
        SearchField.Metric => SearchFieldType.Number,
        _ => SearchFieldType.String,
    };

    /// <summary>The enum type behind an enum field, or <see langword="null"/>.</summary>
    /// <param name="field">The field.</param>
    /// <returns>The enum type.</returns>
    public static Type? EnumTypeOf(SearchField field) => field switch
    {
        SearchField.RiskTier => typeof(Registry.RiskTier),
        SearchField.Status => typeof(Registry.ModelStatus),
        SearchField.Stage => typeof(Registry.ModelStage),
        _ => null,
    };

    /// <summary>Whether the field applies to a search target. Version searches also accept the owning model's <c>owner</c>, <c>risk_tier</c> and <c>status</c>.</summary>
    /// <param name="field">The field.</param>
    /// <param name="target">Models or versions.</param>
    /// <returns><see langword="true"/> when the field can be used.</returns>
    public static bool AppliesTo(SearchField field, SearchTarget target) => target switch
    {
        SearchTarget.Versions => true,
        _ => field is SearchField.Name or SearchField.Description or SearchField.Owner or SearchField.RiskTier
            or SearchField.Status or SearchField.CreatedAt or SearchField.UpdatedAt or SearchField.Tag,
    };

    /// <summary>Whether the field has several values (comparisons are true when any value satisfies them).</summary>
    /// <param name="field">The field.</param>
    /// <returns><see langword="true"/> for <c>owner</c> and <c>provider</c>.</returns>
    public static bool IsCollection(SearchField field) => field is SearchField.Owner or SearchField.Provider;

    /// <summary>Whether results can be ordered by the field.</summary>
    /// <param name="field">The field.</param>
    /// <returns><see langword="false"/> for collection fields.</returns>
    public static bool IsOrderable(SearchField field) => !IsCollection(field);

    /// <summary>Whether the field needs a key (<c>tags.</c>, <c>metrics.</c>, <c>params.</c>).</summary>
    /// <param name="field">The field.</param>
    /// <returns><see langword="true"/> for keyed fields.</returns>
    public static bool IsKeyed(SearchField field) => field is SearchField.Tag or SearchField.Metric or SearchField.Param;

    /// <summary>The field as written in the filter language.</summary>
    /// <param name="field">The field reference.</param>
    /// <returns>For example <c>risk_tier</c> or <c>tags.team</c>.</returns>
    public static string ToText(FieldRef field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Field switch
        {
            SearchField.Name => "name",
            SearchField.Description => "description",
            SearchField.Owner => "owner",
            SearchField.RiskTier => "risk_tier",
            SearchField.Status => "status",
            SearchField.CreatedAt => "created_at",
            SearchField.UpdatedAt => "updated_at",
            SearchField.Tag => "tags." + QuoteKey(field.Key),
            SearchField.Version => "version",
            SearchField.Stage => "stage",
            SearchField.Provider => "provider",
            SearchField.RunId => "run_id",
            SearchField.Commit => "commit",
            SearchField.Metric => "metrics." + QuoteKey(field.Key),
            SearchField.Param => "params." + QuoteKey(field.Key),
            _ => field.Field.ToString(),
        };
    }

    /// <summary>Looks up a simple (un-keyed) field by its filter-language name, case-insensitively.</summary>
    /// <param name="name">For example <c>risk_tier</c>.</param>
    /// <param name="field">The field when found.</param>
    /// <returns><see langword="true"/> when the name is a simple field.</returns>
    public static bool TryParseSimple(string name, out SearchField field)
    {
        switch (name.ToLowerInvariant())
        {
            case "name": field = SearchField.Name; return true;
            case "description": field = SearchField.Description; return true;
            case "owner": field = SearchField.Owner; return true;
            case "risk_tier": field = SearchField.RiskTier; return true;
            case "status": field = SearchField.Status; return true;
            case "created_at": field = SearchField.CreatedAt; return true;
            case "updated_at": field = SearchField.UpdatedAt; return true;
            case "version": field = SearchField.Version; return true;
            case "stage": field = SearchField.Stage; return true;
            case "provider": field = SearchField.Provider; return true;
            case "run_id": field = SearchField.RunId; return true;
            case "commit": field = SearchField.Commit; return true;
            default: field = default; return false;
        }
    }

    /// <summary>Keys made only of letters, digits, <c>_</c>, <c>-</c> and <c>.</c> are written bare; others in backquotes.</summary>
    private static string QuoteKey(string? key)
    {
        key ??= string.Empty;
        return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            ? key
            : "`" + key.Replace("`", "``", StringComparison.Ordinal) + "`";
    }
}
