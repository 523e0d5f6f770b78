using CsCheck;
using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Core.Tests.Search;

/// <summary>CsCheck generators for filter trees, including the awkward corners of the literal syntax.</summary>
internal static class FilterGenerators
{
    // Pieces that stress quoting and escaping: quotes, backquotes, LIKE metacharacters, whitespace, non-ASCII,
    // a surrogate pair and unpaired surrogates.
    private static readonly string[] TextPieces =
    [
        "a", "b", "Z", "0", "9", " ", "_", "-", ".", "'", "''", "`", "%", "\\", "\"", "(", ")", "=", ",", "\t", "\n",
        "é", "ß", "İ", "\uFFFD", "😀", "\uD800", "\uDC00", "AND", "or", "null",
    ];

    private static readonly string[] BareKeyPieces = ["a", "B", "z", "0", "7", "_", "-", ".", "team", "acc"];

    public static readonly Gen<string> Text = Gen.OneOf(TextPieces).Array[0, 6].Select(string.Concat);

    public static readonly Gen<string> Key = Gen.Frequency(
        (3, Gen.OneOf(BareKeyPieces).Array[1, 3].Select(string.Concat)),
        (1, Gen.OneOf(TextPieces).Array[1, 4].Select(string.Concat)));

    /// <summary>LIKE patterns; a trailing lone backslash is doubled, since the parser rejects it.</summary>
    public static readonly Gen<string> Pattern = Text.Select(p => LikePattern.HasDanglingEscape(p) ? p + "\\" : p);

    public static readonly Gen<double> Number = Gen.Frequency(
        (3, Gen.Int[-1000, 1000].Select(i => (double)i)),
        (2, Gen.Double[-1e6, 1e6]),
        (1, Gen.Double.Where(double.IsFinite)),
        (1, Gen.OneOf(0.1, -0.0, double.MaxValue, double.MinValue, double.Epsilon, 1e-300, 123456789.125)));

    public static readonly Gen<DateTimeOffset> Timestamp = Gen.Frequency(
        (2, Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks].Select(t => new DateTimeOffset(t, TimeSpan.Zero))),
        (1, Gen.Int[0, 3650].Select(d => SearchTestData.Jan1.AddDays(d))));

    public static readonly Gen<SemanticVersion> Version = Gen.Select(
        Gen.Int[0, 12],
        Gen.Int[0, 12],
        Gen.Int[0, 12],
        Gen.OneOf("alpha", "beta", "rc", "0", "1", "2", "10", "x-y").Array[0, 3],
        Gen.OneOf(string.Empty, "+build.5", "+sha-abc"),
        (major, minor, patch, pre, build) =>
            SemanticVersion.Parse($"{major}.{minor}.{patch}{(pre.Length > 0 ? "-" + string.Join('.', pre) : string.Empty)}{build}"));

    /// <summary>A field that applies to the target.</summary>
    public static Gen<FieldRef> Field(SearchTarget target)
    {
        var fields = Enum.GetValues<SearchField>().Where(f => SearchFields.AppliesTo(f, target)).ToArray();
        return Gen.OneOf(fields).SelectMany(f => SearchFields.IsKeyed(f)
            ? Key.Select(k => new FieldRef(f, k))
            : Gen.Const(new FieldRef(f)));
    }

    /// <summary>A literal of the field's type.</summary>
    public static Gen<FilterValue> Value(FieldRef field) => SearchFields.TypeOf(field.Field) switch
    {
        SearchFieldType.String => Text.Select(FilterValue.FromString),
        SearchFieldType.Number => Number.Select(FilterValue.FromNumber),
        SearchFieldType.Timestamp => Timestamp.Select(FilterValue.FromTimestamp),
        SearchFieldType.Version => Version.Select(FilterValue.FromVersion),
        _ => Gen.OneOf(Enum.GetValues(SearchFields.EnumTypeOf(field.Field)!).Cast<object>().Select(Convert.ToInt32).ToArray())
                .Select(FilterValue.FromEnum),
    };

    public static Gen<FilterNode> Leaf(SearchTarget target)
    {
        var field = Field(target);
        var comparison = field.SelectMany(f => Gen.Select(Gen.Enum<ComparisonOperator>(), Value(f), (op, v) => (FilterNode)new ComparisonFilter(f, op, v)));
        var @in = field.SelectMany(f => Value(f).Array[1, 4].Select(vs => (FilterNode)new InFilter(f, vs)));
        var isNull = Gen.Select(field, Gen.Bool, (f, n) => (FilterNode)new IsNullFilter(f, n));
        var like = field
            .Where(f => SearchFields.TypeOf(f.Field) == SearchFieldType.String)
            .SelectMany(f => Gen.Select(Pattern, Gen.Bool, (p, ci) => (FilterNode)new LikeFilter(f, p, ci)));
        return Gen.Frequency((4, comparison), (2, @in), (1, isNull), (2, like));
    }

    /// <summary>Trees up to <paramref name="maxDepth"/> levels of AND/OR/NOT over leaves.</summary>
    public static Gen<FilterNode> Tree(SearchTarget target, int maxDepth = 4)
    {
        var leaf = Leaf(target);
        var gen = leaf;
        for (var depth = 1; depth <= maxDepth; depth++)
        {
            var child = gen;
            gen = Gen.Frequency(
                (3, leaf),
                (1, child.Select(c => (FilterNode)new NotFilter(c))),
                (2, child.Array[2, 4].Select(cs => (FilterNode)new AndFilter(cs))),
                (2, child.Array[2, 4].Select(cs => (FilterNode)new OrFilter(cs))));
        }

        return gen;
    }
}
