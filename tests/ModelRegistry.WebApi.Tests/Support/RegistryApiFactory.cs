using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry;

namespace ModelRegistry.WebApi.Tests.Support;

/// <summary>
/// Hosts the Web API sample in memory over its own temporary SQLite file (one per test class, deleted afterwards).
/// Also answers <c>/__throw/{code}</c> by throwing a <see cref="ModelRegistryException"/> with that code, behind the
/// host's own exception handling, so every error code's HTTP mapping can be observed end to end.
/// </summary>
public sealed class RegistryApiFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mr-webapi-tests-" + Guid.NewGuid().ToString("N"));

    public RegistryApiFactory()
    {
        Directory.CreateDirectory(_directory);
    }

    public string DatabasePath => Path.Combine(_directory, "registry.db");

    /// <summary>A client acting as <paramref name="actor"/> (no <c>X-Actor</c> header when null), optionally with roles.</summary>
    public HttpClient As(string? actor, string? roles = null)
    {
        var client = CreateClient();
        if (actor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Actor", actor);
        }

        if (roles is not null)
        {
            client.DefaultRequestHeaders.Add("X-Roles", roles);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Registry", $"Data Source={DatabasePath}");
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ThrowingEndpointFilter>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the OS's temp cleaning; the test outcome does not depend on it.
        }
    }

    private sealed class ThrowingEndpointFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);

            // Added after the host's pipeline: reached only for requests no endpoint matched, inside its exception handler.
            app.Use(async (context, nextMiddleware) =>
            {
                const string prefix = "/__throw/";
                var path = context.Request.Path.Value ?? string.Empty;
                if (path.StartsWith(prefix, StringComparison.Ordinal) && Enum.TryParse<ErrorCode>(path[prefix.Length..], out var code))
                {
                    throw new ModelRegistryException(code, $"Thrown for a test of {code}.", "model:probe") { ParameterName = "probe" };
                }

                await nextMiddleware(context);
            });
        };
    }
}
