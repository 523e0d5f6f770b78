using System.Text;
using System.Text.RegularExpressions;
using ModelRegistry.Registry;

namespace ModelRegistry.Internal;

/// <summary>The input rules of the registry, checked before anything is written.</summary>
internal static partial class Validation
{
    public const int MaxTagKeyLength = 250;
    public const int MaxTagValueLength = 5_000;
    public const int MaxTextLength = 10_000;
    public const int MaxShortTextLength = 256;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex ModelNameRegex();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AliasRegex();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,128}$")]
    private static partial Regex BindingIdRegex();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Regex();

    public static string ModelName(string? name, string parameter = "name")
    {
        if (name is null || !ModelNameRegex().IsMatch(name))
        {
            throw Guard.Invalid(parameter, $"'{Show(name)}' is not a valid model name: use 1–128 letters, digits, '.', '_' or '-' (no '/', so model URIs stay unambiguous).");
        }

        return name;
    }

    public static string Alias(string? alias)
    {
        if (alias is null || !AliasRegex().IsMatch(alias))
        {
            throw Guard.Invalid("alias", $"'{Show(alias)}' is not a valid alias: use 1–64 letters, digits, '_' or '-'.");
        }

        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase))
        {
            throw Guard.Invalid("alias", "'latest' is reserved: it always means the highest version. Choose another alias.");
        }

        return alias;
    }

    public static string BindingId(string id)
        => BindingIdRegex().IsMatch(id) ? id : throw Guard.Invalid("id", $"'{Show(id)}' is not a valid binding id: use 1–128 letters, digits, '_', '.', ':' or '-'.");

    /// <summary>Free text: bounded, and valid UTF-16 (a lone surrogate cannot be stored faithfully by every engine).</summary>
    public static string? Text(string? value, string parameter, int max = MaxTextLength, bool required = false)
    {
        if (value is null)
        {
            return required ? throw Guard.Invalid(parameter, $"'{parameter}' is required.") : null;
        }

        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required and cannot be empty.");
        }

        if (value.Length > max)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {value.Length} characters long; the limit is {max}.");
        }

        if (!IsWellFormed(value))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' contains an unpaired UTF-16 surrogate or a NUL character; send valid Unicode text.");
        }

        return value;
    }

    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    public static IReadOnlyList<string> Owners(IReadOnlyList<string>? owners)
    {
        if (owners is null || owners.Count == 0)
        {
            throw Guard.Invalid("owners", "A model needs at least one owner (a person or team accountable for it).");
        }

        if (owners.Count > 100)
        {
            throw Guard.Invalid("owners", $"A model can have at most 100 owners; {owners.Count} were given.");
        }

        var result = new List<string>(owners.Count);
        foreach (var owner in owners)
        {
            var o = Text(owner, "owners", MaxShortTextLength, required: true)!.Trim();
            if (!result.Contains(o, StringComparer.Ordinal))
            {
                result.Add(o);
            }
        }

        return result;
    }

    public static void TagKey(string? key)
    {
        Text(key, "key", MaxTagKeyLength, required: true);
    }

    public static void TagValue(string? value)
    {
        if (value is null)
        {
            throw Guard.Invalid("value", "A tag value is required (use an empty string for a flag).");
        }

        Text(value, "value", MaxTagValueLength);
    }

    public static IReadOnlyDictionary<string, string> Tags(IReadOnlyDictionary<string, string>? tags, int maxBytes, string parameter = "tags")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tags is null)
        {
            return result;
        }

        foreach (var (k, v) in tags)
        {
            TagKey(k);
            TagValue(v);
            result[k] = v;
        }

        CheckSize(result, maxBytes, parameter);
        return result;
    }

    public static IReadOnlyDictionary<string, string> Parameters(IReadOnlyDictionary<string, string>? values, int maxBytes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in values ?? EmptyMap.Strings)
        {
            Text(k, "parameters", MaxTagKeyLength, required: true);
            Text(v ?? throw Guard.Invalid("parameters", $"Parameter '{k}' has no value."), "parameters", MaxTagValueLength);
            result[k] = v;
        }

        CheckSize(result, maxBytes, "parameters");
        return result;
    }

    public static IReadOnlyDictionary<string, double> Metrics(IReadOnlyDictionary<string, double>? values)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in values ?? EmptyMap.Numbers)
        {
            Text(k, "metrics", MaxTagKeyLength, required: true);
            if (!double.IsFinite(v))
            {
                throw Guard.Invalid("metrics", $"Metric '{k}' is {v}; only finite numbers are accepted.");
            }

            result[k] = v;
        }

        return result;
    }

    public static ModelArtifact Artifact(ModelArtifact? artifact, int index)
    {
        var p = $"artifacts[{index}]";
        if (artifact is null)
        {
            throw Guard.Invalid(p, $"{p} is null.");
        }

        Guard.Defined(artifact.Type, p + ".Type");
        ArtifactUri(artifact.Uri, p + ".Uri");
        if (artifact.Sha256 is not null && !Sha256Regex().IsMatch(artifact.Sha256))
        {
            throw Guard.Invalid(p, $"{p}.Sha256 must be 64 lower-case hex characters (a SHA-256 digest); got '{Show(artifact.Sha256)}'.");
        }

        if (artifact.SizeBytes is < 0)
        {
            throw Guard.Invalid(p, $"{p}.SizeBytes is {artifact.SizeBytes}; a size cannot be negative.");
        }

        Text(artifact.License, p + ".License", MaxShortTextLength);
        return artifact;
    }

    /// <summary>Artifact locations: an absolute URI, or a relative path that cannot climb out of its root.</summary>
    public static string ArtifactUri(string? uri, string parameter)
    {
        Text(uri, parameter, 2_048, required: true);
        if (Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && !string.IsNullOrEmpty(absolute.Scheme) && absolute.Scheme.Length > 1)
        {
            return uri!;
        }

        var segments = uri!.Replace('\\', '/').Split('/');
        if (uri.StartsWith('/') || uri.StartsWith('\\') || segments.Contains("..") || uri.Contains(':', StringComparison.Ordinal))
        {
            throw Guard.Invalid(parameter, $"'{Show(uri)}' is not an acceptable artifact location: use an absolute URI (s3://, https://, file://, oci://) or a relative path without '..'.");
        }

        return uri;
    }

    public static string? Endpoint(string? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }

        Text(endpoint, "endpoint", 2_048);
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Guard.Invalid("endpoint", $"'{Show(endpoint)}' is not an absolute http(s) URI.");
        }

        return endpoint;
    }

    public static double? Rate(double? value, string parameter)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 0 || v > 1))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {v}; it must be a rate between 0 and 1.");
        }

        return value;
    }

    public static double? NonNegative(double? value, string parameter, bool strictlyPositive = false)
    {
        if (value is { } v && (!double.IsFinite(v) || v < 0 || (strictlyPositive && v == 0)))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {v}; it must be a finite number {(strictlyPositive ? "greater than 0" : "of 0 or more")}.");
        }

        return value;
    }

    public static decimal Cost(decimal value, string parameter)
        => value < 0 ? throw Guard.Invalid(parameter, $"'{parameter}' is {value}; a price cannot be negative.") : value;

    public static int CanaryPercent(int? percent)
    {
        if (percent is not { } p || p < 1 || p > 99)
        {
            throw Guard.Invalid("canaryTrafficPercent", $"A canary needs a traffic percentage between 1 and 99{(percent is null ? "; none was given" : $"; got {percent}")}.");
        }

        return p;
    }

    private static void CheckSize(IReadOnlyDictionary<string, string> values, int maxBytes, string parameter)
    {
        long bytes = 0;
        foreach (var (k, v) in values)
        {
            bytes += Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(v);
        }

        if (bytes > maxBytes)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' holds {bytes:N0} bytes; the limit is {maxBytes:N0} (ModelRegistryOptions.MaxMetadataBytes).");
        }
    }

    public static string Show(string? value)
        => value is null ? "(null)" : value.Length > 80 ? value[..80] + "…" : value;
}
