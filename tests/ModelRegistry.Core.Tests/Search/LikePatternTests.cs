using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using ModelRegistry.Search;

namespace ModelRegistry.Core.Tests.Search;

public class LikePatternTests
{
    [Theory]
    [InlineData("fraud-detector", "fraud%", false, true)]
    [InlineData("fraud-detector", "%detector", false, true)]
    [InlineData("fraud-detector", "%ud-de%", false, true)]
    [InlineData("fraud-detector", "fraud", false, false)]
    [InlineData("fraud", "fraud", false, true)]
    [InlineData("", "%", false, true)]
    [InlineData("", "_", false, false)]
    [InlineData("", "", false, true)]
    [InlineData("a", "", false, false)]
    [InlineData("abc", "a_c", false, true)]
    [InlineData("ac", "a_c", false, false)]
    [InlineData("abbc", "a_c", false, false)]
    [InlineData("a%c", "a\\%c", false, true)]
    [InlineData("abc", "a\\%c", false, false)]
    [InlineData("a_c", "a\\_c", false, true)]
    [InlineData("abc", "a\\_c", false, false)]
    [InlineData("a\\c", "a\\\\c", false, true)]
    [InlineData("abc", "\\a\\b\\c", false, true)]
    [InlineData("a\\", "a\\", false, true)]
    [InlineData("aXbXc", "a%b%c", false, true)]
    [InlineData("abcabd", "%abd", false, true)]
    [InlineData("mississippi", "m%iss%pi", false, true)]
    [InlineData("mississippi", "m%iss%ppx", false, false)]
    [InlineData("FRAUD", "fraud", false, false)]
    [InlineData("FRAUD", "fraud", true, true)]
    [InlineData("Fraud-Détecteur", "FRAUD-DÉ%", true, true)]
    [InlineData("😀", "_", false, true)]
    [InlineData("😀", "__", false, false)]
    [InlineData("a😀b", "a_b", false, true)]
    public void Like_matches_the_whole_value_with_percent_underscore_and_backslash_escapes(string value, string pattern, bool ci, bool expected)
        => LikePattern.IsMatch(value, pattern, ci).Should().Be(expected);

    [Fact]
    public void An_unpaired_surrogate_is_one_code_point_and_never_matches_half_of_a_pair()
    {
        // Not [InlineData]: test discovery serializes strings and would replace unpaired surrogates.
        LikePattern.IsMatch("\uD800", "_", false).Should().BeTrue();
        LikePattern.IsMatch("\uD800\uD800", "_", false).Should().BeFalse();
        LikePattern.IsMatch("\uD83D\uDE00", "\uD83D%", false).Should().BeFalse();
        LikePattern.IsMatch("\uD83D\uDE00", "%\uDE00", false).Should().BeFalse();
        LikePattern.IsMatch("x\uDE00", "%\uDE00", false).Should().BeTrue();
    }

    [Fact]
    public void A_long_pattern_of_percents_does_not_backtrack_exponentially()
    {
        var value = new string('a', 5_000);
        var pattern = string.Concat(Enumerable.Repeat("%a", 200)) + "b";

        LikePattern.IsMatch(value, pattern, caseInsensitive: false).Should().BeFalse();
    }

    private static readonly string[] Pieces = ["a", "b", "A", "é", "É", "ß", "%", "_", "\\", "😀", "\uD83D", "\uDE00", "x"];

    private static readonly Gen<string> Small = Gen.OneOf(Pieces).Array[0, 7].Select(string.Concat);

    [Fact]
    public void Like_agrees_with_a_regular_expression_oracle()
    {
        Gen.Select(Small, Small, Gen.Bool).Sample(
            (value, pattern, ci) =>
            {
                var expected = Oracle(value, pattern, ci);
                LikePattern.IsMatch(value, pattern, ci).Should().Be(expected, $"'{value}' {(ci ? "ILIKE" : "LIKE")} '{pattern}'");
            },
            iter: 20_000,
            threads: 1);
    }

    [Fact]
    public void A_value_matches_its_own_escaped_text()
    {
        Small.Sample(
            value =>
            {
                var escaped = new StringBuilder();
                foreach (var c in value)
                {
                    escaped.Append(c is '%' or '_' or '\\' ? "\\" : string.Empty).Append(c);
                }

                LikePattern.IsMatch(value, escaped.ToString(), false).Should().BeTrue();
            },
            iter: 2_000,
            threads: 1);
    }

    /// <summary>
    /// Regex oracle: one code point is a surrogate pair or any single unit, taken atomically so a pair is never split;
    /// a literal unpaired surrogate must not match half of a pair. Case folding is done up front, per code point.
    /// </summary>
    private static bool Oracle(string value, string pattern, bool ci)
    {
        if (ci)
        {
            value = Fold(value);
            pattern = Fold(pattern);
        }

        const string codePoint = "(?>[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\s\\S])";
        var regex = new StringBuilder("^");
        var units = CodeUnits(pattern);
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            if (unit == "%")
            {
                regex.Append(codePoint).Append('*');
                continue;
            }

            if (unit == "_")
            {
                regex.Append(codePoint);
                continue;
            }

            if (unit == "\\" && i + 1 < units.Count)
            {
                unit = units[++i];
            }

            var literal = string.Concat(unit.Select(c => $"\\u{(int)c:X4}"));
            if (unit.Length == 1 && char.IsHighSurrogate(unit[0]))
            {
                literal += "(?![\\uDC00-\\uDFFF])";
            }
            else if (unit.Length == 1 && char.IsLowSurrogate(unit[0]))
            {
                literal = "(?<![\\uD800-\\uDBFF])" + literal;
            }

            regex.Append(literal);
        }

        regex.Append("\\z");
        return Regex.IsMatch(value, regex.ToString(), RegexOptions.CultureInvariant);
    }

    private static List<string> CodeUnits(string s)
    {
        var result = new List<string>();
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(s.Substring(i++, 2));
            }
            else
            {
                result.Add(s[i].ToString());
            }
        }

        return result;
    }

    private static string Fold(string s)
        => string.Concat(CodeUnits(s).Select(u => Rune.TryGetRuneAt(u, 0, out var r) ? Rune.ToUpperInvariant(r).ToString() : u));
}
