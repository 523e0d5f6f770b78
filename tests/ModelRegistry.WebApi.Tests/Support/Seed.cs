using System.Net;
using System.Text.Json.Nodes;

namespace ModelRegistry.WebApi.Tests.Support;

/// <summary>Registers models and versions over HTTP with unique names, so tests sharing a database never collide.</summary>
public static class Seed
{
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<string> RegisterModelAsync(HttpClient client, string prefix, string riskTier = "Minimal", string owner = "team-owner", object? tags = null)
    {
        var name = UniqueName(prefix);

        // The documentation every tier's check asks for, so that a Minimal-risk approval passes without waivers.
        tags ??= new Dictionary<string, string>
        {
            ["compliance.intended_use"] = "Tests of the Web API sample.",
            ["compliance.limitations"] = "Not a real model.",
        };
        await client.Post("/api/models", new { name, description = $"Test model {name}", owners = new[] { owner }, riskTier, tags })
            .ShouldHaveStatus(HttpStatusCode.Created);
        return name;
    }

    public static Task<JsonNode> CreateVersionAsync(HttpClient client, string model, string version, double auc = 0.9, string? artifactHash = null)
        => client.Post($"/api/models/{model}/versions", new
        {
            version,
            description = $"Version {version}",
            metrics = new Dictionary<string, double> { ["auc"] = auc },
            artifacts = new[]
            {
                new { type = "Weights", uri = $"s3://models/{model}/{version}/model.onnx", sha256 = artifactHash ?? Sha(version), sizeBytes = 1024, license = "Apache-2.0" },
            },
        }).ShouldHaveStatus(HttpStatusCode.Created);

    private static string Sha(string seed)
        => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));
}
