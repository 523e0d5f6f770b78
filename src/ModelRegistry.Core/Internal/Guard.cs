using System.Runtime.CompilerServices;

namespace ModelRegistry.Internal;

/// <summary>One-line argument checks at the public edge; errors name the parameter.</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, [CallerArgumentExpression(nameof(value))] string? name = null)
        where T : class
        => value ?? throw Invalid(name, $"'{name}' is required.");

    public static string NotEmpty(string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => string.IsNullOrWhiteSpace(value) ? throw Invalid(name, $"'{name}' is required and cannot be empty.") : value;

    public static string MaxLength(string value, int max, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value.Length > max ? throw Invalid(name, $"'{name}' is {value.Length} characters long; the limit is {max}.") : value;

    public static int InRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value < min || value > max ? throw Invalid(name, $"'{name}' is {value}; it must be between {min} and {max}.") : value;

    public static double Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => double.IsFinite(value) ? value : throw Invalid(name, $"'{name}' is {value}; only finite numbers are accepted.");

    public static T Defined<T>(T value, [CallerArgumentExpression(nameof(value))] string? name = null)
        where T : struct, Enum
        => Enum.IsDefined(value) ? value : throw Invalid(name, $"'{name}' has the undefined value {value}.");

    public static ModelRegistryException Invalid(string? parameter, string message, string? subject = null)
        => new(ErrorCode.InvalidArgument, message, subject) { ParameterName = parameter };
}
