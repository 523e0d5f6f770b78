using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModelRegistry.Registry.Internal;

/// <summary>
/// SHA-256 over a canonical JSON of a version's immutable definition (source commit, run, parameters, metrics,
/// artifacts, derived-from) — not its number, description or tags — so two registrations of the same content are
/// recognised whatever they are called. Keys are sorted ordinally; numbers use round-trip formatting.
/// </summary>
internal static class ContentHash
{
    public static bool IsEmpty(ModelVersion v)
        => v.SourceCommit is null && v.RunId is null && v.Parameters.Count == 0 && v.Metrics.Count == 0 && v.Artifacts.Count == 0 && v.DerivedFrom is null;

    public static string Compute(ModelVersion v)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("commit", v.SourceCommit);
            w.WriteString("runId", v.RunId);
            w.WriteString("derivedFrom", v.DerivedFrom);
            w.WriteStartObject("parameters");
            foreach (var (k, value) in v.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("metrics");
            foreach (var (k, value) in v.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, value.ToString("R", CultureInfo.InvariantCulture));
            }

            w.WriteEndObject();
            w.WriteStartArray("artifacts");
            foreach (var a in v.Artifacts)
            {
                w.WriteStartObject();
                w.WriteString("type", a.Type.ToString());
                w.WriteString("uri", a.Uri);
                w.WriteString("sha256", a.Sha256);
                if (a.SizeBytes is { } size)
                {
                    w.WriteNumber("size", size);
                }

                w.WriteString("license", a.License);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
    }
}
