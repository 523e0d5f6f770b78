// Web API host: the registry, lineage, performance and compliance services over HTTP, the way a registry server
// would expose them. Run it with:  dotnet run --project samples/WebApi   (then open /openapi/v1.json)
using ModelRegistry.Samples.WebApi.Endpoints;
using ModelRegistry.Samples.WebApi.Hosting;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

// The library, registered the usual way. The connection string is read when the store opens (not here), so a test
// host's configuration override is seen. The approval gate of the compliance workflow is on by default.
builder.Services.AddModelRegistry(o => configuration.GetSection("ModelRegistry").Bind(o))
    .UseSqlite(o => o.ConnectionString = configuration.GetConnectionString("Registry") ?? "Data Source=registry.db")
    .ConfigureCompliance(o => configuration.GetSection("Compliance").Bind(o))
    .UseHttpHeaderIdentity();

builder.Services.AddRegistryJson();
builder.Services.AddRegistryProblemDetails();
builder.Services.AddHealthChecks().AddCheck<RegistryStoreHealthCheck>("registry-store");
builder.Services.AddOpenApi(o => o.DescribeSemanticVersionAsString());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapHealthChecks("/health", HealthReportJson.Options);
app.MapModelEndpoints();
app.MapVersionEndpoints();
app.MapRegistryEndpoints();
app.MapLineageEndpoints();
app.MapPerformanceEndpoints();
app.MapGovernanceEndpoints();

app.Run();

/// <summary>The entry point; public so that tests can host the API with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
