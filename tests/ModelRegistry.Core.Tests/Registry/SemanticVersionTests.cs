using CsCheck;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class SemanticVersionTests
{
    private static readonly Gen<string> Identifier = Gen.OneOf(
        Gen.Int[0, 30].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.String[Gen.Char["abzAZ-"], 1, 4],
        Gen.String[Gen.Char["a1-"], 1, 3].Where(s => !s.All(char.IsAsciiDigit)));

    private static readonly Gen<(long, long, long, string[], string?)> Parts = Gen.Select(
        Gen.Long[0, 3], Gen.Long[0, 3], Gen.Long[0, 3],
        Identifier.Array[0, 3],
        Gen.OneOf(Gen.Const((string?)null), Gen.String[Gen.Char["ab1"], 1, 3].Select(s => (string?)s)));

    private static string Text((long Major, long Minor, long Patch, string[] Pre, string? Build) p)
        => $"{p.Major}.{p.Minor}.{p.Patch}{(p.Pre.Length > 0 ? "-" + string.Join('.', p.Pre) : string.Empty)}{(p.Build is null ? string.Empty : "+" + p.Build)}";

    /// <summary>SemVer 2.0.0 §11, written as plainly as possible.</summary>
    private static int Oracle((long Major, long Minor, long Patch, string[] Pre, string? Build) a, (long Major, long Minor, long Patch, string[] Pre, string? Build) b)
    {
        var c = (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));
        if (c != 0)
        {
            return Math.Sign(c);
        }

        if (a.Pre.Length == 0 || b.Pre.Length == 0)
        {
            return a.Pre.Length == b.Pre.Length ? 0 : a.Pre.Length == 0 ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(a.Pre.Length, b.Pre.Length); i++)
        {
            var x = a.Pre[i];
            var y = b.Pre[i];
            var xn = x.All(char.IsAsciiDigit);
            var yn = y.All(char.IsAsciiDigit);
            int r = xn && yn ? long.Parse(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(long.Parse(y, System.Globalization.CultureInfo.InvariantCulture))
                : xn ? -1 : yn ? 1 : string.CompareOrdinal(x, y);
            if (r != 0)
            {
                return Math.Sign(r);
            }
        }

        return Math.Sign(a.Pre.Length.CompareTo(b.Pre.Length));
    }

    [Fact]
    public void Ordering_equality_and_sort_key_agree_with_the_specification()
    {
        Gen.Select(Parts, Parts).Sample((a, b) =>
        {
            var va = SemanticVersion.Parse(Text(a));
            var vb = SemanticVersion.Parse(Text(b));
            var expected = Oracle(a, b);
            Math.Sign(va.CompareTo(vb)).Should().Be(expected, $"{va} vs {vb}");
            Math.Sign(string.CompareOrdinal(va.SortKey, vb.SortKey)).Should().Be(expected, $"sort keys of {va} vs {vb}");
            (va == vb).Should().Be(expected == 0);
            if (expected == 0)
            {
                va.GetHashCode().Should().Be(vb.GetHashCode());
            }
        }, iter: 5_000);
    }

    [Fact]
    public void Parse_and_print_round_trip()
        => Parts.Sample(p =>
        {
            var text = Text(p);
            SemanticVersion.Parse(text).ToString().Should().Be(text);
        });

    [Fact]
    public void Random_text_either_parses_to_itself_or_is_refused_with_the_typed_error()
        => Gen.String[Gen.Char["0123.-+abZ"], 0, 12].Sample(text =>
        {
            if (SemanticVersion.TryParse(text, out var v))
            {
                v.ToString().Should().Be(text);
            }
            else
            {
                var act = () => SemanticVersion.Parse(text);
                act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
            }
        }, iter: 5_000);

    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta")]
    [InlineData("1.0.0-beta", "1.0.0-beta.2")]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11")]
    [InlineData("1.0.0-beta.11", "1.0.0-rc.1")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("1.9.0", "1.10.0")]
    public void The_specification_examples_are_in_order(string lower, string higher)
    {
        (SemanticVersion.Parse(lower) < SemanticVersion.Parse(higher)).Should().BeTrue();
        string.CompareOrdinal(SemanticVersion.Parse(lower).SortKey, SemanticVersion.Parse(higher).SortKey).Should().BeNegative();
    }

    [Theory]
    [InlineData("1.2.3", VersionIncrement.Patch, "1.2.4")]
    [InlineData("1.2.3", VersionIncrement.Minor, "1.3.0")]
    [InlineData("1.2.3", VersionIncrement.Major, "2.0.0")]
    [InlineData("1.2.3-rc.1", VersionIncrement.Patch, "1.2.3")]
    public void Next_increments(string from, VersionIncrement increment, string expected)
        => SemanticVersion.Parse(from).Next(increment).ToString().Should().Be(expected);

    [Fact]
    public void Build_metadata_is_kept_but_ignored_in_precedence()
    {
        var a = SemanticVersion.Parse("1.0.0+a");
        var b = SemanticVersion.Parse("1.0.0+b");
        (a == b).Should().BeTrue();
        a.SortKey.Should().Be(b.SortKey);
        a.BuildMetadata.Should().Be("a");
    }
}
