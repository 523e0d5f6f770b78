using ModelRegistry.Registry;
using ModelRegistry.Search;

namespace ModelRegistry.Core.Tests.Search;

/// <summary>Builders for models and versions with only what a search test cares about.</summary>
internal static class SearchTestData
{
    public static readonly DateTimeOffset Jan1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static RegisteredModel Model(
        string name,
        string? description = null,
        IReadOnlyList<string>? owners = null,
        RiskTier riskTier = RiskTier.Minimal,
        ModelStatus status = ModelStatus.Active,
        IReadOnlyDictionary<string, string>? tags = null,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? updatedAt = null)
        => new()
        {
            Name = name,
            Description = description,
            Owners = owners ?? ["alice"],
            RiskTier = riskTier,
            Status = status,
            Tags = tags ?? new Dictionary<string, string>(),
            CreatedAt = createdAt ?? Jan1,
            UpdatedAt = updatedAt ?? createdAt ?? Jan1,
            CreatedBy = "test",
            UpdatedBy = "test",
            Revision = 1,
        };

    public static ModelVersion Version(
        string model,
        string version,
        string? description = null,
        ModelStage stage = ModelStage.Development,
        IReadOnlyDictionary<string, string>? tags = null,
        IReadOnlyDictionary<string, double>? metrics = null,
        IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyList<string>? providers = null,
        string? runId = null,
        string? commit = null,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? updatedAt = null)
        => new()
        {
            ModelName = model,
            Version = SemanticVersion.Parse(version),
            Description = description,
            Stage = stage,
            Tags = tags ?? new Dictionary<string, string>(),
            Metrics = metrics ?? new Dictionary<string, double>(),
            Parameters = parameters ?? new Dictionary<string, string>(),
            ProviderBindings = (providers ?? []).Select((p, i) => new ProviderBinding { Id = $"b{i}", Provider = p, ProviderModelId = "m" }).ToList(),
            RunId = runId,
            SourceCommit = commit,
            ContentHash = new string('0', 64),
            CreatedAt = createdAt ?? Jan1,
            UpdatedAt = updatedAt ?? createdAt ?? Jan1,
            CreatedBy = "test",
            UpdatedBy = "test",
            Revision = 1,
        };

    /// <summary>Parses a filter for models and evaluates it.</summary>
    public static bool MatchesModel(string filter, RegisteredModel model)
        => FilterEvaluator.Matches(FilterParser.Parse(filter, SearchTarget.Models), model);

    /// <summary>Parses a filter for versions and evaluates it.</summary>
    public static bool MatchesVersion(string filter, ModelVersion version, RegisteredModel model)
        => FilterEvaluator.Matches(FilterParser.Parse(filter, SearchTarget.Versions), version, model);
}

/// <summary>Structural comparison of filter trees (records compare lists by reference, so equality needs help).</summary>
internal static class FilterTrees
{
    public static bool AreEqual(FilterNode? a, FilterNode? b) => (a, b) switch
    {
        (null, null) => true,
        (AndFilter x, AndFilter y) => SameList(x.Operands, y.Operands),
        (OrFilter x, OrFilter y) => SameList(x.Operands, y.Operands),
        (NotFilter x, NotFilter y) => AreEqual(x.Operand, y.Operand),
        (ComparisonFilter x, ComparisonFilter y) => x.Field == y.Field && x.Operator == y.Operator && SameValue(x.Value, y.Value),
        (LikeFilter x, LikeFilter y) => x.Field == y.Field && x.CaseInsensitive == y.CaseInsensitive && string.Equals(x.Pattern, y.Pattern, StringComparison.Ordinal),
        (InFilter x, InFilter y) => x.Field == y.Field && x.Values.Count == y.Values.Count && x.Values.Zip(y.Values).All(p => SameValue(p.First, p.Second)),
        (IsNullFilter x, IsNullFilter y) => x == y,
        _ => false,
    };

    /// <summary>What the parser makes of a tree: nested AND/OR flattened, single-operand AND/OR replaced by the operand.</summary>
    public static FilterNode Normalize(FilterNode node)
    {
        switch (node)
        {
            case AndFilter and:
                {
                    var ops = and.Operands.Select(Normalize).SelectMany(o => o is AndFilter inner ? inner.Operands : [o]).ToList();
                    return ops.Count == 1 ? ops[0] : new AndFilter(ops);
                }

            case OrFilter or:
                {
                    var ops = or.Operands.Select(Normalize).SelectMany(o => o is OrFilter inner ? inner.Operands : [o]).ToList();
                    return ops.Count == 1 ? ops[0] : new OrFilter(ops);
                }

            case NotFilter not:
                return new NotFilter(Normalize(not.Operand));
            default:
                return node;
        }
    }

    private static bool SameList(IReadOnlyList<FilterNode> a, IReadOnlyList<FilterNode> b)
        => a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second));

    private static bool SameValue(FilterValue a, FilterValue b) => a.Kind == b.Kind && a.Kind switch
    {
        FilterValueKind.String => string.Equals(a.Text, b.Text, StringComparison.Ordinal),
        FilterValueKind.Number => BitConverter.DoubleToInt64Bits(a.Number) == BitConverter.DoubleToInt64Bits(b.Number),
        FilterValueKind.Timestamp => a.Timestamp.UtcTicks == b.Timestamp.UtcTicks && a.Timestamp.Offset == b.Timestamp.Offset,
        FilterValueKind.Version => a.Version!.ToString() == b.Version!.ToString(),
        _ => a.EnumValue == b.EnumValue,
    };
}
