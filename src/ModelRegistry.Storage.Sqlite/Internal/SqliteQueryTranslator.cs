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
/// The semantics are Core's reference evaluator's (see <see cref="FilterNode"/>):
/// <list type="bullet">
/// <item>Logic is two-valued. Every leaf yields 0 or 1, never SQL NULL: a nullable column is tested as
/// <c>(col IS NOT NULL AND …)</c>, and side-table fields as correlated <c>EXISTS (SELECT 1 …)</c>.</item>
/// <item>A missing value fails every comparison, <c>LIKE</c> and <c>IN</c>; only <c>IS NULL</c> tests presence. A field
/// that does not apply to the target (for example <c>stage</c> on models) or a literal of the wrong type is missing,
/// not an error: such leaves become the constants 0 or 1.</item>
/// <item>Collection fields (owner, provider) and keyed fields (tags, metrics, params) live in side tables and match
/// when any row matches.</item>
/// <item>Strings compare with SQLite's BINARY collation, which on UTF-8 is code-point order; timestamps as UTC ticks,
/// versions by <see cref="Registry.SemanticVersion.SortKey"/>, enums by integer.</item>
/// <item><c>LIKE</c>/<c>ILIKE</c> call <see cref="LikePattern.IsMatch"/> through <see cref="LikeFunction"/>, so matching
/// is exactly Core's; a case-sensitive pattern with a literal prefix also gets an index-friendly range.</item>
/// <item>Ordering puts missing values lowest, which is SQLite's own NULL ordering. Keys that have no value for the
/// target (collections, model-level fields on versions) order nothing and are left out.</item>
/// </list>
/// </remarks>
internal sealed class SqliteQueryTranslator
{
    /// <summary>The SQL function that evaluates LIKE/ILIKE with Core's <see cref="LikePattern"/>.</summary>
    public const string LikeFunction = "mr_like";

    private const string False = "0";
    private const string True = "1";

    private readonly SearchTarget _target;
    private readonly List<object> _args = [];
    private bool _joinModel;

    private SqliteQueryTranslator(SearchTarget target) => _target = target;

    /// <summary>Translates a model or version query.</summary>
    public static SqliteQuery Translate(StoreQuery query, SearchTarget target)
    {
        ArgumentNullException.ThrowIfNull(query);
        var t = new SqliteQueryTranslator(target);
        var where = query.Filter is null ? null : t.Node(query.Filter);
        var order = new List<(string Expression, bool Descending)>(query.OrderBy.Count);
        foreach (var key in query.OrderBy)
        {
            if (t.OrderExpression(key.Field) is { } expression)
            {
                order.Add((expression, key.Descending));
            }
        }

        var limit = t.Param((long)query.Limit);

        // Two levels: the inner query finds the page's ids in order over the narrow, indexed tables (its sort, if any,
        // carries only ids and keys); the outer query fetches just those documents and restores the order.
        var sql = new StringBuilder(256);
        var models = target == SearchTarget.Models;
        sql.Append(models ? "SELECT d.doc FROM (SELECT m.id AS id" : "SELECT d.doc FROM (SELECT v.id AS id");
        for (var i = 0; i < order.Count; i++)
        {
            sql.Append(", ").Append(order[i].Expression).Append(" AS o").Append(i);
        }

        sql.Append(models ? " FROM models m" : " FROM versions v");
        if (!models && t._joinModel)
        {
            sql.Append(" JOIN models mm ON mm.key = v.model_key");
        }

        if (where is not null && where != True)
        {
            sql.Append(" WHERE ").Append(where);
        }

        AppendOrder(sql, order, string.Empty);
        sql.Append(" LIMIT ").Append(limit).Append(") AS page JOIN ").Append(models ? "model_docs" : "versions").Append(" d ON d.id = page.id");
        AppendOrder(sql, order, "page.");
        return new SqliteQuery(sql.ToString(), t._args);
    }

    private static void AppendOrder(StringBuilder sql, List<(string Expression, bool Descending)> order, string qualifier)
    {
        for (var i = 0; i < order.Count; i++)
        {
            sql.Append(i == 0 ? " ORDER BY " : ", ").Append(qualifier).Append('o').Append(i).Append(order[i].Descending ? " DESC" : " ASC");
        }
    }

    private string Param(object value)
    {
        _args.Add(value);
        return "@p" + (_args.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    private string Node(FilterNode node) => node switch
    {
        AndFilter and => Join(and.Operands, " AND ", True),
        OrFilter or => Join(or.Operands, " OR ", False),
        NotFilter not => Node(not.Operand) switch
        {
            True => False,
            False => True,
            var operand => "NOT (" + operand + ")",
        },
        ComparisonFilter c => Comparison(c),
        InFilter i => In(i),
        LikeFilter l => Like(l),
        IsNullFilter n => IsNull(n),
        _ => throw new ModelRegistryException(ErrorCode.InvalidFilter, $"The filter node {node.GetType().Name} is not supported by the SQLite store."),
    };

    private string Join(IReadOnlyList<FilterNode> operands, string separator, string identity)
    {
        var parts = new List<string>(operands.Count);
        foreach (var operand in operands)
        {
            parts.Add(Node(operand));
        }

        if (parts.Count == 0)
        {
            return identity;
        }

        return parts.Count == 1 ? parts[0] : "(" + string.Join(separator, parts) + ")";
    }

    private string Comparison(ComparisonFilter filter)
    {
        var column = Column(filter.Field);
        var literal = column is null ? null : Literal(filter.Field, filter.Value);
        if (column is null || literal is null)
        {
            return False;
        }

        return Leaf(column, v => v + " " + Operator(filter.Operator) + " " + Param(literal));
    }

    private string In(InFilter filter)
    {
        var column = Column(filter.Field);
        var literals = new List<object>(filter.Values.Count);
        foreach (var value in filter.Values)
        {
            if (column is not null && value is not null && Literal(filter.Field, value) is { } literal)
            {
                literals.Add(literal);
            }
        }

        if (column is null || literals.Count == 0)
        {
            return False;
        }

        return Leaf(column, v =>
        {
            var sb = new StringBuilder(v).Append(" IN (");
            for (var i = 0; i < literals.Count; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ").Append(Param(literals[i]));
            }

            return sb.Append(')').ToString();
        });
    }

    private string Like(LikeFilter filter)
    {
        var column = Column(filter.Field);
        if (column is null || filter.Pattern is null || SearchFields.TypeOf(filter.Field.Field) != SearchFieldType.String)
        {
            return False;
        }

        return Leaf(column, v =>
        {
            // Arguments go in as BLOBs: Microsoft.Data.Sqlite cuts TEXT function arguments at a NUL character.
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
        });
    }

    private string IsNull(IsNullFilter filter)
    {
        var column = Column(filter.Field);
        if (column is null)
        {
            // No value at all: IS NULL holds, IS NOT NULL does not.
            return filter.Negated ? False : True;
        }

        if (column.Table is null)
        {
            if (!column.Nullable)
            {
                return filter.Negated ? True : False;
            }

            return column.Value + (filter.Negated ? " IS NOT NULL" : " IS NULL");
        }

        return (filter.Negated ? "EXISTS " : "NOT EXISTS ") + SideSelect(column, predicate: null);
    }

    /// <summary>Builds a leaf for a present value: a predicate that is 0 or 1, never NULL.</summary>
    private string Leaf(FieldSql column, Func<string, string> predicate)
    {
        if (column.Table is null)
        {
            return column.Nullable
                ? "(" + column.Value + " IS NOT NULL AND " + predicate(column.Value) + ")"
                : "(" + predicate(column.Value) + ")";
        }

        return "EXISTS " + SideSelect(column, predicate("s." + column.Value));
    }

    private string SideSelect(FieldSql column, string? predicate)
    {
        // A correlated EXISTS, not "owner IN (SELECT …)": the planner can then either probe the side table's primary
        // key from an index that already orders the page (stage, name, version), or turn it into an IN over the value
        // index when the filter is selective. An IN list always drives from the side table, which then reads a table row
        // per candidate.
        var sb = new StringBuilder("(SELECT 1 FROM ").Append(column.Table);
        var conditions = new List<string>(4) { column.SideOwner + " = " + column.Owner };
        if (column.Kind is { } kind)
        {
            conditions.Add("s.kind = " + kind.ToString(CultureInfo.InvariantCulture));
        }

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

    /// <summary>The SQL value to order by, or <see langword="null"/> when the key has no value for this target.</summary>
    private string? OrderExpression(FieldRef field)
    {
        if (SearchFields.IsCollection(field.Field))
        {
            return null;
        }

        // The reference ordering reads versions without their model: model-level keys are missing for every version.
        if (_target == SearchTarget.Versions && field.Field is SearchField.RiskTier or SearchField.Status)
        {
            return null;
        }

        var column = Column(field);
        if (column is null)
        {
            return null;
        }

        if (column.Table is null)
        {
            return column.Value;
        }

        // Keyed fields: the value for that key, NULL (lowest) when the record has none.
        var kindCondition = column.Kind is { } kind ? " AND s.kind = " + kind.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return $"(SELECT s.{column.Value} FROM {column.Table} WHERE {column.SideOwner} = {column.Owner}{kindCondition} AND s.key = {Param(column.Key!)})";
    }

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw new ModelRegistryException(ErrorCode.InvalidFilter, $"Unknown comparison operator {op}."),
    };

    /// <summary>
    /// The literal in the stored representation of the field (ticks, sort keys, enum integers), or
    /// <see langword="null"/> when its type does not fit the field, in which case it matches nothing.
    /// </summary>
    private static object? Literal(FieldRef field, FilterValue value)
    {
        var fits = (SearchFields.TypeOf(field.Field), value.Kind) switch
        {
            (SearchFieldType.String, FilterValueKind.String) => true,
            (SearchFieldType.Number, FilterValueKind.Number) => true,
            (SearchFieldType.Timestamp, FilterValueKind.Timestamp) => true,
            (SearchFieldType.Version, FilterValueKind.Version) => true,
            (SearchFieldType.Enum, FilterValueKind.Enum) => true,
            _ => false,
        };
        if (!fits)
        {
            return null;
        }

        return value.Kind switch
        {
            FilterValueKind.String => value.Text,
            FilterValueKind.Number => double.IsNaN(value.Number) ? null : value.Number,
            FilterValueKind.Timestamp => value.Timestamp.UtcTicks,
            FilterValueKind.Version => value.Version?.SortKey,
            _ => (long)value.EnumValue,
        };
    }

    /// <summary>Where a field lives. Scalar fields have <see cref="Table"/> null; collection and keyed fields live in a side table aliased <c>s</c>.</summary>
    /// <remarks><see cref="Kind"/> selects the rows of one <see cref="VersionAttribute"/> kind in the shared <c>version_attrs</c> table.</remarks>
    private sealed record FieldSql(string Value, bool Nullable, string? Table = null, string? Owner = null, string? SideOwner = null, string? Key = null, long? Kind = null);

    /// <summary>The field's SQL, or <see langword="null"/> when the field has no value for this target.</summary>
    private FieldSql? Column(FieldRef field)
    {
        if (SearchFields.IsKeyed(field.Field) && field.Key is null)
        {
            return null;
        }

        if (_target == SearchTarget.Models)
        {
            return field.Field switch
            {
                SearchField.Name => new("m.name", false),
                SearchField.Description => new("m.description", true),
                SearchField.CreatedAt => new("m.created_at", false),
                SearchField.UpdatedAt => new("m.updated_at", false),
                SearchField.RiskTier => new("m.risk_tier", false),
                SearchField.Status => new("m.status", false),
                SearchField.Owner => new("owner", false, "model_owners s", "m.id", "s.model_id"),
                SearchField.Tag => new("value", false, "model_tags s", "m.id", "s.model_id", field.Key),
                _ => null,
            };
        }

        switch (field.Field)
        {
            case SearchField.Name:
                return new("v.model_name", false);
            case SearchField.Description:
                return new("v.description", true);
            case SearchField.CreatedAt:
                return new("v.created_at", false);
            case SearchField.UpdatedAt:
                return new("v.updated_at", false);
            case SearchField.RiskTier:
                _joinModel = true;
                return new("mm.risk_tier", false);
            case SearchField.Status:
                _joinModel = true;
                return new("mm.status", false);
            case SearchField.Owner:
                // The owning model's owners, reached through its key (never NULL, so IN stays two-valued).
                return new("owner", false, "model_owners s JOIN models o ON o.id = s.model_id", "v.model_key", "o.key");
            case SearchField.Tag:
                return new("value", false, "version_attrs s", "v.id", "s.version_id", field.Key, VersionAttribute.Tag);
            case SearchField.Version:
                return new("v.sort_key", false);
            case SearchField.Stage:
                return new("v.stage", false);
            case SearchField.RunId:
                return new("v.run_id", true);
            case SearchField.Commit:
                return new("v.source_commit", true);
            case SearchField.Provider:
                return new("provider", false, "version_providers s", "v.id", "s.version_id");
            case SearchField.Metric:
                return new("value", false, "version_attrs s", "v.id", "s.version_id", field.Key, VersionAttribute.Metric);
            case SearchField.Param:
                return new("value", false, "version_attrs s", "v.id", "s.version_id", field.Key, VersionAttribute.Parameter);
            default:
                return null;
        }
    }
}
