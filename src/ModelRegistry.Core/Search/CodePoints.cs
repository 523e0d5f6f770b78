using System.Text;

namespace ModelRegistry.Search;

/// <summary>
/// Reads strings as sequences of Unicode code points. Search compares strings by code point because that is the
/// order of UTF-8 bytes, which is what SQLite and most engines sort by; UTF-16 unit order differs for characters
/// outside the Basic Multilingual Plane. A lone surrogate counts as one code point with its own unit value, so every
/// string, well-formed or not, maps to exactly one sequence.
/// </summary>
internal static class CodePoints
{
    /// <summary>Compares two strings by code point, ordinally.</summary>
    public static readonly IComparer<string> Comparer = Comparer<string>.Create(Compare);

    /// <summary>Reads the code point that starts at <paramref name="index"/>.</summary>
    /// <param name="s">The string.</param>
    /// <param name="index">Index of a UTF-16 unit that starts a code point.</param>
    /// <param name="length">1 or 2: how many units the code point occupies.</param>
    /// <returns>The code point (a surrogate's own value when it is unpaired).</returns>
    public static int Read(string s, int index, out int length)
    {
        var c = s[index];
        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, s[index + 1]);
        }

        length = 1;
        return c;
    }

    /// <summary>The code points of a string.</summary>
    /// <param name="s">The string.</param>
    /// <param name="upperInvariant">Whether to fold each code point with the invariant upper-case mapping.</param>
    /// <returns>The code points in order.</returns>
    public static int[] ToArray(string s, bool upperInvariant)
    {
        var result = new int[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length;)
        {
            var cp = Read(s, i, out var len);
            result[n++] = upperInvariant ? ToUpperInvariant(cp) : cp;
            i += len;
        }

        return n == result.Length ? result : result[..n];
    }

    /// <summary>The invariant upper-case mapping of one code point; unpaired surrogates map to themselves.</summary>
    /// <param name="codePoint">The code point.</param>
    /// <returns>The folded code point.</returns>
    public static int ToUpperInvariant(int codePoint)
        => Rune.IsValid(codePoint) ? Rune.ToUpperInvariant(new Rune(codePoint)).Value : codePoint;

    /// <summary>Ordinal comparison by code point.</summary>
    /// <param name="a">The first string.</param>
    /// <param name="b">The second string.</param>
    /// <returns>Negative, zero or positive.</returns>
    public static int Compare(string? a, string? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var i = a.AsSpan().CommonPrefixLength(b);

        // The first difference may fall on the low half of a pair whose high half is shared; start at that high half.
        if (i > 0 && char.IsHighSurrogate(a[i - 1]))
        {
            i--;
        }

        while (i < a.Length && i < b.Length)
        {
            var ca = Read(a, i, out var la);
            var cb = Read(b, i, out _);
            if (ca != cb)
            {
                return ca < cb ? -1 : 1;
            }

            // Equal code points have equal encodings, so both strings advance by the same amount.
            i += la;
        }

        return (a.Length - i).CompareTo(b.Length - i);
    }
}
