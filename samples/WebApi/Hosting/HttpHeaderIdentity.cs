using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRegistry.Compliance;

namespace ModelRegistry.Samples.WebApi.Hosting;

/// <summary>
/// Sample-only identity: the caller names itself in the <c>X-Actor</c> header and its compliance roles in
/// <c>X-Roles</c>. A real host authenticates the caller (JWT bearer, cookies, mTLS…) and maps
/// <c>HttpContext.User</c> onto <see cref="IActorAccessor"/> and <see cref="IComplianceRoleProvider"/> the same way;
/// trusting headers like these is only acceptable behind a gateway that sets them.
/// </summary>
internal static class HttpHeaderIdentity
{
    public const string ActorHeader = "X-Actor";
    public const string RolesHeader = "X-Roles";

    /// <summary>Replaces the library's actor accessor and role provider with the header-based ones.</summary>
    public static IModelRegistryBuilder UseHttpHeaderIdentity(this IModelRegistryBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.Replace(ServiceDescriptor.Singleton<IActorAccessor, HttpHeaderActorAccessor>());
        return builder.UseComplianceRoles<HttpHeaderRoleProvider>();
    }
}

/// <summary>
/// The actor of the current request. Without an <c>X-Actor</c> header the actor is empty, and the library refuses
/// every change (and every governance read) with <see cref="ErrorCode.Forbidden"/>: nothing is attributed to nobody.
/// Outside a request (start-up, background delivery) the configured <see cref="ModelRegistryOptions.DefaultActor"/> acts.
/// </summary>
internal sealed class HttpHeaderActorAccessor(IHttpContextAccessor http, IOptions<ModelRegistryOptions> options) : IActorAccessor
{
    public string CurrentActor => http.HttpContext is { } context
        ? context.Request.Headers[HttpHeaderIdentity.ActorHeader].ToString().Trim()
        : options.Value.DefaultActor;
}

/// <summary>
/// Compliance roles of the current request's actor from <c>X-Roles</c> (comma-separated <see cref="ComplianceRoles"/>
/// names, for example <c>Reviewer, Approver</c>). Without the header it falls back to
/// <see cref="ComplianceOptions.Roles"/> and <see cref="ComplianceOptions.DefaultRoles"/>, as the library's default does.
/// </summary>
internal sealed class HttpHeaderRoleProvider(IHttpContextAccessor http, IOptions<ComplianceOptions> options) : IComplianceRoleProvider
{
    public ValueTask<ComplianceRoles> GetRolesAsync(string actor, string? modelName, CancellationToken cancellationToken)
    {
        var request = http.HttpContext?.Request;
        var header = request?.Headers[HttpHeaderIdentity.RolesHeader].ToString();
        var isCaller = request is not null
            && string.Equals(request.Headers[HttpHeaderIdentity.ActorHeader].ToString().Trim(), actor, StringComparison.Ordinal);
        if (isCaller && !string.IsNullOrWhiteSpace(header))
        {
            return ValueTask.FromResult(Parse(header));
        }

        var configured = options.Value;
        return ValueTask.FromResult(configured.Roles.TryGetValue(actor, out var roles) ? roles : configured.DefaultRoles);
    }

    private static ComplianceRoles Parse(string header)
    {
        var roles = ComplianceRoles.None;
        foreach (var name in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Names only: Enum.TryParse would also accept numbers, which no caller should send.
            if (!Enum.TryParse<ComplianceRoles>(name, ignoreCase: true, out var role) || char.IsAsciiDigit(name[0]) || !Enum.IsDefined(role))
            {
                throw new ModelRegistryException(
                    ErrorCode.InvalidArgument,
                    $"The {HttpHeaderIdentity.RolesHeader} header names the unknown role '{name}'; use comma-separated names from: {string.Join(", ", Enum.GetNames<ComplianceRoles>())}.")
                {
                    ParameterName = HttpHeaderIdentity.RolesHeader,
                };
            }

            roles |= role;
        }

        return roles;
    }
}
