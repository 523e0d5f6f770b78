using System.Globalization;
using System.Text;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>A translated query: SQL text whose only variable parts are parameter placeholders, and their values.</summary>
/// <param name="Sql">The SQL; the same filter shape always yields the same text, so prepared commands can be reused.</param>
/// <param name="Arguments">Values of <c>@p0</c>, <c>@p1</c>, … in order.</param>
internal sealed record SqliteQuery(string Sql, IReadOnlyList<object> Arguments);

/// <summary>
/// Translates a <see cref="StoreQuery"/> into parameterised SQL. No user text ever enters the SQL: every literal,
/// tag key, metric name and pattern becomes a parameter.
/// </summary>
/// <remarks>
/// The semantics are those of <see cref="FilterNode"/>: logic is two-valued, so every leaf is written to yield 0 or 1
/// and never SQL NULL (a nullable column is tested with <c>IS NOT NULL AND …</c>); collection and keyed fields
/// (owner, provider, tags, metrics, params) become <c>IN (SELECT …)</c> sub-queries over their side tables, true when
/// any element matches; strings compare with SQLite's BINARY collation, which on UTF-8 is code-point order;
/// LIKE/ILIKE call <see cref="LikePattern.IsMatch"/> through the <c>mr_like</c> function, so matching is exactly
/// Core's. Ordering puts missing values lowest, which is SQLite's own NULL ordering.
/// </remarks>
internal sealed class SqliteQueryTranslator
{
    /// <summary>The SQL function that evaluates LIKE/ILIKE with Core's <see cref="LikePattern"/>.</summary>
    public const string LikeFunction = "mr_like";

    private readonly SearchTarget _target;
    private readonly StringBuilder _sql = new(256);
    private readonly List<object> _args = [];
    private bool _joinModel;

    private SqliteQueryTranslator(SearchTarget target) => _target = target;

    /// <summary>Translates a model or version query.</summary>
    public static SqliteQuery Translate(StoreQuery query, SearchTarget target)
    {
        ArgumentNullException.ThrowIfNull(query);
        var t = new SqliteQueryTranslator(target);
        var where = query.Filter is null ? null : t.Node(query.Filter);
        var order = new List<string>(query.OrderBy.Count);
        foreach (var key in query.OrderBy)
        {
            order.Add(t.OrderExpression(key.Field) + (key.Descending ? " DESC" : " ASC"));
        }

        var limit = t.Param((long)query.Limit);
        var sql = t._sql;
        if (target == SearchTarget.Models)
        {
            sql.Append("SELECT m.doc FROM models m");
        }
        else
        {
            sql.Append("SELECT v.doc FROM versions v");
            if (t._joinModel)
            {
                sql.Append(" LEFT JOIN models mm ON mm.key = v.model_key");
            }
        }

        if (where is not null)
        {
            sql.Append(" WHERE ").Append(where);
        }

        if (order.Count > 0)
        {
            sql.Append(" ORDER BY ").AppendJoin(", ", order);
        }

        sql.Append(" LIMIT ").Append(limit);
        return new SqliteQuery(sql.ToString(), t._args);
    }

    private string Param(object value)
    {
        _args.Add(value);
        return "@p" + (_args.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    private string Node(FilterNode node) => node switch
    {
        AndFilter and => Join(and.Operands, " AND ", "1"),
        OrFilter or => Join(or.Operands, " OR ", "0"),
        NotFilter not => "NOT (" + Node(not.Operand) + ")",
        ComparisonFilter c => Leaf(c.Field, v => v + " " + Operator(c.Operator) + " " + Param(Literal(c.Field, c.Value))),
        InFilter i => In(i),
        LikeFilter l => Like(l),
        IsNullFilter n => IsNull(n),
        _ => throw Invalid($"The filter node {node.GetType().Name} is not supported by the SQLite store."),
    };

    private string Join(IReadOnlyList<FilterNode> operands, string separator, string empty)
    {
        if (operands.Count == 0)
        {
            return empty;
        }

        var parts = new string[operands.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = Node(operands[i]);
        }

        return "(" + string.Join(separator, parts) + ")";
    }

    private string In(InFilter filter)
    {
        if (filter.Values.Count == 0)
        {
            return "0";
        }

        return Leaf(filter.Field, v =>
        {
            var sb = new StringBuilder(v).Append(" IN (");
            for (var i = 0; i < filter.Values.Count; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ").Append(Param(Literal(filter.Field, filter.Values[i])));
            }

            return sb.Append(')').ToString();
        });
    }

    private string Like(LikeFilter filter)
    {
        if (SearchFields.TypeOf(filter.Field.Field) != SearchFieldType.String)
        {
            throw Invalid($"LIKE applies to text fields; {filter.Field} is not one.");
        }

        var column = Column(filter.Field);

        // LIKE runs on the value as stored; the provider's folded key is only for comparisons.
        return Leaf(filter.Field, v =>
        {
            var call = $"{LikeFunction}(CAST({v} AS BLOB), CAST({Param(filter.Pattern)} AS BLOB), {(filter.CaseInsensitive ? 1 : 0)})";
            if (filter.CaseInsensitive)
            {
                return call;
            }

            // A case-sensitive pattern that starts with literal text can only match values in one key range, which an
            // index can seek; the function still decides exactly.
            var prefix = SqliteText.LiteralPrefix(filter.Pattern);
            var successor = prefix.Length == 0 ? null : SqliteText.PrefixSuccessor(prefix);
            return successor is null
                ? call
                : $"{v} >= {Param(prefix)} AND {v} < {Param(successor)} AND {call}";
        }, likeColumn: column.LikeValue);
    }

    private string IsNull(IsNullFilter filter)
    {
        var column = Column(filter.Field);
        if (column.Table is null)
        {
            if (!column.Nullable)
            {
                return filter.Negated ? "1" : "0";
            }

            return column.Value + (filter.Negated ? " IS NOT NULL" : " IS NULL");
        }

        return column.Owner + (filter.Negated ? " IN " : " NOT IN ") + SideSelect(column, predicate: null);
    }

    /// <summary>Builds a leaf: a predicate on the field's value that is 0 or 1, never NULL.</summary>
    private string Leaf(FieldRef field, Func<string, string> predicate, string? likeColumn = null)
    {
        var column = Column(field);
        if (column.Table is null)
        {
            var value = likeColumn ?? column.Value;
            return column.Nullable
                ? "(" + value + " IS NOT NULL AND " + predicate(value) + ")"
                : "(" + predicate(value) + ")";
        }

        return column.Owner + " IN " + SideSelect(column, predicate("s." + (likeColumn ?? column.Value)));
    }

    private string SideSelect(FieldSql column, string? predicate)
    {
        var sb = new StringBuilder("(SELECT ").Append(column.SideOwner).Append(" FROM ").Append(column.Table);
        var conditions = new List<string>(2);
        if (column.Key is not null)
        {
            conditions.Add("s.key = " + Param(column.Key));
        }

        if (predicate is not null)
        {
            conditions.Add(predicate);
        }

        if (conditions.Count > 0)
        {
            sb.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        return sb.Append(')').ToString();
    }

    private string OrderExpression(FieldRef field)
    {
        if (!SearchFields.IsOrderable(field.Field))
        {
            throw Invalid($"Results cannot be ordered by {field}: it has several values.");
        }

        var column = Column(field);
        if (column.Table is null)
        {
            return column.Value;
        }

        // Keyed fields: the value for that key, NULL (lowest) when the record has none.
        return $"(SELECT s.{column.Value} FROM {column.Table} WHERE {column.SideOwner} = {column.Owner} AND s.key = {Param(column.Key!)})";
    }

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw Invalid($"Unknown comparison operator {op}."),
    };

    /// <summary>Converts a literal to the stored representation of the field: ticks, sort keys, enum integers, folded providers.</summary>
    private static object Literal(FieldRef field, FilterValue value)
    {
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
            throw Invalid($"{field} holds {type} values and cannot be compared with a {value.Kind} literal.");
        }

        return value.Kind switch
        {
            FilterValueKind.String when field.Field == SearchField.Provider => SqliteText.FoldUpper(value.Text!),
            FilterValueKind.String => value.Text!,
            FilterValueKind.Number => value.Number,
            FilterValueKind.Timestamp => value.Timestamp.UtcTicks,
            FilterValueKind.Version => value.Version!.SortKey,
            _ => (long)value.EnumValue,
        };
    }

    /// <summary>Where a field lives. Scalar fields have <see cref="Table"/> null; collection and keyed fields live in a side table.</summary>
    private sealed record FieldSql(string Value, bool Nullable, string? Table = null, string? Owner = null, string? SideOwner = null, string? Key = null, string? LikeValue = null);

    private FieldSql Column(FieldRef field)
    {
        if (!SearchFields.AppliesTo(field.Field, _target))
        {
            throw Invalid($"{field} cannot be used when searching {_target.ToString().ToLowerInvariant()}.");
        }

        if (SearchFields.IsKeyed(field.Field) && field.Key is null)
        {
            throw Invalid($"{field.Field} needs a key, such as tags.team.");
        }

        var models = _target == SearchTarget.Models;
        switch (field.Field)
        {
            case SearchField.Name:
                return new(models ? "m.name" : "v.model_name", false);
            case SearchField.Description:
                return new(models ? "m.description" : "v.description", true);
            case SearchField.CreatedAt:
                return new(models ? "m.created_at" : "v.created_at", false);
            case SearchField.UpdatedAt:
                return new(models ? "m.updated_at" : "v.updated_at", false);
            case SearchField.RiskTier:
                return models ? new("m.risk_tier", false) : ModelColumn("mm.risk_tier");
            case SearchField.Status:
                return models ? new("m.status", false) : ModelColumn("mm.status");
            case SearchField.Owner:
                // For versions the owners are the owning model's, reached through its key (never NULL, so IN is two-valued).
                return models
                    ? new("owner", false, "model_owners s", "m.id", "s.model_id")
                    : new("owner", false, "model_owners s JOIN models o ON o.id = s.model_id", "v.model_key", "o.key");
            case SearchField.Tag:
                return models
                    ? new("value", false, "model_tags s", "m.id", "s.model_id", field.Key)
                    : new("value", false, "version_tags s", "v.id", "s.version_id", field.Key);
            case SearchField.Version:
                return new("v.sort_key", false);
            case SearchField.Stage:
                return new("v.stage", false);
            case SearchField.RunId:
                return new("v.run_id", true);
            case SearchField.Commit:
                return new("v.source_commit", true);
            case SearchField.Provider:
                return new("provider_key", false, "version_providers s", "v.id", "s.version_id", LikeValue: "provider");
            case SearchField.Metric:
                return new("value", false, "version_metrics s", "v.id", "s.version_id", field.Key);
            case SearchField.Param:
                return new("value", false, "version_params s", "v.id", "s.version_id", field.Key);
            default:
                throw Invalid($"{field} is not a searchable field.");
        }
    }

    private FieldSql ModelColumn(string column)
    {
        // Version searches reach model-level fields through a LEFT JOIN; a version whose model row is missing
        // simply has no value.
        _joinModel = true;
        return new(column, true);
    }

    private static ModelRegistryException Invalid(string message) => new(ErrorCode.InvalidFilter, message);
}
