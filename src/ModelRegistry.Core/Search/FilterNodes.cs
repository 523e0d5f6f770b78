namespace ModelRegistry.Search;

/// <summary>
/// A node of a parsed search filter. Filters are data: Core parses the text into this tree and each storage
/// adapter translates the tree with parameters; user text is never concatenated into a query.
/// </summary>
/// <remarks>
/// Semantics every adapter must match (the in-memory evaluator is the reference): every comparison, <c>LIKE</c> and
/// <c>IN</c> is false when the field has no value (a missing tag, metric or parameter, a null description); only
/// <see cref="IsNullFilter"/> tests presence. Logic is two-valued, so <c>NOT (tags.team = 'x')</c> matches models
/// without the tag while <c>tags.team != 'x'</c> does not. On collection fields (<c>owner</c>, <c>provider</c>) a
/// comparison is true when any element satisfies it. Strings compare by ordinal (code point) order.
/// </remarks>
public abstract record FilterNode;

/// <summary>All operands must hold.</summary>
/// <param name="Operands">Two or more operands.</param>
public sealed record AndFilter(IReadOnlyList<FilterNode> Operands) : FilterNode;

/// <summary>At least one operand must hold.</summary>
/// <param name="Operands">Two or more operands.</param>
public sealed record OrFilter(IReadOnlyList<FilterNode> Operands) : FilterNode;

/// <summary>The operand must not hold.</summary>
/// <param name="Operand">The negated filter.</param>
public sealed record NotFilter(FilterNode Operand) : FilterNode;

/// <summary><c>field op value</c> with one of <c>= != &lt; &lt;= &gt; &gt;=</c>.</summary>
/// <param name="Field">The field.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The typed literal (see <see cref="FilterValue"/>).</param>
public sealed record ComparisonFilter(FieldRef Field, ComparisonOperator Operator, FilterValue Value) : FilterNode;

/// <summary><c>field LIKE pattern</c> (case-sensitive) or <c>ILIKE</c> (case-insensitive); <c>%</c> any run, <c>_</c> one character, <c>\</c> escapes.</summary>
/// <param name="Field">A string field.</param>
/// <param name="Pattern">The pattern as written.</param>
/// <param name="CaseInsensitive"><see langword="true"/> for <c>ILIKE</c>.</param>
public sealed record LikeFilter(FieldRef Field, string Pattern, bool CaseInsensitive) : FilterNode;

/// <summary><c>field IN (v1, v2, …)</c>.</summary>
/// <param name="Field">The field.</param>
/// <param name="Values">One or more typed literals.</param>
public sealed record InFilter(FieldRef Field, IReadOnlyList<FilterValue> Values) : FilterNode;

/// <summary><c>field IS NULL</c> or <c>field IS NOT NULL</c>.</summary>
/// <param name="Field">The field.</param>
/// <param name="Negated"><see langword="true"/> for <c>IS NOT NULL</c>.</param>
public sealed record IsNullFilter(FieldRef Field, bool Negated) : FilterNode;

/// <summary>The comparison operators.</summary>
public enum ComparisonOperator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,

    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,
}

/// <summary>A field a filter or ordering refers to.</summary>
/// <param name="Field">Which field.</param>
/// <param name="Key">The key for <see cref="SearchField.Tag"/>, <see cref="SearchField.Metric"/> and <see cref="SearchField.Param"/>; otherwise <see langword="null"/>.</param>
public sealed record FieldRef(SearchField Field, string? Key = null)
{
    /// <summary>The field as written in the filter language, for example <c>tags.team</c>.</summary>
    /// <returns>The field text.</returns>
    public override string ToString() => SearchFields.ToText(this);
}

/// <summary>The searchable fields. Which apply to models and which to versions is listed in <see cref="SearchFields"/>.</summary>
public enum SearchField
{
    /// <summary><c>name</c>: the model name (for versions, the owning model's name). String.</summary>
    Name,

    /// <summary><c>description</c>: string, may be missing.</summary>
    Description,

    /// <summary><c>owner</c>: any of the model's owners (collection of strings; not orderable).</summary>
    Owner,

    /// <summary><c>risk_tier</c>: the model's <see cref="Registry.RiskTier"/> (enum, ordered by severity).</summary>
    RiskTier,

    /// <summary><c>status</c>: the model's <see cref="Registry.ModelStatus"/> (enum).</summary>
    Status,

    /// <summary><c>created_at</c>: timestamp.</summary>
    CreatedAt,

    /// <summary><c>updated_at</c>: timestamp.</summary>
    UpdatedAt,

    /// <summary><c>tags.&lt;key&gt;</c>: string, missing when the tag is not set.</summary>
    Tag,

    /// <summary><c>version</c>: semantic version, compared by precedence (versions only).</summary>
    Version,

    /// <summary><c>stage</c>: <see cref="Registry.ModelStage"/> (enum; versions only).</summary>
    Stage,

    /// <summary><c>provider</c>: any provider-binding provider (collection of strings, compared ordinally like every string — use <c>ILIKE</c> for a case-insensitive match; versions only; not orderable).</summary>
    Provider,

    /// <summary><c>run_id</c>: string (versions only).</summary>
    RunId,

    /// <summary><c>commit</c>: the source commit, string (versions only).</summary>
    Commit,

    /// <summary><c>metrics.&lt;name&gt;</c>: number (versions only).</summary>
    Metric,

    /// <summary><c>params.&lt;name&gt;</c>: string (versions only).</summary>
    Param,
}

/// <summary>The type of a literal in a filter.</summary>
public enum FilterValueKind
{
    /// <summary>A string; <see cref="FilterValue.Text"/> holds it.</summary>
    String,

    /// <summary>A finite number; <see cref="FilterValue.Number"/> holds it.</summary>
    Number,

    /// <summary>A UTC instant; <see cref="FilterValue.Timestamp"/> holds it.</summary>
    Timestamp,

    /// <summary>A semantic version; <see cref="FilterValue.Version"/> holds it.</summary>
    Version,

    /// <summary>An enum member of the field's type (risk tier, status, stage); <see cref="FilterValue.EnumValue"/> holds its integer value.</summary>
    Enum,
}

/// <summary>A literal, already converted by the parser to the type of the field it is compared with.</summary>
public sealed record FilterValue
{
    private FilterValue(FilterValueKind kind) => Kind = kind;

    /// <summary>The literal's type.</summary>
    public FilterValueKind Kind { get; }

    /// <summary>The string, for <see cref="FilterValueKind.String"/>.</summary>
    public string? Text { get; private init; }

    /// <summary>The number, for <see cref="FilterValueKind.Number"/>.</summary>
    public double Number { get; private init; }

    /// <summary>The instant, for <see cref="FilterValueKind.Timestamp"/>.</summary>
    public DateTimeOffset Timestamp { get; private init; }

    /// <summary>The version, for <see cref="FilterValueKind.Version"/>.</summary>
    public Registry.SemanticVersion? Version { get; private init; }

    /// <summary>The enum member's integer value, for <see cref="FilterValueKind.Enum"/>.</summary>
    public int EnumValue { get; private init; }

    /// <summary>A string literal.</summary>
    /// <param name="text">The string.</param>
    /// <returns>The literal.</returns>
    public static FilterValue FromString(string text) => new(FilterValueKind.String) { Text = text };

    /// <summary>A number literal.</summary>
    /// <param name="number">A finite number.</param>
    /// <returns>The literal.</returns>
    public static FilterValue FromNumber(double number) => new(FilterValueKind.Number) { Number = number };

    /// <summary>A timestamp literal.</summary>
    /// <param name="timestamp">The instant.</param>
    /// <returns>The literal.</returns>
    public static FilterValue FromTimestamp(DateTimeOffset timestamp) => new(FilterValueKind.Timestamp) { Timestamp = timestamp.ToUniversalTime() };

    /// <summary>A version literal.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The literal.</returns>
    public static FilterValue FromVersion(Registry.SemanticVersion version) => new(FilterValueKind.Version) { Version = version };

    /// <summary>An enum literal.</summary>
    /// <param name="value">The member's integer value.</param>
    /// <returns>The literal.</returns>
    public static FilterValue FromEnum(int value) => new(FilterValueKind.Enum) { EnumValue = value };
}

/// <summary>One key of an ordering: a field and a direction.</summary>
/// <param name="Field">An orderable field.</param>
/// <param name="Descending">Whether the order is descending.</param>
/// <remarks>Missing values sort lowest: first ascending, last descending.</remarks>
public sealed record SortKey(FieldRef Field, bool Descending);
