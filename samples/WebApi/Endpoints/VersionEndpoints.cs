using Microsoft.AspNetCore.Http.HttpResults;
using ModelRegistry.Registry;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>Versions of a model: create, read, list, describe, tags, stage transitions, canary traffic, provider bindings.</summary>
internal static class VersionEndpoints
{
    public static void MapVersionEndpoints(this IEndpointRouteBuilder app)
    {
        var versions = app.MapGroup("/api/models/{name}/versions").WithTags("Versions").WithRegistryProblems();

        versions.MapPost("/", async Task<Created<ModelVersion>> (string name, CreateVersionRequest request, IModelRegistry registry, CancellationToken ct) =>
        {
            var version = await registry.CreateVersionAsync(name, request, ct);
            return TypedResults.Created($"/api/models/{Uri.EscapeDataString(version.ModelName)}/versions/{Uri.EscapeDataString(version.Version.ToString())}", version);
        }).WithName("CreateVersion").WithSummary("Creates a version (explicit or next by increment) in Development.");

        versions.MapGet("/", async (string name, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.ListVersionsAsync(name, ct)))
            .WithName("ListVersions").WithSummary("The model's versions, highest first.");

        versions.MapGet("/{version}", async (string name, string version, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.GetVersionAsync(name, version, ct)))
            .WithName("GetVersion");

        versions.MapPatch("/{version}", async (string name, string version, VersionDescriptionBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.UpdateVersionDescriptionAsync(name, version, body.Description, ct)))
            .WithName("UpdateVersionDescription");

        versions.MapPut("/{version}/tags/{key}", async (string name, string version, string key, TagValueBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SetVersionTagAsync(name, version, key, body.Value, ct)))
            .WithName("SetVersionTag");

        versions.MapDelete("/{version}/tags/{key}", async (string name, string version, string key, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.DeleteVersionTagAsync(name, version, key, ct)))
            .WithName("DeleteVersionTag");

        versions.MapPost("/{version}/stage", async (string name, string version, StageTransitionBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.TransitionStageAsync(name, version, body.Stage, body.ToOptions(), ct)))
            .WithName("TransitionStage").WithSummary("Moves a version to another stage, through the transition table and every promotion gate.");

        versions.MapPut("/{version}/canary-traffic", async (string name, string version, CanaryTrafficBody body, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.SetCanaryTrafficAsync(name, version, body.Percent, ct)))
            .WithName("SetCanaryTraffic");

        versions.MapPost("/{version}/bindings", async (string name, string version, ProviderBindingRequest binding, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.AddProviderBindingAsync(name, version, binding, ct)))
            .WithName("AddProviderBinding");

        versions.MapPatch("/{version}/bindings/{bindingId}", async (string name, string version, string bindingId, ProviderBindingUpdate update, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.UpdateProviderBindingAsync(name, version, bindingId, update, ct)))
            .WithName("UpdateProviderBinding");

        versions.MapDelete("/{version}/bindings/{bindingId}", async (string name, string version, string bindingId, IModelRegistry registry, CancellationToken ct)
            => TypedResults.Ok(await registry.RemoveProviderBindingAsync(name, version, bindingId, ct)))
            .WithName("RemoveProviderBinding");
    }
}

/// <summary>A version's new description.</summary>
/// <param name="Description">The description, or <see langword="null"/> to clear it.</param>
internal sealed record VersionDescriptionBody(string? Description);

/// <summary>A stage transition.</summary>
/// <param name="Stage">The target stage.</param>
/// <param name="CanaryTrafficPercent">1–99; required when the target is Canary.</param>
/// <param name="Reason">Recorded in the audit trail.</param>
/// <param name="ExpectedRevision">The version revision the change is based on.</param>
internal sealed record StageTransitionBody(ModelStage Stage, int? CanaryTrafficPercent = null, string? Reason = null, long? ExpectedRevision = null)
{
    public StageTransitionOptions ToOptions() => new()
    {
        CanaryTrafficPercent = CanaryTrafficPercent,
        Reason = Reason,
        ExpectedRevision = ExpectedRevision,
    };
}

/// <summary>The canary's share of traffic.</summary>
/// <param name="Percent">1–99.</param>
internal sealed record CanaryTrafficBody(int Percent);
