using System.Text;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>String helpers whose results must agree with Core's ordinal, code-point based search semantics.</summary>
internal static class SqliteText
{
    /// <summary>The key a model name is stored under: names are unique by ordinal upper-invariant comparison.</summary>
    public static string ModelKey(string name) => name.ToUpperInvariant();

    /// <summary>Whether a string is well-formed UTF-16 (no unpaired surrogate), so it survives UTF-8 unchanged.</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The smallest string greater, in code-point order, than every string that starts with <paramref name="prefix"/>;
    /// <see langword="null"/> when there is none or the prefix is not well-formed. With it a prefix test becomes the
    /// index-friendly range <c>value &gt;= prefix AND value &lt; successor</c> (SQLite's BINARY order on UTF-8 is
    /// code-point order).
    /// </summary>
    public static string? PrefixSuccessor(string prefix)
    {
        if (!IsWellFormed(prefix))
        {
            return null;
        }

        var runes = new List<Rune>(prefix.Length);
        foreach (var r in prefix.EnumerateRunes())
        {
            runes.Add(r);
        }

        while (runes.Count > 0 && runes[^1].Value == 0x10FFFF)
        {
            runes.RemoveAt(runes.Count - 1);
        }

        if (runes.Count == 0)
        {
            return null;
        }

        var next = runes[^1].Value + 1;
        if (next == 0xD800)
        {
            next = 0xE000;
        }

        runes[^1] = new Rune(next);
        var sb = new StringBuilder(prefix.Length + 1);
        foreach (var r in runes)
        {
            sb.Append(r.ToString());
        }

        return sb.ToString();
    }

    /// <summary>The literal text a LIKE pattern starts with, before its first wildcard or escape.</summary>
    public static string LiteralPrefix(string pattern)
    {
        var end = pattern.AsSpan().IndexOfAny('%', '_', '\\');
        return end < 0 ? pattern : pattern[..end];
    }
}
