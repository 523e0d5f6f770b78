using System.Text;

namespace ModelRegistry.Search;

// TEMPORARY stand-in for ModelRegistry.Search.LikePattern (Core, branch `search`), same signature and semantics:
// % any run of code points, _ one code point, \ escapes, ILIKE folds with the invariant upper-case mapping.
// Delete this file once Core's LikePattern is on main.
internal static class LikePattern
{
    public static bool IsMatch(string value, string pattern, bool caseInsensitive)
    {
        var v = ToCodePoints(value, caseInsensitive);
        var p = new List<int>(pattern.Length);
        var units = ToCodePoints(pattern, false);
        for (var i = 0; i < units.Length; i++)
        {
            var cp = units[i];
            if (cp == '%')
            {
                if (p.Count == 0 || p[^1] != -1)
                {
                    p.Add(-1);
                }
            }
            else if (cp == '_')
            {
                p.Add(-2);
            }
            else
            {
                if (cp == '\\' && i + 1 < units.Length)
                {
                    cp = units[++i];
                }

                p.Add(caseInsensitive ? Fold(cp) : cp);
            }
        }

        int pi = 0, vi = 0, star = -1, mark = 0;
        while (vi < v.Length)
        {
            if (pi < p.Count && (p[pi] == -2 || p[pi] == v[vi]))
            {
                pi++;
                vi++;
            }
            else if (pi < p.Count && p[pi] == -1)
            {
                star = pi++;
                mark = vi;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                vi = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Count && p[pi] == -1)
        {
            pi++;
        }

        return pi == p.Count;
    }

    private static int[] ToCodePoints(string s, bool fold)
    {
        var list = new List<int>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                cp = char.ConvertToUtf32(s[i], s[++i]);
            }

            list.Add(fold ? Fold(cp) : cp);
        }

        return [.. list];
    }

    private static int Fold(int cp) => Rune.IsValid(cp) ? Rune.ToUpperInvariant(new Rune(cp)).Value : cp;
}
