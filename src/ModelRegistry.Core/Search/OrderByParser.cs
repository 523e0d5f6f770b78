using System.Text;
using ModelRegistry.Internal;

namespace ModelRegistry.Search;

/// <summary>Parses an ordering such as <c>created_at DESC, name</c> into sort keys.</summary>
/// <remarks>
/// A comma-separated list of <c>field [ASC|DESC]</c> (ascending by default; keywords and field names
/// case-insensitive). Only orderable fields (<see cref="SearchFields.IsOrderable"/>) that apply to the target may be
/// used; version searches cannot be ordered by the owning model's <c>risk_tier</c> or <c>status</c>. A field may
/// appear once. Missing values sort lowest: first when ascending, last when descending. Errors are
/// <see cref="FilterSyntaxException"/>s with the position and token.
/// </remarks>
public static class OrderByParser
{
    private const string Language = "order_by";

    /// <summary>Parses an ordering.</summary>
    /// <param name="text">For example <c>created_at DESC, name</c>.</param>
    /// <param name="target">Whether models or versions are ordered.</param>
    /// <returns>The sort keys in order; empty when <paramref name="text"/> is null, empty or whitespace.</returns>
    /// <exception cref="FilterSyntaxException">The text is not a valid ordering for the target.</exception>
    public static IReadOnlyList<SortKey> Parse(string? text, SearchTarget target)
    {
        Guard.Defined(target);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var lexer = new FilterLexer(text, Language);
        var keys = new List<SortKey>();
        var token = lexer.Next();
        while (true)
        {
            if (token.Kind != TokenKind.Word || (token.Key is null && FilterLexer.IsReserved(token.Value!)))
            {
                throw Expected("a field name", token);
            }

            var field = SearchSyntax.ResolveField(token, target, Language);
            if (!SearchFields.IsOrderable(field.Field))
            {
                throw new FilterSyntaxException(
                    $"Results cannot be ordered by '{token.Display}' (position {token.Position}): it has several values per item.",
                    token.Position,
                    token.Display);
            }

            if (target == SearchTarget.Versions && field.Field is SearchField.RiskTier or SearchField.Status)
            {
                throw new FilterSyntaxException(
                    $"Versions cannot be ordered by the model's '{token.Display}' (position {token.Position}); filter on it instead, or search models.",
                    token.Position,
                    token.Display);
            }

            if (keys.Exists(k => k.Field == field))
            {
                throw new FilterSyntaxException(
                    $"The field '{token.Display}' at position {token.Position} appears twice in the order_by; list each field once.",
                    token.Position,
                    token.Display);
            }

            token = lexer.Next();
            var descending = false;
            var directionGiven = token.IsKeyword("DESC") || token.IsKeyword("ASC");
            if (directionGiven)
            {
                descending = token.IsKeyword("DESC");
                token = lexer.Next();
            }

            keys.Add(new SortKey(field, descending));
            if (token.Kind == TokenKind.End)
            {
                return keys;
            }

            if (token.Kind != TokenKind.Comma)
            {
                throw Expected(directionGiven ? "',' or the end of the order_by" : "ASC, DESC, ',' or the end of the order_by", token);
            }

            token = lexer.Next();
        }
    }

    /// <summary>The canonical text of an ordering, such as <c>created_at DESC, name ASC</c>.</summary>
    /// <param name="order">The sort keys.</param>
    /// <returns>The text.</returns>
    internal static string Print(IReadOnlyList<SortKey> order)
    {
        var sb = new StringBuilder();
        foreach (var key in order)
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(SearchFields.ToText(key.Field)).Append(key.Descending ? " DESC" : " ASC");
        }

        return sb.ToString();
    }

    private static FilterSyntaxException Expected(string what, Token found)
        => new($"Expected {what} at position {found.Position} of the order_by, but found {SearchSyntax.Found(found, Language)}.", found.Position, found.Display);
}
