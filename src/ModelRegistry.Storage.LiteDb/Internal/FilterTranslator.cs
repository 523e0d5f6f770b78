using System.Globalization;
using LiteDB;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// Translates a filter tree into a LiteDB <see cref="BsonExpression"/> whose user values are all parameters
/// (<c>@p0</c>, <c>@p1</c>, …); no user text is ever part of the expression source.
/// </summary>
/// <remarks>
/// <para>
/// The translation is exact wherever LiteDB can express the reference semantics (<c>FilterEvaluator</c>) and a
/// <em>superset</em> where it cannot: <c>LIKE</c>/<c>ILIKE</c> (LiteDB's own <c>LIKE</c> backtracks wrongly and has no
/// escape character) and string literals with characters at or above U+D800 (LiteDB compares UTF-16 units, the
/// reference compares code points, and it stores lone surrogates as U+FFFD). Under <c>NOT</c> the translation asks
/// its operand for a <em>subset</em> instead, so the whole expression is always a superset of the exact result. The
/// store then applies the reference evaluator to every candidate, so results and limits are exact.
/// </para>
/// <para>
/// Two-valued logic: LiteDB orders <c>null</c> below every string, so <c>description &lt; 'x'</c> would match a
/// missing description; comparisons on optional fields are therefore guarded with <c>field &gt;= ''</c> (true for
/// every string, false for null). Collections use <c>ANY</c>; keyed fields (tags, metrics, parameters) are arrays of
/// <c>{k, v}</c> filtered by a key parameter, so a missing key yields no element and every <c>ANY</c> is false.
/// </para>
/// </remarks>
internal sealed class FilterTranslator
{
    private readonly SearchTarget _target;
    private readonly BsonDocument _parameters = [];

    private FilterTranslator(SearchTarget target) => _target = target;

    /// <summary>Translates a filter for a search target.</summary>
    public static FilterTranslation Translate(FilterNode? filter, SearchTarget target)
    {
        if (filter is null)
        {
            return new FilterTranslation(null, false, []);
        }

        var translator = new FilterTranslator(target);
        var condition = translator.Translate(filter, superset: true);
        return condition switch
        {
            Const { Value: false } => new FilterTranslation(null, true, []),
            Const { Value: true } => new FilterTranslation(null, false, []),
            _ => new FilterTranslation(BsonExpression.Create(Render(condition), translator._parameters), false, translator._parameters),
        };
    }

    private Condition Translate(FilterNode node, bool superset) => node switch
    {
        AndFilter and => And(and.Operands.Select(o => Translate(o, superset))),
        OrFilter or => Or(or.Operands.Select(o => Translate(o, superset))),
        NotFilter not => Not(Translate(not.Operand, !superset)),
        _ => Leaf(node) is var (condition, exact) && (exact || superset) ? condition : False,
    };

    /// <summary>A leaf's condition and whether it is exact (otherwise it is a superset of the exact result).</summary>
    private (Condition Condition, bool Exact) Leaf(FilterNode node)
    {
        switch (node)
        {
            case IsNullFilter isNull:
                return (Presence(isNull.Field, present: isNull.Negated), true);

            case ComparisonFilter comparison:
            {
                var spec = SpecOf(comparison.Field);
                var value = spec is null ? null : Literal(spec.Value, comparison.Value);
                if (spec is null || value is null)
                {
                    // The field does not apply, or the literal's type does not fit it: the reference never matches.
                    return (False, true);
                }

                var exact = !NeedsExactCheck(comparison.Value);
                var op = Operator(comparison.Operator);
                var p = Parameter(value);
                var s = spec.Value;
                Condition condition = s.Shape switch
                {
                    Shape.Required => new Predicate($"{s.Path} {op} {p}"),
                    Shape.Optional when comparison.Operator is ComparisonOperator.Equal or ComparisonOperator.GreaterThan or ComparisonOperator.GreaterThanOrEqual
                        => new Predicate($"{s.Path} {op} {p}"),
                    Shape.Optional => And([IsString(s.Path), new Predicate($"{s.Path} {op} {p}")]),
                    Shape.Collection => new Predicate($"{s.Path}[*] ANY {op} {p}"),
                    _ => Keyed(s, comparison.Field.Key, $"ANY {op} {p}"),
                };

                if (s.Shape == Shape.Keyed && comparison.Field.Field == SearchField.Tag && comparison.Operator == ComparisonOperator.Equal && comparison.Field.Key is { } key)
                {
                    // The tag index holds key and value as one string: lets LiteDB seek instead of scanning.
                    condition = And([new Predicate($"$.{RecordDocuments.TagIndex}[*] ANY = {Parameter(RecordDocuments.TagIndexKey(key, value.AsString))}"), condition]);
                }

                return (condition, exact);
            }

            case InFilter @in:
            {
                var spec = SpecOf(@in.Field);
                if (spec is null)
                {
                    return (False, true);
                }

                var values = new BsonArray();
                var exact = true;
                foreach (var literal in @in.Values)
                {
                    if (Literal(spec.Value, literal) is { } value)
                    {
                        values.Add(value);
                        exact &= !NeedsExactCheck(literal);
                    }
                }

                if (values.Count == 0)
                {
                    return (False, true);
                }

                var s = spec.Value;
                var p = Parameter(values);
                Condition condition = s.Shape switch
                {
                    Shape.Required or Shape.Optional => new Predicate($"{s.Path} IN {p}"),
                    Shape.Collection => new Predicate($"{s.Path}[*] ANY IN {p}"),
                    _ => Keyed(s, @in.Field.Key, $"ANY IN {p}"),
                };
                return (condition, exact);
            }

            case LikeFilter like:
            {
                var spec = SpecOf(like.Field);
                if (spec is null || spec.Value.Type != SearchFieldType.String || like.Pattern is null)
                {
                    return (False, true);
                }

                // Superset: the value is a string that starts with the pattern's literal prefix (LIKE only).
                var s = spec.Value;
                var prefix = like.CaseInsensitive ? string.Empty : LiteralPrefix(like.Pattern);
                var p = Parameter(prefix);
                Condition condition = s.Shape switch
                {
                    Shape.Required or Shape.Optional => UpperBound(prefix) is { } upper
                        ? And([new Predicate($"{s.Path} >= {p}"), new Predicate($"{s.Path} < {Parameter(upper)}")])
                        : new Predicate($"{s.Path} >= {p}"),
                    Shape.Collection => new Predicate($"{s.Path}[*] ANY >= {p}"),
                    _ => Keyed(s, like.Field.Key, $"ANY >= {p}"),
                };
                return (condition, false);
            }

            default:
                throw new ModelRegistryException(ErrorCode.InvalidFilter, $"The LiteDB store cannot translate a {node.GetType().Name} filter node.");
        }
    }

    /// <summary><c>IS NOT NULL</c> when <paramref name="present"/>, else <c>IS NULL</c>.</summary>
    private Condition Presence(FieldRef field, bool present)
    {
        var spec = SpecOf(field);
        if (spec is null)
        {
            return new Const(!present);
        }

        var s = spec.Value;
        switch (s.Shape)
        {
            case Shape.Required:
                return new Const(present);
            case Shape.Optional:
                return new Predicate(present ? $"{s.Path} != null" : $"{s.Path} = null");
            case Shape.Collection:
                return new Predicate(present ? $"LENGTH({s.Path}) > 0" : $"LENGTH({s.Path}) = 0");
            default:
                if (field.Key is null)
                {
                    return new Const(!present);
                }

                var has = new Predicate($"{s.Path}[*].{RecordDocuments.Key} ANY = {Parameter(field.Key)}");
                return present ? has : Not(has);
        }
    }

    private Condition Keyed(FieldSpec spec, string? key, string test)
        => key is null
            ? False
            : new Predicate($"{spec.Path}[@.{RecordDocuments.Key} = {Parameter(key)}].{RecordDocuments.Value} {test}");

    private static Predicate IsString(string path) => new($"{path} >= \"\"");

    private string Parameter(BsonValue value)
    {
        var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters[name] = value;
        return "@" + name;
    }

    private FieldSpec? SpecOf(FieldRef field)
    {
        var forVersions = _target == SearchTarget.Versions;
        return field.Field switch
        {
            SearchField.Name => new(FieldPath(RecordDocuments.Name), Shape.Required, SearchFieldType.String),
            SearchField.Description => new(FieldPath(RecordDocuments.Description), Shape.Optional, SearchFieldType.String),
            SearchField.Owner => new(FieldPath(RecordDocuments.Owners), Shape.Collection, SearchFieldType.String),
            SearchField.RiskTier => new(FieldPath(RecordDocuments.RiskTier), Shape.Required, SearchFieldType.Enum),
            SearchField.Status => new(FieldPath(RecordDocuments.Status), Shape.Required, SearchFieldType.Enum),
            SearchField.CreatedAt => new(FieldPath(RecordDocuments.CreatedAt), Shape.Required, SearchFieldType.Timestamp),
            SearchField.UpdatedAt => new(FieldPath(RecordDocuments.UpdatedAt), Shape.Required, SearchFieldType.Timestamp),
            SearchField.Tag => new(FieldPath(RecordDocuments.Tags), Shape.Keyed, SearchFieldType.String),
            SearchField.Version when forVersions => new(FieldPath(RecordDocuments.Version), Shape.Required, SearchFieldType.Version),
            SearchField.Stage when forVersions => new(FieldPath(RecordDocuments.Stage), Shape.Required, SearchFieldType.Enum),
            SearchField.Provider when forVersions => new(FieldPath(RecordDocuments.Providers), Shape.Collection, SearchFieldType.String),
            SearchField.RunId when forVersions => new(FieldPath(RecordDocuments.RunId), Shape.Optional, SearchFieldType.String),
            SearchField.Commit when forVersions => new(FieldPath(RecordDocuments.Commit), Shape.Optional, SearchFieldType.String),
            SearchField.Metric when forVersions => new(FieldPath(RecordDocuments.Metrics), Shape.Keyed, SearchFieldType.Number),
            SearchField.Param when forVersions => new(FieldPath(RecordDocuments.Params), Shape.Keyed, SearchFieldType.String),
            _ => null,
        };
    }

    internal static string FieldPath(string field) => "$." + field;

    /// <summary>The literal as stored in documents, or <see langword="null"/> when its type does not fit the field.</summary>
    private static BsonValue? Literal(FieldSpec spec, FilterValue literal) => (spec.Type, literal.Kind) switch
    {
        (SearchFieldType.String, FilterValueKind.String) when literal.Text is not null => new BsonValue(literal.Text),
        (SearchFieldType.Number, FilterValueKind.Number) => new BsonValue(literal.Number),
        (SearchFieldType.Timestamp, FilterValueKind.Timestamp) => new BsonValue(literal.Timestamp.UtcTicks),
        (SearchFieldType.Version, FilterValueKind.Version) when literal.Version is not null => new BsonValue(literal.Version.SortKey),
        (SearchFieldType.Enum, FilterValueKind.Enum) => new BsonValue(literal.EnumValue),
        _ => null,
    };

    /// <summary>
    /// Strings with a character at or above U+D800 compare differently in LiteDB (UTF-16 units, lone surrogates stored
    /// as U+FFFD) than in the reference (code points); such predicates are left to the exact in-memory check.
    /// </summary>
    private static bool NeedsExactCheck(FilterValue literal)
        => literal.Kind == FilterValueKind.String && literal.Text is { } text && HasHighCharacters(text);

    private static bool HasHighCharacters(string text)
    {
        foreach (var c in text)
        {
            if (c >= '\uD800')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The characters before the first unescaped wildcard, unescaped; empty when it contains characters LiteDB orders differently.</summary>
    internal static string LiteralPrefix(string pattern)
    {
        var prefix = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c is '%' or '_')
            {
                break;
            }

            if (c == '\\' && i + 1 < pattern.Length)
            {
                c = pattern[++i];
            }

            prefix.Append(c);
        }

        var text = prefix.ToString();
        return HasHighCharacters(text) ? string.Empty : text;
    }

    /// <summary>The smallest string above every string that starts with <paramref name="prefix"/> (ordinal), if simple to form.</summary>
    private static string? UpperBound(string prefix)
        => prefix.Length == 0 || prefix[^1] >= '\uD7FF' ? null : prefix[..^1] + (char)(prefix[^1] + 1);

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw new ModelRegistryException(ErrorCode.InvalidFilter, $"Unknown comparison operator {op}."),
    };

    private static readonly Const False = new(false);

    private static Condition And(IEnumerable<Condition> operands)
    {
        var items = new List<Condition>();
        foreach (var operand in operands)
        {
            switch (operand)
            {
                case Const { Value: false }:
                    return False;
                case Const { Value: true }:
                    continue;
                case All all:
                    items.AddRange(all.Items);
                    break;
                default:
                    items.Add(operand);
                    break;
            }
        }

        return items.Count switch
        {
            0 => new Const(true),
            1 => items[0],
            _ => new All(items),
        };
    }

    private static Condition Or(IEnumerable<Condition> operands)
    {
        var items = new List<Condition>();
        foreach (var operand in operands)
        {
            switch (operand)
            {
                case Const { Value: true }:
                    return new Const(true);
                case Const { Value: false }:
                    continue;
                case AnyOf any:
                    items.AddRange(any.Items);
                    break;
                default:
                    items.Add(operand);
                    break;
            }
        }

        return items.Count switch
        {
            0 => False,
            1 => items[0],
            _ => new AnyOf(items),
        };
    }

    private static Condition Not(Condition operand) => operand switch
    {
        Const c => new Const(!c.Value),
        Negation n => n.Operand,
        _ => new Negation(operand),
    };

    /// <summary>
    /// Renders a condition. LiteDB has no <c>NOT</c> operator, so negation is <c>(x) = false</c>; every node is
    /// parenthesised so precedence never matters.
    /// </summary>
    private static string Render(Condition condition) => condition switch
    {
        Predicate p => p.Text,
        All all => "(" + string.Join(" AND ", all.Items.Select(Render)) + ")",
        AnyOf any => "(" + string.Join(" OR ", any.Items.Select(Render)) + ")",
        Negation n => "((" + Render(n.Operand) + ") = false)",
        Const c => c.Value ? "(1 = 1)" : "(1 = 0)",
        _ => throw new InvalidOperationException("Unknown condition."),
    };

    private enum Shape
    {
        /// <summary>Always present (name, enums, timestamps, version).</summary>
        Required,

        /// <summary>A string that may be missing (description, run id, commit).</summary>
        Optional,

        /// <summary>An array of strings (owners, providers).</summary>
        Collection,

        /// <summary>An array of <c>{k, v}</c> (tags, metrics, parameters).</summary>
        Keyed,
    }

    private readonly record struct FieldSpec(string Path, Shape Shape, SearchFieldType Type);

    private abstract record Condition;

    private sealed record Const(bool Value) : Condition;

    private sealed record Predicate(string Text) : Condition;

    private sealed record All(IReadOnlyList<Condition> Items) : Condition;

    private sealed record AnyOf(IReadOnlyList<Condition> Items) : Condition;

    private sealed record Negation(Condition Operand) : Condition;
}

/// <summary>The result of translating a filter.</summary>
/// <param name="Where">The expression, or <see langword="null"/> when every document is a candidate.</param>
/// <param name="MatchesNothing">Whether no document can match (the query need not run).</param>
/// <param name="Parameters">The parameter values, for tests and diagnostics.</param>
internal sealed record FilterTranslation(BsonExpression? Where, bool MatchesNothing, BsonDocument Parameters);
