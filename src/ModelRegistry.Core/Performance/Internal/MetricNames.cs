using System.Text.Json;

namespace ModelRegistry.Performance.Internal;

/// <summary>How the performance path names series and dimensions in the metric store.</summary>
internal static class MetricNames
{
    /// <summary>The custom metric that <see cref="IPerformanceTracker.TrackInferenceAsync"/> records input tokens under.</summary>
    public static readonly MetricKey InputTokens = MetricKey.Custom("tokens.input");

    /// <summary>The custom metric that <see cref="IPerformanceTracker.TrackInferenceAsync"/> records output tokens under.</summary>
    public static readonly MetricKey OutputTokens = MetricKey.Custom("tokens.output");

    /// <summary>The dimension that carries a failed request's error kind on its ErrorRate point.</summary>
    public const string ErrorKindDimension = "error_kind";

    /// <summary>The store's metric key: the kind's name, or <c>Custom:name</c>. Kind names are public API and never change.</summary>
    public static string Key(MetricKey key) => key.ToString();

    public static string Key(MetricKind kind, string? customName)
        => kind == MetricKind.Custom ? $"Custom:{customName}" : (uint)kind < (uint)KindKeys.Length ? KindKeys[(int)kind] : kind.ToString();

    /// <summary>The names of the built-in kinds, computed once (one shared string per kind keeps series lookups cheap).</summary>
    private static readonly string[] KindKeys = [.. Enum.GetValues<MetricKind>().TakeWhile((k, i) => (int)k == i).Select(k => k.ToString())];

    /// <summary>Canonical JSON of the dimensions: keys in ordinal order; <see langword="null"/> when there are none.</summary>
    public static string? Dimensions(IReadOnlyDictionary<string, string>? dimensions, string? errorKind = null)
    {
        if ((dimensions is null || dimensions.Count == 0) && errorKind is null)
        {
            return null;
        }

        var pairs = new List<KeyValuePair<string, string>>(dimensions?.Count + 1 ?? 1);
        if (dimensions is not null)
        {
            pairs.AddRange(dimensions);
        }

        if (errorKind is not null)
        {
            pairs.RemoveAll(p => p.Key == ErrorKindDimension);
            pairs.Add(new(ErrorKindDimension, errorKind));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads stored dimensions JSON back into a map (empty for <see langword="null"/>).</summary>
    public static IReadOnlyDictionary<string, string> ParseDimensions(string? json)
    {
        if (json is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(ErrorCode.StorageCorrupted, $"A stored metric point has unreadable dimensions ({ex.Message}); the metric store is damaged.", innerException: ex);
        }
    }

    /// <summary>
    /// Whether stored dimensions contain every pair of <paramref name="filter"/>. Points of one series mostly share a few
    /// dimension strings, so answers are memoised per distinct string in <paramref name="memo"/>, which therefore
    /// belongs to one filter (one query).
    /// </summary>
    public static bool Matches(string? json, IReadOnlyDictionary<string, string> filter, Dictionary<string, bool> memo)
    {
        if (filter.Count == 0)
        {
            return true;
        }

        if (json is null)
        {
            return false;
        }

        if (memo.TryGetValue(json, out var known))
        {
            return known;
        }

        var parsed = ParseDimensions(json);
        var matches = filter.All(f => parsed.TryGetValue(f.Key, out var v) && string.Equals(v, f.Value, StringComparison.Ordinal));
        if (memo.Count < 10_000)
        {
            memo[json] = matches;
        }

        return matches;
    }
}
