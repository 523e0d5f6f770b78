using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Storage;

namespace ModelRegistry.Samples.WebApi.Hosting;

/// <summary>
/// Healthy when the store answers a read of its change sequence (a cheap query that touches the database). The store
/// is resolved inside the check because opening it is what fails for a damaged or incompatible file.
/// </summary>
internal sealed class RegistryStoreHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var store = services.GetRequiredService<IRegistryStore>();
            var sequence = await store.GetChangeSequenceAsync(cancellationToken);
            return HealthCheckResult.Healthy("The registry store answered.", new Dictionary<string, object> { ["changeSequence"] = sequence });
        }
        catch (ModelRegistryException ex)
        {
            return HealthCheckResult.Unhealthy($"The registry store did not answer ({ex.Code}): {ex.Message}", ex);
        }
    }
}

/// <summary>Writes the health report as JSON: overall status and one entry per check.</summary>
internal static class HealthReportJson
{
    public static HealthCheckOptions Options { get; } = new()
    {
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.Select(e => new
                {
                    name = e.Key,
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description,
                    data = e.Value.Data,
                }),
            }));
        },
    };
}
