using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.Sqlite.Tests.Support;

/// <summary>Builds filter trees in tests (the filter parser lives in Core).</summary>
public static class F
{
    public static FieldRef Name { get; } = new(SearchField.Name);
    public static FieldRef Description { get; } = new(SearchField.Description);
    public static FieldRef Owner { get; } = new(SearchField.Owner);
    public static FieldRef RiskTier { get; } = new(SearchField.RiskTier);
    public static FieldRef Status { get; } = new(SearchField.Status);
    public static FieldRef CreatedAt { get; } = new(SearchField.CreatedAt);
    public static FieldRef UpdatedAt { get; } = new(SearchField.UpdatedAt);
    public static FieldRef Version { get; } = new(SearchField.Version);
    public static FieldRef Stage { get; } = new(SearchField.Stage);
    public static FieldRef Provider { get; } = new(SearchField.Provider);
    public static FieldRef RunId { get; } = new(SearchField.RunId);
    public static FieldRef Commit { get; } = new(SearchField.Commit);

    public static FieldRef Tag(string key) => new(SearchField.Tag, key);

    public static FieldRef Metric(string key) => new(SearchField.Metric, key);

    public static FieldRef Param(string key) => new(SearchField.Param, key);

    public static FilterValue Value(FieldRef field, object value) => value switch
    {
        FilterValue v => v,
        string s => FilterValue.FromString(s),
        DateTimeOffset t => FilterValue.FromTimestamp(t),
        SemanticVersion v => FilterValue.FromVersion(v),
        Enum e => FilterValue.FromEnum(Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture)),
        int i when SearchFields.TypeOf(field.Field) == SearchFieldType.Enum => FilterValue.FromEnum(i),
        IConvertible n => FilterValue.FromNumber(Convert.ToDouble(n, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"No literal for {value}."),
    };

    public static FilterNode Cmp(FieldRef field, ComparisonOperator op, object value) => new ComparisonFilter(field, op, Value(field, value));

    public static FilterNode Eq(FieldRef field, object value) => Cmp(field, ComparisonOperator.Equal, value);

    public static FilterNode Ne(FieldRef field, object value) => Cmp(field, ComparisonOperator.NotEqual, value);

    public static FilterNode Lt(FieldRef field, object value) => Cmp(field, ComparisonOperator.LessThan, value);

    public static FilterNode Le(FieldRef field, object value) => Cmp(field, ComparisonOperator.LessThanOrEqual, value);

    public static FilterNode Gt(FieldRef field, object value) => Cmp(field, ComparisonOperator.GreaterThan, value);

    public static FilterNode Ge(FieldRef field, object value) => Cmp(field, ComparisonOperator.GreaterThanOrEqual, value);

    public static FilterNode Like(FieldRef field, string pattern) => new LikeFilter(field, pattern, false);

    public static FilterNode ILike(FieldRef field, string pattern) => new LikeFilter(field, pattern, true);

    public static FilterNode In(FieldRef field, params object[] values) => new InFilter(field, values.Select(v => Value(field, v)).ToList());

    public static FilterNode IsNull(FieldRef field) => new IsNullFilter(field, false);

    public static FilterNode NotNull(FieldRef field) => new IsNullFilter(field, true);

    public static FilterNode And(params FilterNode[] operands) => new AndFilter(operands);

    public static FilterNode Or(params FilterNode[] operands) => new OrFilter(operands);

    public static FilterNode Not(FilterNode operand) => new NotFilter(operand);

    public static SortKey Asc(FieldRef field) => new(field, false);

    public static SortKey Desc(FieldRef field) => new(field, true);
}

public static class StoreSearch
{
    public static readonly IReadOnlyList<SortKey> ModelIdentity = [F.Asc(F.Name)];
    public static readonly IReadOnlyList<SortKey> VersionIdentity = [F.Asc(F.Name), F.Asc(F.Version)];

    public static async Task<IReadOnlyList<ModelVersion>> Versions(IRegistryStore store, FilterNode? filter, IReadOnlyList<SortKey>? order = null, int limit = 1000)
        => await store.QueryVersionsAsync(new StoreQuery(filter, order ?? VersionIdentity, limit), CancellationToken.None);

    public static async Task<IReadOnlyList<RegisteredModel>> Models(IRegistryStore store, FilterNode? filter, IReadOnlyList<SortKey>? order = null, int limit = 1000)
        => await store.QueryModelsAsync(new StoreQuery(filter, order ?? ModelIdentity, limit), CancellationToken.None);
}
