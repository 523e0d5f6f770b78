using Microsoft.AspNetCore.Mvc;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>What every route group of the API shares.</summary>
internal static class ApiConventions
{
    /// <summary>Declares, for the OpenAPI document, the problem responses the library's error codes map to.</summary>
    public static RouteGroupBuilder WithRegistryProblems(this RouteGroupBuilder group)
    {
        foreach (var status in new[] { 400, 403, 404, 409, 422, 503 })
        {
            group.ProducesProblem(status);
        }

        return group;
    }

    /// <summary>Query parameters of a filtered, ordered, paged search.</summary>
    /// <param name="Filter">The filter expression (see docs/search-filters.md).</param>
    /// <param name="OrderBy">Ordering, for example <c>created_at DESC, name</c>.</param>
    /// <param name="PageSize">Items per page (1–1,000).</param>
    /// <param name="PageToken">The <c>continuationToken</c> of the previous page.</param>
    internal sealed record SearchParameters(
        [FromQuery(Name = "filter")] string? Filter,
        [FromQuery(Name = "order_by")] string? OrderBy,
        [FromQuery(Name = "page_size")] int? PageSize,
        [FromQuery(Name = "page_token")] string? PageToken)
    {
        public Registry.SearchRequest ToRequest() => new()
        {
            Filter = Filter,
            OrderBy = OrderBy,
            PageSize = PageSize ?? 100,
            ContinuationToken = PageToken,
        };
    }
}
