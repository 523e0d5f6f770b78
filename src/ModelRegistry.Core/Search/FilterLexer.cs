using System.Globalization;

namespace ModelRegistry.Search;

/// <summary>The kinds of token in the filter and order-by languages.</summary>
internal enum TokenKind
{
    End,
    Word,
    String,
    Number,
    LeftParen,
    RightParen,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One token: where it starts, its raw text and its decoded value.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Position">Zero-based start in the text.</param>
/// <param name="Text">The raw text as written (empty for <see cref="TokenKind.End"/>).</param>
/// <param name="Value">A word's name (before any dot), or a string literal's content.</param>
/// <param name="Key">A keyed word's key (<c>tags.team</c> → <c>team</c>); otherwise <see langword="null"/>.</param>
/// <param name="Number">A number literal's value.</param>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, string? Value = null, string? Key = null, double Number = 0)
{
    /// <summary>Whether this is the given keyword (case-insensitive, and not a keyed word).</summary>
    public bool IsKeyword(string keyword)
        => Kind == TokenKind.Word && Key is null && string.Equals(Value, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>The raw text for error reports, shortened when very long.</summary>
    public string Display => Text.Length <= FilterLexer.MaxReportedTokenLength ? Text : Text[..FilterLexer.MaxReportedTokenLength];
}

/// <summary>Splits filter text into tokens on demand, so the first error reported is the first one in the text.</summary>
internal sealed class FilterLexer
{
    /// <summary>The longest filter or order-by text accepted.</summary>
    public const int MaxTextLength = 10_000;

    /// <summary>Token text in errors is cut to this many characters.</summary>
    public const int MaxReportedTokenLength = 100;

    private static readonly string[] Keywords = ["AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "IS", "NULL", "ASC", "DESC"];

    private readonly string _text;
    private int _index;

    public FilterLexer(string text, string language)
    {
        _text = text;
        if (text.Length > MaxTextLength)
        {
            throw new FilterSyntaxException(
                $"The {language} is {text.Length:N0} characters long; the limit is {MaxTextLength:N0}. Shorten it, for example with IN lists instead of repeated OR.",
                MaxTextLength,
                text.Substring(MaxTextLength, 1));
        }
    }

    /// <summary>Whether a word is a reserved keyword.</summary>
    public static bool IsReserved(string word) => Keywords.Contains(word, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the next token.</summary>
    public Token Next()
    {
        while (_index < _text.Length && char.IsWhiteSpace(_text[_index]))
        {
            _index++;
        }

        if (_index >= _text.Length)
        {
            return new Token(TokenKind.End, _text.Length, string.Empty);
        }

        var start = _index;
        var c = _text[_index];
        switch (c)
        {
            case '(':
                return Single(TokenKind.LeftParen);
            case ')':
                return Single(TokenKind.RightParen);
            case ',':
                return Single(TokenKind.Comma);
            case '=':
                return Single(TokenKind.Equal);
            case '!':
                if (Peek(1) == '=')
                {
                    return Double(TokenKind.NotEqual);
                }

                throw new FilterSyntaxException($"Unexpected character '!' at position {start}; write != for 'not equal'.", start, "!");
            case '<':
                return Peek(1) switch
                {
                    '=' => Double(TokenKind.LessOrEqual),
                    '>' => Double(TokenKind.NotEqual),
                    _ => Single(TokenKind.Less),
                };
            case '>':
                return Peek(1) == '=' ? Double(TokenKind.GreaterOrEqual) : Single(TokenKind.Greater);
            case '\'':
                return ReadString();
        }

        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Peek(1))))
        {
            return ReadNumber();
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            return ReadWord();
        }

        var shown = _text.Substring(start, char.IsHighSurrogate(c) && char.IsLowSurrogate(Peek(1)) ? 2 : 1);
        throw new FilterSyntaxException(
            $"Unexpected character '{shown}' at position {start}. Strings go in single quotes, keys with other characters in backquotes (tags.`my key`).",
            start,
            shown);
    }

    private char Peek(int offset) => _index + offset < _text.Length ? _text[_index + offset] : '\0';

    private Token Single(TokenKind kind)
    {
        var token = new Token(kind, _index, _text.Substring(_index, 1));
        _index++;
        return token;
    }

    private Token Double(TokenKind kind)
    {
        var token = new Token(kind, _index, _text.Substring(_index, 2));
        _index += 2;
        return token;
    }

    private Token ReadString()
    {
        var start = _index++;
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var close = _text.IndexOf('\'', _index);
            if (close < 0)
            {
                var rest = _text[start..];
                throw new FilterSyntaxException(
                    $"The string starting at position {start} is not closed; end it with a single quote (write '' for a quote inside it).",
                    start,
                    rest.Length <= MaxReportedTokenLength ? rest : rest[..MaxReportedTokenLength]);
            }

            sb.Append(_text, _index, close - _index);
            _index = close + 1;
            if (Peek(0) != '\'')
            {
                break;
            }

            sb.Append('\'');
            _index++;
        }

        return new Token(TokenKind.String, start, _text[start.._index], sb.ToString());
    }

    private Token ReadNumber()
    {
        // -?digits(.digits)?([eE][+-]?digits)?
        var start = _index;
        if (_text[_index] == '-')
        {
            _index++;
        }

        SkipDigits();
        if (Peek(0) == '.' && char.IsAsciiDigit(Peek(1)))
        {
            _index++;
            SkipDigits();
        }

        if (Peek(0) is 'e' or 'E')
        {
            var signed = Peek(1) is '+' or '-';
            if (char.IsAsciiDigit(Peek(signed ? 2 : 1)))
            {
                _index += signed ? 2 : 1;
                SkipDigits();
            }
        }

        var raw = _text[start.._index];
        var value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(value))
        {
            throw new FilterSyntaxException(
                $"The number '{Shorten(raw)}' at position {start} is too large; numbers must fit a double (about ±1.8E+308).",
                start,
                Shorten(raw));
        }

        return new Token(TokenKind.Number, start, raw, Number: value);
    }

    private void SkipDigits()
    {
        while (_index < _text.Length && char.IsAsciiDigit(_text[_index]))
        {
            _index++;
        }
    }

    private Token ReadWord()
    {
        var start = _index;
        while (_index < _text.Length && (char.IsAsciiLetterOrDigit(_text[_index]) || _text[_index] == '_'))
        {
            _index++;
        }

        var name = _text[start.._index];
        if (Peek(0) != '.')
        {
            return new Token(TokenKind.Word, start, name, name);
        }

        _index++;
        string key;
        if (Peek(0) == '`')
        {
            key = ReadQuotedKey();
        }
        else
        {
            var keyStart = _index;
            while (_index < _text.Length && (char.IsAsciiLetterOrDigit(_text[_index]) || _text[_index] is '_' or '-' or '.'))
            {
                _index++;
            }

            key = _text[keyStart.._index];
            if (key.Length == 0)
            {
                var found = _index < _text.Length ? _text.Substring(_index, 1) : string.Empty;
                throw new FilterSyntaxException(
                    $"Expected a key after '{name}.' at position {_index}, but found {(found.Length == 0 ? "the end of the text" : $"'{found}'")}. Keys of letters, digits, '_', '-' and '.' are written bare; put others in backquotes ({name}.`my key`).",
                    _index,
                    found);
            }
        }

        return new Token(TokenKind.Word, start, _text[start.._index], name, key);
    }

    private string ReadQuotedKey()
    {
        var open = _index++;
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var close = _text.IndexOf('`', _index);
            if (close < 0)
            {
                var rest = _text[open..];
                throw new FilterSyntaxException(
                    $"The backquoted key starting at position {open} is not closed; end it with ` (write `` for a backquote inside it).",
                    open,
                    Shorten(rest));
            }

            sb.Append(_text, _index, close - _index);
            _index = close + 1;
            if (Peek(0) != '`')
            {
                break;
            }

            sb.Append('`');
            _index++;
        }

        if (sb.Length == 0)
        {
            throw new FilterSyntaxException($"The key at position {open} is empty; write a key between the backquotes.", open, "``");
        }

        return sb.ToString();
    }

    private static string Shorten(string s) => s.Length <= MaxReportedTokenLength ? s : s[..MaxReportedTokenLength];
}
