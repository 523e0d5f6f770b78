using System.Text.Encodings.Web;
using System.Text.Json;
using ModelRegistry.Storage;

namespace ModelRegistry.Compliance.Internal;

/// <summary>The JSON forms of exported compliance documents: camelCase, enums by name, versions as SemVer text.</summary>
internal static class ComplianceJson
{
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(StoreSerializer.Options)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,

            // Exports are read by people and tools, not embedded in HTML; keep non-ASCII text readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
