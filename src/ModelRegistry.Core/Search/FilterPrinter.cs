using System.Text;

namespace ModelRegistry.Search;

/// <summary>Writes a filter tree back as filter text in one canonical form, which <see cref="FilterParser"/> reads back to an equal tree.</summary>
/// <remarks>
/// The canonical form uses upper-case keywords, canonical field names (<see cref="SearchFields.ToText"/>), single
/// spaces, parentheses only where precedence needs them, <c>x NOT LIKE p</c> / <c>x NOT IN (…)</c> for negated
/// <c>LIKE</c> and <c>IN</c>, numbers in round-trip form, timestamps as UTC ISO-8601
/// (<c>'2024-05-01T12:00:00Z'</c>) and enum members by name. Parsing the output gives back the tree with nested
/// <c>AND</c>/<c>OR</c> flattened and single-operand <c>AND</c>/<c>OR</c> replaced by their operand.
/// </remarks>
public static class FilterPrinter
{
    // Binding strength: an operand weaker than its context is put in parentheses.
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;

    /// <summary>Prints a filter tree.</summary>
    /// <param name="node">The tree.</param>
    /// <returns>The canonical filter text.</returns>
    /// <exception cref="ArgumentException">The tree cannot be written as filter text (an empty <c>AND</c>/<c>OR</c>, a literal of the wrong type for its field, a keyed field without key, an undefined enum member).</exception>
    public static string Print(FilterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var sb = new StringBuilder();
        Write(sb, node, OrLevel);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, FilterNode node, int context)
    {
        switch (node)
        {
            case OrFilter or:
                WriteJunction(sb, or.Operands, " OR ", OrLevel, context);
                break;
            case AndFilter and:
                WriteJunction(sb, and.Operands, " AND ", AndLevel, context);
                break;
            case NotFilter { Operand: LikeFilter like }:
                WriteLike(sb, like, negated: true);
                break;
            case NotFilter { Operand: InFilter @in }:
                WriteIn(sb, @in, negated: true);
                break;
            case NotFilter not:
                sb.Append("NOT ");
                Write(sb, not.Operand ?? throw new ArgumentException("A NOT node has no operand.", nameof(node)), NotLevel);
                break;
            case ComparisonFilter comparison:
                WriteField(sb, comparison.Field);
                sb.Append(' ').Append(OperatorText(comparison.Operator)).Append(' ')
                  .Append(SearchSyntax.FormatLiteral(comparison.Field, comparison.Value));
                break;
            case LikeFilter like:
                WriteLike(sb, like, negated: false);
                break;
            case InFilter @in:
                WriteIn(sb, @in, negated: false);
                break;
            case IsNullFilter isNull:
                WriteField(sb, isNull.Field);
                sb.Append(isNull.Negated ? " IS NOT NULL" : " IS NULL");
                break;
            default:
                throw new ArgumentException($"Cannot print a filter node of type {node?.GetType().Name ?? "null"}.", nameof(node));
        }
    }

    private static void WriteJunction(StringBuilder sb, IReadOnlyList<FilterNode> operands, string separator, int level, int context)
    {
        if (operands is null || operands.Count == 0)
        {
            throw new ArgumentException("AND and OR nodes need at least one operand.", nameof(operands));
        }

        if (operands.Count == 1)
        {
            Write(sb, operands[0], context);
            return;
        }

        var parenthesize = level < context;
        if (parenthesize)
        {
            sb.Append('(');
        }

        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(separator);
            }

            // Same-kind children need no parentheses: the parser flattens them into this node anyway.
            Write(sb, operands[i], level);
        }

        if (parenthesize)
        {
            sb.Append(')');
        }
    }

    private static void WriteLike(StringBuilder sb, LikeFilter like, bool negated)
    {
        WriteField(sb, like.Field);
        if (SearchFields.TypeOf(like.Field.Field) != SearchFieldType.String)
        {
            throw new ArgumentException($"LIKE applies only to text fields, not to '{like.Field}'.", nameof(like));
        }

        if (like.Pattern is null || LikePattern.HasDanglingEscape(like.Pattern))
        {
            throw new ArgumentException($"The LIKE pattern for '{like.Field}' is missing or ends with a lone escape character.", nameof(like));
        }

        sb.Append(negated ? " NOT " : " ").Append(like.CaseInsensitive ? "ILIKE " : "LIKE ").Append(SearchSyntax.Quote(like.Pattern));
    }

    private static void WriteIn(StringBuilder sb, InFilter @in, bool negated)
    {
        WriteField(sb, @in.Field);
        if (@in.Values is null || @in.Values.Count == 0)
        {
            throw new ArgumentException($"The IN list for '{@in.Field}' is empty.", nameof(@in));
        }

        sb.Append(negated ? " NOT IN (" : " IN (");
        for (var i = 0; i < @in.Values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(SearchSyntax.FormatLiteral(@in.Field, @in.Values[i]));
        }

        sb.Append(')');
    }

    private static void WriteField(StringBuilder sb, FieldRef field)
    {
        SearchSyntax.ValidateFieldRef(field);
        sb.Append(SearchFields.ToText(field));
    }

    private static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw new ArgumentException($"{(int)op} is not a comparison operator.", nameof(op)),
    };
}
