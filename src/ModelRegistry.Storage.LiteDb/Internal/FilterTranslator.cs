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
/// every string, false for null). Collections use <c>ANY</c>; keyed fields (tags, metrics, parameters) are flat arrays
/// of <c>length:key + value</c> entries compared with ranges (see <see cref="RecordDocuments"/>), so a missing key has
/// no entry and every <c>ANY</c> is false. No expression nests a parameter inside an array filter: LiteDB's expression
/// cache would keep the first query's value there.
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
                return Presence(isNull.Field, present: isNull.Negated);

            case ComparisonFilter comparison:
            {
                var spec = SpecOf(comparison.Field);
                var value = spec is null ? null : Literal(spec.Value, comparison.Value);
                if (spec is null || value is null)
                {
                    // The field does not apply, or the literal's type does not fit it: the reference never matches.
                    return (False, true);
                }

                var s = spec.Value;
                var reliable = Reliable(comparison.Value, comparison.Operator);
                if (s.Shape == Shape.Keyed)
                {
                    return KeyedComparison(s, comparison.Field.Key, comparison.Operator, value, reliable);
                }

                if (!reliable)
                {
                    return (True, false);
                }

                var op = Operator(comparison.Operator);
                var p = Parameter(value);
                Condition condition = s.Shape switch
                {
                    Shape.Required => new Predicate($"{s.Path} {op} {p}"),
                    Shape.Optional when comparison.Operator is ComparisonOperator.Equal or ComparisonOperator.GreaterThan or ComparisonOperator.GreaterThanOrEqual
                        => new Predicate($"{s.Path} {op} {p}"),
                    Shape.Optional => And([IsString(s.Path), new Predicate($"{s.Path} {op} {p}")]),
                    _ => new Predicate($"{s.Path}[*] ANY {op} {p}"),
                };
                return (condition, true);
            }

            case InFilter @in:
            {
                var spec = SpecOf(@in.Field);
                if (spec is null)
                {
                    return (False, true);
                }

                var s = spec.Value;
                var values = new BsonArray();
                var exact = true;
                foreach (var literal in @in.Values)
                {
                    if (Literal(s, literal) is { } value)
                    {
                        values.Add(value);
                        exact &= Reliable(literal, ComparisonOperator.Equal);
                    }
                }

                if (values.Count == 0)
                {
                    return (False, true);
                }

                if (s.Shape == Shape.Keyed)
                {
                    return KeyedIn(s, @in.Field.Key, values, exact);
                }

                if (!exact)
                {
                    return (True, false);
                }

                if (s.Shape == Shape.Collection)
                {
                    return (new Predicate($"{s.Path}[*] ANY IN {Parameter(values)}"), true);
                }

                // Equalities, not IN: LiteDB's IN lookup on an index yields rows in the order of the IN list, yet the
                // planner skips sorting when the ORDER BY is that index (name IN (...) ORDER BY name came back unsorted).
                return (Or(values.Select(v => (Condition)new Predicate($"{s.Path} = {Parameter(v)}"))), true);
            }

            case LikeFilter like:
            {
                var spec = SpecOf(like.Field);
                if (spec is null || spec.Value.Type != SearchFieldType.String || like.Pattern is null)
                {
                    return (False, true);
                }

                var s = spec.Value;
                if (s.Shape == Shape.Keyed)
                {
                    // Superset: the key is present.
                    return (KeyPresence(s, like.Field.Key).Condition, false);
                }

                // Superset: the value is a string that starts with the pattern's literal prefix (LIKE only).
                var prefix = like.CaseInsensitive ? string.Empty : LiteralPrefix(like.Pattern);
                var p = Parameter(prefix);
                Condition condition = s.Shape switch
                {
                    Shape.Collection => new Predicate($"{s.Path}[*] ANY >= {p}"),
                    _ => UpperBound(prefix) is { } upper
                        ? And([new Predicate($"{s.Path} >= {p}"), new Predicate($"{s.Path} < {Parameter(upper)}")])
                        : new Predicate($"{s.Path} >= {p}"),
                };
                return (condition, false);
            }

            default:
                throw new ModelRegistryException(ErrorCode.InvalidFilter, $"The LiteDB store cannot translate a {node.GetType().Name} filter node.");
        }
    }

    /// <summary><c>IS NOT NULL</c> when <paramref name="present"/>, else <c>IS NULL</c>.</summary>
    private (Condition Condition, bool Exact) Presence(FieldRef field, bool present)
    {
        var spec = SpecOf(field);
        if (spec is null)
        {
            return (new Const(!present), true);
        }

        var s = spec.Value;
        switch (s.Shape)
        {
            case Shape.Required:
                return (new Const(present), true);
            case Shape.Optional:
                return (new Predicate(present ? $"{s.Path} != null" : $"{s.Path} = null"), true);
            case Shape.Collection:
                return (new Predicate(present ? $"LENGTH({s.Path}) > 0" : $"LENGTH({s.Path}) = 0"), true);
            default:
                var (has, exact) = KeyPresence(s, field.Key);
                return present || exact ? (present ? has : Not(has), exact) : (True, false);
        }
    }

    /// <summary>
    /// Whether a keyed field has the key: exact, or a superset when the key is too long to be stored whole, or
    /// <see langword="true"/> when LiteDB may have stored the key differently (lone surrogates become U+FFFD).
    /// </summary>
    private (Condition Condition, bool Exact) KeyPresence(FieldSpec spec, string? key)
    {
        if (key is null)
        {
            return (False, true);
        }

        var prefix = RecordDocuments.KeyPrefix(key);
        if (Suspicious(prefix))
        {
            return (True, false);
        }

        return (new Predicate($"{spec.Keys}[*] ANY = {Parameter(RecordDocuments.Truncate(prefix))}"), StoredWhole(prefix));
    }

    /// <summary>
    /// A comparison on a keyed field. Entries are <c>P + value</c> with <c>P = length:key</c>; every entry between
    /// <c>P</c> and <c>P + v</c> belongs to the key, and a document has at most one entry per key, so
    /// <c>value &lt; v</c> is <c>ANY BETWEEN P AND P+v</c> without <c>ANY = P+v</c>. Numbers use an order-preserving
    /// fixed-width hex form, so <c>P + 'g'</c> bounds them from above.
    /// </summary>
    private (Condition Condition, bool Exact) KeyedComparison(FieldSpec spec, string? key, ComparisonOperator op, BsonValue value, bool literalReliable)
    {
        if (key is null)
        {
            return (False, true);
        }

        var (present, presenceExact) = KeyPresence(spec, key);
        var prefix = RecordDocuments.KeyPrefix(key);
        var encoded = prefix + (spec.Type == SearchFieldType.Number ? RecordDocuments.EncodeNumber(value.AsDouble) : value.AsString);
        if (!presenceExact || !literalReliable || !StoredWhole(encoded))
        {
            // Any comparison on a keyed field needs the key: presence is a superset.
            return (present, false);
        }

        var entries = spec.Entries + "[*]";
        var pv = Parameter(encoded);
        var equal = new Predicate($"{entries} ANY = {pv}");
        switch (op)
        {
            case ComparisonOperator.Equal:
                return (equal, true);
            case ComparisonOperator.NotEqual:
                return (And([present, Not(equal)]), true);
            case ComparisonOperator.LessThan:
            case ComparisonOperator.LessThanOrEqual:
            {
                var range = new Predicate($"{entries} ANY BETWEEN {Parameter(prefix)} AND {pv}");
                return (op == ComparisonOperator.LessThan ? And([range, Not(equal)]) : range, true);
            }

            default:
            {
                if (spec.Type == SearchFieldType.Number)
                {
                    // Hex digits are below 'g', so P + 'g' is above every number of the key and no other key's entry.
                    var range = new Predicate($"{entries} ANY BETWEEN {pv} AND {Parameter(prefix + "g")}");
                    return (op == ComparisonOperator.GreaterThan ? And([range, Not(equal)]) : range, true);
                }

                // Strings: up to the next prefix. Another key's entry can equal that bound, so this is a superset.
                return UpperBound(prefix) is { } upper
                    ? (new Predicate($"{entries} ANY BETWEEN {pv} AND {Parameter(upper)}"), false)
                    : (present, false);
            }
        }
    }

    private (Condition Condition, bool Exact) KeyedIn(FieldSpec spec, string? key, BsonArray values, bool literalsReliable)
    {
        if (key is null)
        {
            return (False, true);
        }

        var (present, presenceExact) = KeyPresence(spec, key);
        var prefix = RecordDocuments.KeyPrefix(key);
        var entries = new BsonArray(values.Select(v => new BsonValue(prefix + (spec.Type == SearchFieldType.Number ? RecordDocuments.EncodeNumber(v.AsDouble) : v.AsString))));
        if (!presenceExact || !literalsReliable || entries.Any(e => !StoredWhole(e.AsString)))
        {
            return (present, false);
        }

        return (new Predicate($"{spec.Entries}[*] ANY IN {Parameter(entries)}"), true);
    }

    /// <summary>Whether an entry this long is stored untruncated and cannot equal a truncated one.</summary>
    private static bool StoredWhole(string entry) => entry.Length < RecordDocuments.MaxIndexedChars - 1;

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
            SearchField.Tag => Keyed(RecordDocuments.TagKeys, RecordDocuments.TagEntries, SearchFieldType.String),
            SearchField.Version when forVersions => new(FieldPath(RecordDocuments.Version), Shape.Required, SearchFieldType.Version),
            SearchField.Stage when forVersions => new(FieldPath(RecordDocuments.Stage), Shape.Required, SearchFieldType.Enum),
            SearchField.Provider when forVersions => new(FieldPath(RecordDocuments.Providers), Shape.Collection, SearchFieldType.String),
            SearchField.RunId when forVersions => new(FieldPath(RecordDocuments.RunId), Shape.Optional, SearchFieldType.String),
            SearchField.Commit when forVersions => new(FieldPath(RecordDocuments.Commit), Shape.Optional, SearchFieldType.String),
            SearchField.Metric when forVersions => Keyed(RecordDocuments.MetricKeys, RecordDocuments.MetricEntries, SearchFieldType.Number),
            SearchField.Param when forVersions => Keyed(RecordDocuments.ParamKeys, RecordDocuments.ParamEntries, SearchFieldType.String),
            _ => null,
        };
    }

    private static FieldSpec Keyed(string keys, string entries, SearchFieldType type)
        => new(string.Empty, Shape.Keyed, type, FieldPath(keys), FieldPath(entries));

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
    /// Whether LiteDB evaluates a comparison with this literal exactly as the reference does. LiteDB compares UTF-16
    /// units where the reference compares code points, which orders differently only when a character at or above U+D800
    /// is involved (and a literal without one compares the same either way); and LiteDB stores a lone surrogate as U+FFFD,
    /// which can only change equality for literals holding a surrogate or U+FFFD. An unreliable leaf is left to the exact
    /// in-memory check (<see langword="true"/> in the expression), never approximated in a direction that could lose a match.
    /// </summary>
    private static bool Reliable(FilterValue literal, ComparisonOperator op)
    {
        if (literal.Kind != FilterValueKind.String || literal.Text is not { } text)
        {
            return true;
        }

        return op is ComparisonOperator.Equal or ComparisonOperator.NotEqual ? !Suspicious(text) : !HasHighCharacters(text);
    }

    /// <summary>Whether the text holds a lone surrogate or U+FFFD, whose stored form may differ from the record's.</summary>
    private static bool Suspicious(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || c == '\uFFFD')
            {
                return true;
            }
        }

        return false;
    }

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

    private static readonly Const True = new(true);

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

        /// <summary>Key and entry arrays (tags, metrics, parameters); see <see cref="RecordDocuments"/>.</summary>
        Keyed,
    }

    /// <summary>How a field is stored: its path, or for keyed fields the paths of the key and entry arrays.</summary>
    private readonly record struct FieldSpec(string Path, Shape Shape, SearchFieldType Type, string Keys = "", string Entries = "");

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
