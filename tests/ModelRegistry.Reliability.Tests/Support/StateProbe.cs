using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>
/// Reads one slice of the registry's state and reduces it to a fingerprint. A slice is named by a key:
/// <c>model|name</c> (the model with its versions), <c>node|id</c>, <c>edges|nodeId</c>, <c>approvals|model|version</c>,
/// <c>metric|model|version|name</c>. The crash child logs the fingerprint of every slice an operation touches before
/// and after the call; the parent compares them with what it reads after the kill.
/// </summary>
public static class StateProbe
{
    /// <summary>The fingerprint of a slice that does not exist.</summary>
    public const string Absent = "absent";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The window every workload metric point falls in (points carry explicit timestamps).</summary>
    public static readonly MetricWindow MetricWindow = new(Workload.MetricEpoch.AddDays(-1), Workload.MetricEpoch.AddDays(30));

    public static async Task<string> FingerprintAsync(ModelRegistryServices services, string key)
    {
        var parts = key.Split('|');
        try
        {
            var text = parts[0] switch
            {
                "model" => Serialize(await services.Registry.GetModelAsync(parts[1])) + Serialize(await services.Registry.ListVersionsAsync(parts[1])),
                "node" => Serialize(await services.Lineage.GetNodeAsync(parts[1])),
                "edges" => string.Join(';', (await services.Lineage.GetUpstreamAsync(parts[1], new LineageQuery { MaxDepth = 1 })).Edges
                    .Select(e => $"{e.From}>{e.Kind}>{e.To}").Order(StringComparer.Ordinal)),
                "approvals" => string.Join(';', (await services.Compliance.GetApprovalHistoryAsync(parts[1], parts[2]))
                    .Select(a => $"{a.Id}:{a.State}:{a.Reviews.Count}").Order(StringComparer.Ordinal)),
                "metric" => (await services.Performance.GetStatisticsAsync(new MetricQuery
                {
                    Subject = new MetricSubject(parts[1], parts[2]),
                    Metric = MetricKey.Custom(parts[3]),
                    Window = MetricWindow,
                })).Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new ArgumentException($"Unknown probe key '{key}'.", nameof(key)),
            };
            return parts[0] == "metric" ? text : Hash(text);
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return Absent;
        }
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
