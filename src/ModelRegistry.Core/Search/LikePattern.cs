namespace ModelRegistry.Search;

/// <summary>
/// The reference implementation of <c>LIKE</c> and <c>ILIKE</c> matching. Storage adapters that cannot express the
/// exact semantics natively may register it as a function (for example a SQLite user function).
/// </summary>
/// <remarks>
/// <c>%</c> matches any run of code points (including none), <c>_</c> exactly one code point, and <c>\</c> makes the
/// next code point literal. A trailing lone <c>\</c> matches a literal backslash (the filter parser rejects such
/// patterns, so parsed filters never contain one). The whole value must match. Case-insensitive matching folds
/// value and pattern with the invariant upper-case mapping, one code point at a time.
/// </remarks>
public static class LikePattern
{
    private const int AnyRun = -1;
    private const int AnyOne = -2;

    /// <summary>Whether <paramref name="value"/> matches the <c>LIKE</c> <paramref name="pattern"/>.</summary>
    /// <param name="value">The text to test.</param>
    /// <param name="pattern">The pattern, with <c>%</c>, <c>_</c> and <c>\</c> escapes.</param>
    /// <param name="caseInsensitive"><see langword="true"/> for <c>ILIKE</c>.</param>
    /// <returns><see langword="true"/> when the whole value matches.</returns>
    public static bool IsMatch(string value, string pattern, bool caseInsensitive)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(pattern);
        var p = Compile(pattern, caseInsensitive);
        var v = CodePoints.ToArray(value, caseInsensitive);

        // Iterative wildcard matching: on a mismatch, retry from the most recent '%' with one more code point
        // swallowed. Earlier '%'s never need revisiting, so this is O(|value| * |pattern|) with no recursion.
        int pi = 0, vi = 0, star = -1, starValue = 0;
        while (vi < v.Length)
        {
            if (pi < p.Length && (p[pi] == AnyOne || p[pi] == v[vi]))
            {
                pi++;
                vi++;
            }
            else if (pi < p.Length && p[pi] == AnyRun)
            {
                star = pi++;
                starValue = vi;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                vi = ++starValue;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == AnyRun)
        {
            pi++;
        }

        return pi == p.Length;
    }

    /// <summary>Whether the pattern ends with an escape character that escapes nothing.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <returns><see langword="true"/> when the last <c>\</c> is unpaired.</returns>
    internal static bool HasDanglingEscape(string pattern)
    {
        var escaped = false;
        for (var i = 0; i < pattern.Length;)
        {
            CodePoints.Read(pattern, i, out var len);
            escaped = !escaped && pattern[i] == '\\';
            i += len;
        }

        return escaped;
    }

    private static int[] Compile(string pattern, bool caseInsensitive)
    {
        var result = new int[pattern.Length];
        var n = 0;
        for (var i = 0; i < pattern.Length;)
        {
            var cp = CodePoints.Read(pattern, i, out var len);
            i += len;
            if (cp == '%')
            {
                // Consecutive '%' are one '%'; collapsing them keeps the matcher's single backtrack point simple.
                if (n == 0 || result[n - 1] != AnyRun)
                {
                    result[n++] = AnyRun;
                }

                continue;
            }

            if (cp == '_')
            {
                result[n++] = AnyOne;
                continue;
            }

            if (cp == '\\' && i < pattern.Length)
            {
                cp = CodePoints.Read(pattern, i, out len);
                i += len;
            }

            result[n++] = caseInsensitive ? CodePoints.ToUpperInvariant(cp) : cp;
        }

        return result[..n];
    }
}
