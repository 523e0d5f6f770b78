using ModelRegistry.Internal;

namespace ModelRegistry.Search;

/// <summary>
/// Parses the search filter language into a <see cref="FilterNode"/> tree, validating fields and literal types
/// against the search target.
/// </summary>
/// <remarks>
/// <para>
/// Grammar (keywords and field names are case-insensitive; <c>NOT</c> binds tighter than <c>AND</c>, which binds
/// tighter than <c>OR</c>):
/// </para>
/// <code>
/// filter    := or
/// or        := and ( OR and )*
/// and       := unary ( AND unary )*
/// unary     := NOT unary | '(' or ')' | predicate
/// predicate := field ( '=' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' ) literal
///            | field [NOT] ( LIKE | ILIKE ) string
///            | field [NOT] IN '(' literal ( ',' literal )* ')'
///            | field IS [NOT] NULL
/// field     := name | ( tags | metrics | params ) '.' ( bare-key | '`' quoted-key '`' )
/// literal   := string | number
/// </code>
/// <para>
/// Strings are in single quotes (<c>''</c> for a quote); numbers are decimal with an optional sign, fraction and
/// exponent. Bare keys are letters, digits, <c>_</c>, <c>-</c> and <c>.</c>; other keys go in backquotes
/// (<c>``</c> for a backquote). Literals are converted to the field's type: timestamps from ISO-8601 strings (a date
/// alone is UTC midnight, a time without offset is UTC), versions from SemVer strings, enum fields from member names.
/// <c>x NOT LIKE p</c>, <c>x NOT ILIKE p</c> and <c>x NOT IN (…)</c> are written as <see cref="NotFilter"/>. Nested
/// <c>AND</c> and <c>OR</c> are flattened into one node.
/// </para>
/// <para>
/// Limits: 10,000 characters, 64 levels of parentheses and <c>NOT</c>, 1,000 values per <c>IN</c> list. Every
/// problem, including exceeding a limit, is reported as a <see cref="FilterSyntaxException"/> with the position and
/// token.
/// </para>
/// </remarks>
public static class FilterParser
{
    /// <summary>How deeply parentheses and <c>NOT</c> may nest.</summary>
    internal const int MaxDepth = 64;

    /// <summary>How many values an <c>IN</c> list may hold.</summary>
    internal const int MaxInValues = 1_000;

    private const string Language = "filter";

    /// <summary>Parses a filter expression.</summary>
    /// <param name="text">The filter, for example <c>name LIKE 'fraud%' AND tags.team = 'risk'</c>.</param>
    /// <param name="target">Whether models or versions are searched; decides which fields are allowed.</param>
    /// <returns>The filter tree, or <see langword="null"/> when <paramref name="text"/> is null, empty or whitespace (match everything).</returns>
    /// <exception cref="FilterSyntaxException">The text is not a valid filter for the target.</exception>
    public static FilterNode? Parse(string? text, SearchTarget target)
    {
        Guard.Defined(target);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return new Parser(text, target).ParseFilter();
    }

    private sealed class Parser(string text, SearchTarget target)
    {
        private readonly FilterLexer _lexer = new(text, Language);
        private Token _current;
        private int _depth;

        public FilterNode ParseFilter()
        {
            Advance();
            var result = ParseOr();
            if (_current.Kind != TokenKind.End)
            {
                throw Expected("AND, OR or the end of the filter", _current);
            }

            return result;
        }

        private void Advance() => _current = _lexer.Next();

        private FilterNode ParseOr()
        {
            var first = ParseAnd();
            if (!_current.IsKeyword("OR"))
            {
                return first;
            }

            var operands = new List<FilterNode>();
            AddFlattened(operands, first);
            while (_current.IsKeyword("OR"))
            {
                Advance();
                AddFlattened(operands, ParseAnd());
            }

            return new OrFilter(operands);

            static void AddFlattened(List<FilterNode> list, FilterNode node)
            {
                if (node is OrFilter or)
                {
                    list.AddRange(or.Operands);
                }
                else
                {
                    list.Add(node);
                }
            }
        }

        private FilterNode ParseAnd()
        {
            var first = ParseUnary();
            if (!_current.IsKeyword("AND"))
            {
                return first;
            }

            var operands = new List<FilterNode>();
            AddFlattened(operands, first);
            while (_current.IsKeyword("AND"))
            {
                Advance();
                AddFlattened(operands, ParseUnary());
            }

            return new AndFilter(operands);

            static void AddFlattened(List<FilterNode> list, FilterNode node)
            {
                if (node is AndFilter and)
                {
                    list.AddRange(and.Operands);
                }
                else
                {
                    list.Add(node);
                }
            }
        }

        private FilterNode ParseUnary()
        {
            if (_current.IsKeyword("NOT"))
            {
                Enter();
                Advance();
                var operand = ParseUnary();
                _depth--;
                return new NotFilter(operand);
            }

            if (_current.Kind == TokenKind.LeftParen)
            {
                var open = _current;
                Enter();
                Advance();
                var inner = ParseOr();
                if (_current.Kind != TokenKind.RightParen)
                {
                    throw Expected($"AND, OR or ')' to close the '(' at position {open.Position}", _current);
                }

                Advance();
                _depth--;
                return inner;
            }

            if (_current.Kind == TokenKind.Word && !(_current.Key is null && FilterLexer.IsReserved(_current.Value!)))
            {
                return ParsePredicate();
            }

            throw Expected("a field name, NOT or '('", _current);
        }

        private void Enter()
        {
            if (++_depth > MaxDepth)
            {
                throw new FilterSyntaxException(
                    $"The filter nests parentheses and NOT more than {MaxDepth} levels deep at position {_current.Position}; simplify it (IN lists replace chains of OR).",
                    _current.Position,
                    _current.Display);
            }
        }

        private FilterNode ParsePredicate()
        {
            var fieldToken = _current;
            var field = SearchSyntax.ResolveField(fieldToken, target, Language);
            Advance();
            var op = _current;
            switch (op.Kind)
            {
                case TokenKind.Equal:
                    return Comparison(field, ComparisonOperator.Equal);
                case TokenKind.NotEqual:
                    return Comparison(field, ComparisonOperator.NotEqual);
                case TokenKind.Less:
                    return Comparison(field, ComparisonOperator.LessThan);
                case TokenKind.LessOrEqual:
                    return Comparison(field, ComparisonOperator.LessThanOrEqual);
                case TokenKind.Greater:
                    return Comparison(field, ComparisonOperator.GreaterThan);
                case TokenKind.GreaterOrEqual:
                    return Comparison(field, ComparisonOperator.GreaterThanOrEqual);
            }

            if (op.IsKeyword("NOT"))
            {
                Advance();
                if (_current.IsKeyword("LIKE") || _current.IsKeyword("ILIKE"))
                {
                    return new NotFilter(Like(field));
                }

                if (_current.IsKeyword("IN"))
                {
                    return new NotFilter(In(field));
                }

                throw Expected($"LIKE, ILIKE or IN after '{fieldToken.Display} NOT'", _current);
            }

            if (op.IsKeyword("LIKE") || op.IsKeyword("ILIKE"))
            {
                return Like(field);
            }

            if (op.IsKeyword("IN"))
            {
                return In(field);
            }

            if (op.IsKeyword("IS"))
            {
                Advance();
                var negated = false;
                if (_current.IsKeyword("NOT"))
                {
                    negated = true;
                    Advance();
                }

                if (!_current.IsKeyword("NULL"))
                {
                    throw Expected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS", _current);
                }

                Advance();
                return new IsNullFilter(field, negated);
            }

            throw Expected($"an operator after '{fieldToken.Display}' (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL)", op);
        }

        private ComparisonFilter Comparison(FieldRef field, ComparisonOperator op)
        {
            Advance();
            var value = SearchSyntax.ConvertLiteral(field, _current);
            Advance();
            return new ComparisonFilter(field, op, value);
        }

        private LikeFilter Like(FieldRef field)
        {
            var keyword = _current;
            var caseInsensitive = keyword.IsKeyword("ILIKE");
            if (SearchFields.TypeOf(field.Field) != SearchFieldType.String)
            {
                throw new FilterSyntaxException(
                    $"{keyword.Display} at position {keyword.Position} works only on text fields; '{field}' is not text. Compare it with =, <, >, IN instead.",
                    keyword.Position,
                    keyword.Display);
            }

            Advance();
            var pattern = _current;
            if (pattern.Kind != TokenKind.String)
            {
                throw Expected($"a pattern in single quotes after {keyword.Display.ToUpperInvariant()}, such as 'fraud%'", pattern);
            }

            if (LikePattern.HasDanglingEscape(pattern.Value!))
            {
                throw new FilterSyntaxException(
                    $"The pattern at position {pattern.Position} ends with the escape character '\\'; write '\\\\' to match a backslash.",
                    pattern.Position,
                    pattern.Display);
            }

            Advance();
            return new LikeFilter(field, pattern.Value!, caseInsensitive);
        }

        private InFilter In(FieldRef field)
        {
            Advance();
            if (_current.Kind != TokenKind.LeftParen)
            {
                throw Expected("'(' after IN", _current);
            }

            var values = new List<FilterValue>();
            while (true)
            {
                Advance();
                if (values.Count == MaxInValues)
                {
                    throw new FilterSyntaxException(
                        $"The IN list has more than {MaxInValues:N0} values at position {_current.Position}; split the search or narrow it another way.",
                        _current.Position,
                        _current.Display);
                }

                values.Add(SearchSyntax.ConvertLiteral(field, _current));
                Advance();
                if (_current.Kind == TokenKind.RightParen)
                {
                    Advance();
                    return new InFilter(field, values);
                }

                if (_current.Kind != TokenKind.Comma)
                {
                    throw Expected("',' or ')' in the IN list", _current);
                }
            }
        }

        private static FilterSyntaxException Expected(string what, Token found)
            => new($"Expected {what} at position {found.Position}, but found {SearchSyntax.Found(found, Language)}.", found.Position, found.Display);
    }
}
