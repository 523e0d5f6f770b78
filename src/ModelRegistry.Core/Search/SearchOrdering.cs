using ModelRegistry.Registry;

namespace ModelRegistry.Search;

/// <summary>
/// Comparers that implement an ordering (a list of <see cref="SortKey"/>) the way every store must: key by key,
/// values compared as in <see cref="FilterEvaluator"/>, missing values lowest (first ascending, last descending).
/// </summary>
internal static class SearchOrdering
{
    /// <summary>A comparer for models.</summary>
    public static IComparer<RegisteredModel> ForModels(IReadOnlyList<SortKey> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Comparer<RegisteredModel>.Create((a, b) =>
        {
            foreach (var key in order)
            {
                var c = SearchValues.CompareForOrdering(SearchValues.Get(key.Field, a), SearchValues.Get(key.Field, b));
                if (c != 0)
                {
                    return key.Descending ? -c : c;
                }
            }

            return 0;
        });
    }

    /// <summary>A comparer for versions. Model-level fields are not orderable for versions and compare as missing.</summary>
    public static IComparer<ModelVersion> ForVersions(IReadOnlyList<SortKey> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Comparer<ModelVersion>.Create((a, b) =>
        {
            foreach (var key in order)
            {
                var c = SearchValues.CompareForOrdering(SearchValues.Get(key.Field, a, null), SearchValues.Get(key.Field, b, null));
                if (c != 0)
                {
                    return key.Descending ? -c : c;
                }
            }

            return 0;
        });
    }
}
