using CsCheck;
using ModelRegistry.Compliance.Internal;

namespace ModelRegistry.Core.Tests.Compliance;

public sealed class ModelCardMarkdownTests
{
    private static readonly string[] Pieces = ["|", "\n", "\r\n", "<", ">", "#", "- ", "1. ", "`", "*", "_", "[", "]", "(", ")", "\\", "&", " ", "a", "é", "🚀"];

    private static readonly Gen<string> Hostile = Gen.OneOf(Gen.String, Gen.OneOf(Pieces).Array[0, 12].Select(string.Concat));

    [Fact]
    public void A_table_cell_stays_one_cell_on_one_line_with_no_raw_html()
        => Hostile.Sample(text =>
        {
            var cell = ModelCardMarkdown.Cell(text);
            cell.Should().NotContain("\n").And.NotContain("\r").And.NotContain("<");
            for (var i = 0; i < cell.Length; i++)
            {
                if (cell[i] == '|')
                {
                    // Every pipe is preceded by an odd number of backslashes, so it is escaped.
                    var slashes = 0;
                    for (var j = i - 1; j >= 0 && cell[j] == '\\'; j--)
                    {
                        slashes++;
                    }

                    (slashes % 2).Should().Be(1, $"the pipe at {i} in {cell} must be escaped");
                }
            }
        });

    [Fact]
    public void Text_never_starts_a_line_with_a_block_marker()
        => Hostile.Sample(text =>
        {
            foreach (var line in ModelCardMarkdown.Text(text).Split('\n'))
            {
                var trimmed = line.TrimStart(' ');
                trimmed.Should().NotMatchRegex(@"^(#|-|\+|>|=|\d+[.)])", $"'{line}' would become a heading, list or quote");
            }
        });

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("# title", "\\# title")]
    [InlineData("1. first", "1\\. first")]
    [InlineData("x < y & z", "x &lt; y &amp; z")]
    [InlineData("**bold** [link](http://x)", "\\*\\*bold\\*\\* \\[link\\](http://x)")]
    public void Text_escapes_markup(string input, string expected)
        => ModelCardMarkdown.Text(input).Should().Be(expected);
}
