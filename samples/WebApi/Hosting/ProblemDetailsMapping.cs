using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Performance;

namespace ModelRegistry.Samples.WebApi.Hosting;

/// <summary>The HTTP status and title of a library error code.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Title">The problem title (constant per code, as RFC 9457 asks).</param>
internal sealed record ErrorStatus(int Status, string Title);

/// <summary>
/// Every <see cref="ErrorCode"/> mapped to an HTTP status, deliberately and in one place (a test proves no code is
/// missing). The statuses follow docs/errors.md: what the caller sent is wrong → 400; the state of the resource
/// conflicts with the request (a duplicate, a stale revision, a stage change that is not allowed from the current stage,
/// a review of a closed request) → 409; a rule of the registry refused a well-formed request (a promotion gate, a
/// missing approval, a failing compliance check) → 422.
/// </summary>
internal static class ErrorMapping
{
    public static IReadOnlyDictionary<ErrorCode, ErrorStatus> Statuses { get; } = new Dictionary<ErrorCode, ErrorStatus>
    {
        [ErrorCode.NotFound] = new(StatusCodes.Status404NotFound, "Not found"),
        [ErrorCode.AlreadyExists] = new(StatusCodes.Status409Conflict, "Already exists"),
        [ErrorCode.InvalidArgument] = new(StatusCodes.Status400BadRequest, "Invalid argument"),
        [ErrorCode.InvalidTransition] = new(StatusCodes.Status409Conflict, "Invalid transition"),
        [ErrorCode.ConcurrencyConflict] = new(StatusCodes.Status409Conflict, "Concurrency conflict"),
        [ErrorCode.PolicyViolation] = new(StatusCodes.Status422UnprocessableEntity, "Policy violation"),
        [ErrorCode.Forbidden] = new(StatusCodes.Status403Forbidden, "Forbidden"),
        [ErrorCode.InvalidFilter] = new(StatusCodes.Status400BadRequest, "Invalid filter"),
        [ErrorCode.StorageUnavailable] = new(StatusCodes.Status503ServiceUnavailable, "Storage unavailable"),
        [ErrorCode.StorageCorrupted] = new(StatusCodes.Status500InternalServerError, "Storage corrupted"),
        [ErrorCode.StorageIncompatible] = new(StatusCodes.Status500InternalServerError, "Storage incompatible"),
    };

    /// <summary>The status of a code; an unmapped code (a newer library) is a server error, never a success.</summary>
    public static ErrorStatus For(ErrorCode code)
        => Statuses.TryGetValue(code, out var status) ? status : new(StatusCodes.Status500InternalServerError, code.ToString());

    /// <summary>What the exception says beyond its message: subject, parameter, filter position, batch index.</summary>
    public static Dictionary<string, object?> DetailsOf(ModelRegistryException exception)
    {
        var details = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (exception.Subject is not null)
        {
            details["subject"] = exception.Subject;
        }

        if (exception.ParameterName is not null)
        {
            details["parameter"] = exception.ParameterName;
        }

        switch (exception)
        {
            case FilterSyntaxException filter:
                details["position"] = filter.Position;
                details["token"] = filter.Token;
                break;
            case MetricBatchValidationException batch:
                details["index"] = batch.Index;
                break;
        }

        return details;
    }
}

/// <summary>
/// Turns a <see cref="ModelRegistryException"/> into an RFC 9457 problem: the status from <see cref="ErrorMapping"/>,
/// the message as <c>detail</c>, and <c>code</c> and <c>details</c> extensions (<c>traceId</c> is added for every
/// problem in <see cref="ProblemDetailsSetup"/>). A malformed request (unreadable JSON, a query value of the wrong
/// type) is reported the same way with code <c>InvalidArgument</c>.
/// </summary>
internal sealed class ModelRegistryExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case ModelRegistryException registryError:
                var status = ErrorMapping.For(registryError.Code);
                problem = new ProblemDetails
                {
                    Status = status.Status,
                    Title = status.Title,
                    Detail = registryError.Message,
                    Extensions =
                    {
                        ["code"] = registryError.Code.ToString(),
                        ["details"] = ErrorMapping.DetailsOf(registryError),
                    },
                };
                if (registryError.Code == ErrorCode.StorageUnavailable)
                {
                    httpContext.Response.Headers.RetryAfter = "1";
                }

                break;
            case BadHttpRequestException badRequest:
                problem = new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = "Invalid request",
                    Detail = badRequest.InnerException is { } inner ? $"{badRequest.Message} {inner.Message}" : badRequest.Message,
                    Extensions =
                    {
                        ["code"] = ErrorCode.InvalidArgument.ToString(),
                        ["details"] = new Dictionary<string, object?>(),
                    },
                };
                break;
            default:
                return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }
}

/// <summary>Registers problem details for every error response, each carrying the request's trace id.</summary>
internal static class ProblemDetailsSetup
{
    public static IServiceCollection AddRegistryProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ModelRegistryExceptionHandler>();

        // Binding failures throw BadHttpRequestException (to the handler above) instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }
}
