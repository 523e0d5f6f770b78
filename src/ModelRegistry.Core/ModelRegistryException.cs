namespace ModelRegistry;

/// <summary>
/// The one exception type thrown by ModelRegistry for expected failures. <see cref="Code"/> is stable;
/// the message is a sentence that says what was wrong and what to do.
/// </summary>
public class ModelRegistryException : Exception
{
    /// <summary>Creates an exception with a code, a message and, optionally, the subject it concerns.</summary>
    /// <param name="code">The stable error code.</param>
    /// <param name="message">What was wrong and what to do.</param>
    /// <param name="subject">The subject the error concerns, such as <c>model:fraud-detector</c>.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public ModelRegistryException(ErrorCode code, string message, string? subject = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Subject = subject;
    }

    /// <summary>The stable error code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The subject the error concerns (for example <c>model:fraud-detector/1.2.0</c>), when there is one.</summary>
    public string? Subject { get; }

    /// <summary>The name of the argument that was invalid, for <see cref="ErrorCode.InvalidArgument"/> errors.</summary>
    public string? ParameterName { get; init; }
}

/// <summary>Thrown when a search filter expression cannot be parsed.</summary>
public sealed class FilterSyntaxException : ModelRegistryException
{
    /// <summary>Creates a filter syntax error.</summary>
    /// <param name="message">What was expected.</param>
    /// <param name="position">Zero-based character position of the offending token.</param>
    /// <param name="token">The offending token text (empty at the end of input).</param>
    public FilterSyntaxException(string message, int position, string token)
        : base(ErrorCode.InvalidFilter, message)
    {
        Position = position;
        Token = token;
    }

    /// <summary>Zero-based character position of the offending token in the filter text.</summary>
    public int Position { get; }

    /// <summary>The offending token (empty when the input ended too early).</summary>
    public string Token { get; }
}
