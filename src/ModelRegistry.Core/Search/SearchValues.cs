using ModelRegistry.Registry;

namespace ModelRegistry.Search;

/// <summary>
/// Reads search fields from models and versions, and compares their values. One place, so that the evaluator and
/// the orderings cannot disagree about what a field holds or how two values compare.
/// </summary>
/// <remarks>
/// Values are boxed as: <see cref="string"/> (text), <see cref="double"/> (metrics), <see cref="DateTimeOffset"/>
/// (timestamps), <see cref="SemanticVersion"/> (version) and <see cref="int"/> (enum members). <see langword="null"/>
/// means missing: an absent tag, metric or parameter, a null description, run id or commit, or a field that does not
/// apply to the item.
/// </remarks>
internal static class SearchValues
{
    private static readonly IReadOnlyList<string> NoStrings = [];

    /// <summary>The single value of a field of a model.</summary>
    public static object? Get(FieldRef field, RegisteredModel model) => field.Field switch
    {
        SearchField.Name => model.Name,
        SearchField.Description => model.Description,
        SearchField.RiskTier => (int)model.RiskTier,
        SearchField.Status => (int)model.Status,
        SearchField.CreatedAt => model.CreatedAt,
        SearchField.UpdatedAt => model.UpdatedAt,
        SearchField.Tag => Lookup(model.Tags, field.Key),
        _ => null,
    };

    /// <summary>The single value of a field of a version; model-level fields come from <paramref name="model"/> when given.</summary>
    public static object? Get(FieldRef field, ModelVersion version, RegisteredModel? model) => field.Field switch
    {
        SearchField.Name => version.ModelName,
        SearchField.Description => version.Description,
        SearchField.RiskTier => model is null ? null : (int)model.RiskTier,
        SearchField.Status => model is null ? null : (int)model.Status,
        SearchField.CreatedAt => version.CreatedAt,
        SearchField.UpdatedAt => version.UpdatedAt,
        SearchField.Tag => Lookup(version.Tags, field.Key),
        SearchField.Version => version.Version,
        SearchField.Stage => (int)version.Stage,
        SearchField.RunId => version.RunId,
        SearchField.Commit => version.SourceCommit,
        SearchField.Metric => field.Key is not null && version.Metrics.TryGetValue(field.Key, out var metric) ? metric : null,
        SearchField.Param => Lookup(version.Parameters, field.Key),
        _ => null,
    };

    /// <summary>The elements of a collection field (<c>owner</c>, <c>provider</c>); empty when there are none.</summary>
    public static IReadOnlyList<string> GetElements(FieldRef field, ModelVersion? version, RegisteredModel? model) => field.Field switch
    {
        SearchField.Owner => model?.Owners ?? NoStrings,
        SearchField.Provider when version is not null => version.ProviderBindings.Select(b => b.Provider).ToList(),
        _ => NoStrings,
    };

    /// <summary>The value of a literal in the same boxed form as field values; <see langword="null"/> when malformed.</summary>
    public static object? FromLiteral(FilterValue value) => value.Kind switch
    {
        FilterValueKind.String => value.Text,
        FilterValueKind.Number => value.Number,
        FilterValueKind.Timestamp => value.Timestamp,
        FilterValueKind.Version => value.Version,
        FilterValueKind.Enum => value.EnumValue,
        _ => null,
    };

    /// <summary>The literal holding a field value, for keyset predicates.</summary>
    public static FilterValue ToLiteral(object value) => value switch
    {
        string s => FilterValue.FromString(s),
        double d => FilterValue.FromNumber(d),
        DateTimeOffset t => FilterValue.FromTimestamp(t),
        SemanticVersion v => FilterValue.FromVersion(v),
        int e => FilterValue.FromEnum(e),
        _ => throw new ArgumentException($"Unsupported search value type {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>
    /// Compares two present values of the same type: strings by code point, numbers numerically, timestamps by
    /// instant, versions by precedence, enum members by integer value. <see langword="null"/> when the types differ.
    /// </summary>
    public static int? Compare(object a, object b) => (a, b) switch
    {
        (string x, string y) => CodePoints.Compare(x, y),
        (double x, double y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks.CompareTo(y.UtcTicks),
        (SemanticVersion x, SemanticVersion y) => Math.Sign(x.CompareTo(y)),
        (int x, int y) => x.CompareTo(y),
        _ => null,
    };

    /// <summary>Orders possibly-missing values: missing lowest, then <see cref="Compare(object, object)"/>.</summary>
    public static int CompareForOrdering(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return (a is null ? 0 : 1) - (b is null ? 0 : 1);
        }

        // Values of one field always share a type; the type name only keeps the order total if they do not.
        return Compare(a, b) ?? string.CompareOrdinal(a.GetType().FullName, b.GetType().FullName);
    }

    private static string? Lookup(IReadOnlyDictionary<string, string> map, string? key)
        => key is not null && map.TryGetValue(key, out var value) ? value : null;
}
