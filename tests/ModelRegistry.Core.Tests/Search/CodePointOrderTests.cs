using System.Text;
using CsCheck;
using ModelRegistry.Search;

namespace ModelRegistry.Core.Tests.Search;

public class CodePointOrderTests
{
    private static readonly string[] Pieces = ["a", "b", "Z", "é", "\uFFFD", "\uFF61", "😀", "𝄞", "\uE000", "\u0000", "~"];

    [Fact]
    public void Code_point_order_equals_utf8_byte_order_for_well_formed_strings()
    {
        var gen = Gen.OneOf(Pieces).Array[0, 6].Select(string.Concat);
        Gen.Select(gen, gen).Sample(
            (a, b) =>
            {
                var expected = Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
                Math.Sign(CodePoints.Compare(a, b)).Should().Be(expected, $"comparing '{a}' with '{b}'");
            },
            iter: 5_000,
            threads: 1);
    }

    [Fact]
    public void Unpaired_surrogates_order_by_their_own_unit_value()
    {
        // Not [InlineData]: test discovery serializes strings and would replace unpaired surrogates.
        var cases = new (string A, string B, int Expected)[]
        {
            ("\uD800", "\uD800\uDC00", -1),
            ("\uD800x", "\uD800\uDC00", -1),
            ("\uDC00", "\uD800\uDC00", -1),
            ("\uFFFF", "\uD800\uDC00", -1),
            ("\uD800\uDC01", "\uD800\uDC00", 1),
            ("a\uD800", "a\uD800", 0),
            ("a", "a\uD800", -1),
            ("\uDBFF", "\uE000", -1),
        };

        foreach (var (a, b, expected) in cases)
        {
            Math.Sign(CodePoints.Compare(a, b)).Should().Be(expected);
            Math.Sign(CodePoints.Compare(b, a)).Should().Be(-expected);
        }
    }
}
