using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Registry;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>Registry-wide operations: version search, URI resolution, provider bindings, retention, statistics.</summary>
internal static class RegistryEndpoints
{
    public static void MapRegistryEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Registry").WithRegistryProblems();

        api.MapGet("/versions", async ([AsParameters] ApiConventions.SearchParameters search, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SearchVersionsAsync(search.ToRequest(), ct)))
            .WithName("SearchVersions").WithSummary("Searches versions of all models with a filter, ordering and a continuation token.");

        api.MapGet("/resolve", async ([FromQuery] string uri, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.ResolveAsync(uri, ct)))
            .WithName("ResolveModelUri").WithSummary("Resolves models:/name/1.2.0, models:/name@alias, models:/name/production or models:/name/latest.");

        api.MapGet("/bindings", async ([AsParameters] BindingQueryParameters query, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.ListProviderBindingsAsync(query.ToQuery(), ct)))
            .WithName("ListProviderBindings");

        api.MapPost("/retention", async (RetentionBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.ApplyRetentionAsync(body.ToRequest(), ct)))
            .WithName("ApplyRetention").WithSummary("Plans (dryRun, the default) or applies keep-last-N retention.");

        api.MapGet("/statistics", async (IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.GetStatisticsAsync(ct)))
            .WithName("GetStatistics");

        api.MapGet("/stage-transitions", () => TypedResults.Ok(
                Enum.GetValues<ModelStage>().ToDictionary(stage => stage, StageTransitions.AllowedFrom)))
            .WithName("ListStageTransitions").WithSummary("The stages each stage may move to.");
    }

    /// <summary>Filters of the provider binding listing; all given filters must match.</summary>
    internal sealed record BindingQueryParameters(
        [FromQuery(Name = "model")] string? Model,
        [FromQuery(Name = "version")] string? Version,
        [FromQuery(Name = "provider")] string? Provider,
        [FromQuery(Name = "status")] BindingStatus? Status,
        [FromQuery(Name = "min_success_rate")] double? MinimumSuccessRate,
        [FromQuery(Name = "region")] string? Region)
    {
        public ProviderBindingQuery ToQuery() => new()
        {
            ModelName = Model,
            Version = Version,
            Provider = Provider,
            Status = Status,
            MinimumSuccessRate = MinimumSuccessRate,
            Region = Region,
        };
    }
}

/// <summary>A retention run. Over HTTP it is a dry run unless the caller says otherwise.</summary>
/// <param name="ModelName">Only this model; all when omitted.</param>
/// <param name="KeepLast">Versions to keep per model (1–10).</param>
/// <param name="DryRun">Plan only (default <see langword="true"/>).</param>
internal sealed record RetentionBody(string? ModelName = null, int? KeepLast = null, bool DryRun = true)
{
    public RetentionRequest ToRequest() => new() { ModelName = ModelName, KeepLast = KeepLast, DryRun = DryRun };
}
