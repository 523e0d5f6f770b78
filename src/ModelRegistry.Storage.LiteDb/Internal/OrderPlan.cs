using LiteDB;
using ModelRegistry.Search;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// How much of an ordering LiteDB can do. LiteDB 5 sorts by one expression in one direction, and its string order
/// (UTF-16 units) equals the reference order (code points) only for strings below U+D800. So the leading sort keys that
/// share the first key's direction and are stored in exactly comparable form — model names (ASCII by validation),
/// versions (ASCII sort keys), enums and timestamps — are pushed down as one expression; the store finishes the order in
/// memory with the reference comparer on each run of rows that tie on the pushed keys.
/// </summary>
/// <param name="Keys">The effective sort keys (for versions, keys the reference treats as constant are dropped).</param>
/// <param name="Expression">The ORDER BY expression, or <see langword="null"/> when nothing is pushed down.</param>
/// <param name="Direction"><see cref="Query.Ascending"/> or <see cref="Query.Descending"/>.</param>
/// <param name="PushedKeys">How many leading sort keys the expression covers.</param>
/// <param name="Complete">Whether it covers the whole ordering (no in-memory tie-break needed).</param>
internal sealed record OrderPlan(IReadOnlyList<SortKey> Keys, BsonExpression? Expression, int Direction, int PushedKeys, bool Complete)
{
    public static OrderPlan For(IReadOnlyList<SortKey> requested, SearchTarget target)
    {
        // The reference comparer reads model-level fields of a version as missing, so they never order versions.
        IReadOnlyList<SortKey> order = target == SearchTarget.Versions
            ? [.. requested.Where(k => k.Field.Field is not (SearchField.RiskTier or SearchField.Status or SearchField.Owner or SearchField.Provider))]
            : requested;
        if (order.Count == 0)
        {
            return new OrderPlan(order, null, Query.Ascending, 0, true);
        }

        var descending = order[0].Descending;
        var paths = new List<string>();
        var pushed = 0;
        for (; pushed < order.Count; pushed++)
        {
            var key = order[pushed];
            if (key.Descending != descending || PathOf(key.Field, target) is not { } path)
            {
                break;
            }

            paths.Add(path);
        }

        if (pushed == 0)
        {
            return new OrderPlan(order, null, Query.Ascending, 0, false);
        }

        // (name, version) of a version is one indexed field; use it so the common ordering reads the index in order.
        var nameVersion = target == SearchTarget.Versions && paths.Count >= 2
            && paths[0] == FilterTranslator.FieldPath(RecordDocuments.Name) && paths[1] == FilterTranslator.FieldPath(RecordDocuments.Version);
        if (nameVersion)
        {
            paths.RemoveAt(1);
            paths[0] = FilterTranslator.FieldPath(RecordDocuments.NameVersion);
        }

        var source = paths.Count == 1 ? paths[0] : "[" + string.Join(", ", paths) + "]";
        return new OrderPlan(order, BsonExpression.Create(source), descending ? Query.Descending : Query.Ascending, pushed, pushed == order.Count);
    }

    private static string? PathOf(FieldRef field, SearchTarget target) => (field.Field, target) switch
    {
        (SearchField.Name, _) => FilterTranslator.FieldPath(RecordDocuments.Name),
        (SearchField.CreatedAt, _) => FilterTranslator.FieldPath(RecordDocuments.CreatedAt),
        (SearchField.UpdatedAt, _) => FilterTranslator.FieldPath(RecordDocuments.UpdatedAt),
        (SearchField.RiskTier, SearchTarget.Models) => FilterTranslator.FieldPath(RecordDocuments.RiskTier),
        (SearchField.Status, SearchTarget.Models) => FilterTranslator.FieldPath(RecordDocuments.Status),
        (SearchField.Version, SearchTarget.Versions) => FilterTranslator.FieldPath(RecordDocuments.Version),
        (SearchField.Stage, SearchTarget.Versions) => FilterTranslator.FieldPath(RecordDocuments.Stage),

        // Description, run id, commit, tags, metrics and parameters may hold any string or are keyed: ordered in memory.
        // Risk tier and status do not order versions in the reference (they compare as missing), so neither may LiteDB.
        _ => null,
    };
}
