using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelRegistry.DependencyInjection;

internal sealed class ModelRegistryBuilder(IServiceCollection services) : IModelRegistryBuilder
{
    public IServiceCollection Services { get; } = services;
}

internal sealed class DefaultActorAccessor(IOptions<ModelRegistryOptions> options) : IActorAccessor
{
    public string CurrentActor { get; } = options.Value.DefaultActor;
}

internal sealed class FixedActorAccessor(string actor) : IActorAccessor
{
    public string CurrentActor { get; } = actor;
}

/// <summary>Checks <see cref="ModelRegistryOptions"/> once, at start-up; messages name the option and the bad value.</summary>
internal sealed class ModelRegistryOptionsValidator : IValidateOptions<ModelRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelRegistryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultActor))
        {
            failures.Add("ModelRegistryOptions.DefaultActor must not be empty; every change is attributed to an actor.");
        }

        if (options.DefaultRetentionKeepLast is < 1 or > 10)
        {
            failures.Add($"ModelRegistryOptions.DefaultRetentionKeepLast is {options.DefaultRetentionKeepLast}; it must be between 1 and 10.");
        }

        if (options.MaxMetadataBytes is < 1024 or > 1024 * 1024)
        {
            failures.Add($"ModelRegistryOptions.MaxMetadataBytes is {options.MaxMetadataBytes}; it must be between 1024 and 1048576.");
        }

        if (options.DefaultPageSize is < 1 or > 1000)
        {
            failures.Add($"ModelRegistryOptions.DefaultPageSize is {options.DefaultPageSize}; it must be between 1 and 1000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
