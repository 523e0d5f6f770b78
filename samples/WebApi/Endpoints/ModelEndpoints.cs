using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Registry;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>Registered models: register, read, search, update, deprecate, delete, tags and aliases.</summary>
internal static class ModelEndpoints
{
    public static void MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/models").WithTags("Models").WithRegistryProblems();

        models.MapPost("/", async Task<Created<RegisteredModel>> (RegisterModelRequest request, IModelRegistry registry, CancellationToken ct) =>
        {
            var model = await registry.RegisterModelAsync(request, ct);
            return TypedResults.Created($"/api/models/{Uri.EscapeDataString(model.Name)}", model);
        }).WithName("RegisterModel").WithSummary("Registers a model.");

        models.MapGet("/", async ([AsParameters] ApiConventions.SearchParameters search, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SearchModelsAsync(search.ToRequest(), ct)))
            .WithName("SearchModels").WithSummary("Searches models with a filter, ordering and a continuation token.");

        models.MapGet("/{name}", async (string name, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.GetModelAsync(name, ct)))
            .WithName("GetModel");

        models.MapPatch("/{name}", async (string name, ModelUpdate update, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.UpdateModelAsync(name, update, ct)))
            .WithName("UpdateModel").WithSummary("Updates descriptive fields; pass expectedRevision to detect concurrent changes.");

        models.MapDelete("/{name}", async Task<NoContent> (string name, [FromQuery(Name = "expected_revision")] long? expectedRevision, IModelRegistry registry, CancellationToken ct) =>
        {
            await registry.DeleteModelAsync(name, expectedRevision, ct);
            return TypedResults.NoContent();
        }).WithName("DeleteModel").WithSummary("Deletes a model and its versions; refused while a version serves canary or production.");

        models.MapPost("/{name}/deprecate", async (string name, DeprecateModelBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.DeprecateModelAsync(name, body.Reason, body.ReplacedBy, ct)))
            .WithName("DeprecateModel");

        models.MapPost("/{name}/undeprecate", async (string name, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.UndeprecateModelAsync(name, ct)))
            .WithName("UndeprecateModel");

        models.MapPut("/{name}/tags/{key}", async (string name, string key, TagValueBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SetModelTagAsync(name, key, body.Value, ct)))
            .WithName("SetModelTag");

        models.MapDelete("/{name}/tags/{key}", async (string name, string key, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.DeleteModelTagAsync(name, key, ct)))
            .WithName("DeleteModelTag");

        models.MapPut("/{name}/aliases/{alias}", async (string name, string alias, AliasBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SetAliasAsync(name, alias, body.Version, ct)))
            .WithName("SetAlias").WithSummary("Points an alias at a version, moving it if it exists.");

        models.MapGet("/{name}/aliases/{alias}", async (string name, string alias, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.ResolveAsync($"models:/{name}@{alias}", ct)))
            .WithName("ResolveAlias").WithSummary("The version an alias points at.");

        models.MapDelete("/{name}/aliases/{alias}", async (string name, string alias, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.DeleteAliasAsync(name, alias, ct)))
            .WithName("DeleteAlias");

        models.MapPost("/{name}/rollback", async (string name, RollbackBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.RollbackAsync(name, body.Reason, ct)))
            .WithName("Rollback").WithSummary("Restores the previous production version and marks the current one rolled back.");
    }
}

/// <summary>Why a model is deprecated, and what replaces it.</summary>
/// <param name="Reason">Why.</param>
/// <param name="ReplacedBy">The replacement model, if any.</param>
internal sealed record DeprecateModelBody(string Reason, string? ReplacedBy = null);

/// <summary>A tag value.</summary>
/// <param name="Value">The value (≤ 5,000 characters).</param>
internal sealed record TagValueBody(string Value);

/// <summary>The version an alias points at.</summary>
/// <param name="Version">The version text.</param>
internal sealed record AliasBody(string Version);

/// <summary>Why a rollback is made.</summary>
/// <param name="Reason">Recorded in the audit trail.</param>
internal sealed record RollbackBody(string Reason);
