using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// Fingerprints of the values a record keeps in side tables (tags, owners, metrics, params, providers). An update whose
/// fingerprint is unchanged — a stage change, a description edit — leaves the side tables and their indexes alone,
/// which keeps the common writes small.
/// </summary>
internal static class SideRows
{
    public static byte[] Fingerprint(RegisteredModel model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendMap(hash, model.Tags);
        AppendInt(hash, model.Owners.Count);
        foreach (var owner in model.Owners)
        {
            AppendString(hash, owner);
        }

        return hash.GetHashAndReset()[..16];
    }

    public static byte[] Fingerprint(ModelVersion version)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendMap(hash, version.Tags);
        AppendMap(hash, version.Parameters);
        AppendInt(hash, version.Metrics.Count);
        Span<byte> bits = stackalloc byte[8];
        foreach (var (key, value) in version.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AppendString(hash, key);
            BinaryPrimitives.WriteInt64BigEndian(bits, BitConverter.DoubleToInt64Bits(value));
            hash.AppendData(bits);
        }

        AppendInt(hash, version.ProviderBindings.Count);
        foreach (var binding in version.ProviderBindings)
        {
            AppendString(hash, binding.Provider);
        }

        return hash.GetHashAndReset()[..16];
    }

    private static void AppendMap(IncrementalHash hash, IReadOnlyDictionary<string, string> map)
    {
        AppendInt(hash, map.Count);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AppendString(hash, key);
            AppendString(hash, value);
        }
    }

    private static void AppendString(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendInt(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private static void AppendInt(IncrementalHash hash, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        hash.AppendData(bytes);
    }
}

/// <summary>The kinds of keyed version values that share the <c>version_attrs</c> side table.</summary>
internal static class VersionAttribute
{
    /// <summary>A tag (TEXT value).</summary>
    public const long Tag = 0;

    /// <summary>A training parameter (TEXT value).</summary>
    public const long Parameter = 1;

    /// <summary>A metric (REAL value).</summary>
    public const long Metric = 2;
}
