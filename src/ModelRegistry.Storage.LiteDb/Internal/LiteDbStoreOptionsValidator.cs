using Microsoft.Extensions.Options;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>Checks <see cref="LiteDbStoreOptions"/> once, at start-up; messages name the option and the bad value.</summary>
internal sealed class LiteDbStoreOptionsValidator : IValidateOptions<LiteDbStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, LiteDbStoreOptions options)
    {
        var errors = LiteDbStoreSettings.Validate(options, out _);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
