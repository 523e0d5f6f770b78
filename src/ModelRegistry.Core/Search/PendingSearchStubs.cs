// TEMPORARY: replaced by the search branch (FilterParser/Evaluator/Ordering/SearchPlan). Delete on merge.
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Search;

internal static class FilterEvaluator
{
    public static bool Matches(FilterNode? filter, RegisteredModel model) => filter is null ? true : throw new NotSupportedException();

    public static bool Matches(FilterNode? filter, ModelVersion version, RegisteredModel model) => filter is null ? true : throw new NotSupportedException();
}

internal static class SearchOrdering
{
    public static IComparer<RegisteredModel> ForModels(IReadOnlyList<SortKey> order)
        => Comparer<RegisteredModel>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name) * (order.Count > 0 && order[0].Descending ? -1 : 1));

    public static IComparer<ModelVersion> ForVersions(IReadOnlyList<SortKey> order)
        => Comparer<ModelVersion>.Create((a, b) => string.CompareOrdinal(a.ModelName, b.ModelName) is var c && c != 0 ? c : b.Version.CompareTo(a.Version));
}

internal sealed class SearchPlan
{
    private SearchPlan(StoreQuery query, int pageSize) => (Query, PageSize) = (query, pageSize);

    public StoreQuery Query { get; }

    public int PageSize { get; }

    public static SearchPlan Create(SearchTarget target, SearchRequest request)
        => new(new StoreQuery(null, [], request.PageSize + 1), request.PageSize);

    public string CreateToken(RegisteredModel lastOnPage) => throw new NotSupportedException();

    public string CreateToken(ModelVersion lastOnPage) => throw new NotSupportedException();
}
