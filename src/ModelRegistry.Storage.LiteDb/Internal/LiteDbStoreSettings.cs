using LiteDB;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>The validated, resolved form of <see cref="LiteDbStoreOptions"/>.</summary>
internal sealed record LiteDbStoreSettings(string Filename, long InitialSize, TimeSpan FileLockTimeout, bool FlushToDisk = true)
{
    public const string MemoryFilename = ":memory:";

    private static readonly TimeSpan MaxLockTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Whether the database lives in memory only (no file, no lock).</summary>
    public bool InMemory => Filename == MemoryFilename;

    /// <summary>Validates options; every message names the option and the bad value.</summary>
    public static IReadOnlyList<string> Validate(LiteDbStoreOptions options, out LiteDbStoreSettings? settings)
    {
        settings = null;
        var errors = new List<string>();
        if (options is null)
        {
            errors.Add("LiteDbStoreOptions are required.");
            return errors;
        }

        string? filename = null;
        long initialSize = 0;
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var hasFilename = !string.IsNullOrWhiteSpace(options.Filename);

        if (hasConnectionString && hasFilename)
        {
            errors.Add("LiteDbStoreOptions.ConnectionString and LiteDbStoreOptions.Filename are both set; set only one of them.");
        }
        else if (!hasConnectionString && !hasFilename)
        {
            errors.Add("LiteDbStoreOptions.ConnectionString (or LiteDbStoreOptions.Filename) is required, for example UseLiteDb(\"Filename=registry.litedb\").");
        }
        else if (hasFilename)
        {
            filename = options.Filename!.Trim();
        }
        else
        {
            filename = ParseConnectionString(options.ConnectionString!, errors, out initialSize);
        }

        if (options.FileLockTimeout < TimeSpan.Zero || options.FileLockTimeout > MaxLockTimeout)
        {
            errors.Add($"LiteDbStoreOptions.FileLockTimeout is {options.FileLockTimeout}; it must be between zero and {MaxLockTimeout}.");
        }

        if (filename is not null && filename != MemoryFilename)
        {
            if (filename.StartsWith(':'))
            {
                errors.Add($"LiteDbStoreOptions filename '{filename}' is not supported; use a file path or {MemoryFilename}.");
            }
            else if (filename.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                errors.Add($"LiteDbStoreOptions filename '{filename}' contains characters that are not valid in a path.");
            }
        }

        if (errors.Count == 0 && filename is not null)
        {
            settings = new LiteDbStoreSettings(filename, initialSize, options.FileLockTimeout, options.FlushToDisk);
        }

        return errors;
    }

    private static string? ParseConnectionString(string text, List<string> errors, out long initialSize)
    {
        initialSize = 0;
        ConnectionString parsed;
        try
        {
            parsed = new ConnectionString(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or LiteException or InvalidCastException or OverflowException or System.Globalization.CultureNotFoundException)
        {
            errors.Add($"LiteDbStoreOptions.ConnectionString '{text}' cannot be parsed: {ex.Message}");
            return null;
        }

        if (parsed.Connection != ConnectionType.Direct)
        {
            errors.Add($"LiteDbStoreOptions.ConnectionString sets Connection={parsed.Connection}; only Connection=Direct is supported. " +
                "The LiteDB store opens its file exclusively because LiteDB 5 cannot share one file between processes safely; use the SQLite store when several processes must share a registry.");
        }

        Refuse(parsed["password"] is { Length: > 0 }, "Password", "encrypted LiteDB files are not supported by the registry store");
        Refuse(parsed.ReadOnly, "ReadOnly", "the registry store needs to write its audit trail");
        Refuse(parsed.Upgrade, "Upgrade", "the registry store never converts a file in place; upgrade it with LiteDB first");
        Refuse(parsed.AutoRebuild, "Auto-Rebuild", "a rebuild can silently drop damaged records, which an audit trail must not do");
        Refuse(parsed["collation"] is not null, "Collation", "the registry store always creates its files with ordinal (code point) collation");

        if (parsed.InitialSize < 0)
        {
            errors.Add($"LiteDbStoreOptions.ConnectionString sets Initial Size={parsed.InitialSize}; it cannot be negative.");
        }
        else if (parsed.InitialSize % 8192 != 0)
        {
            errors.Add($"LiteDbStoreOptions.ConnectionString sets Initial Size={parsed.InitialSize}; it must be a multiple of 8192 bytes.");
        }

        initialSize = parsed.InitialSize;
        if (string.IsNullOrWhiteSpace(parsed.Filename))
        {
            errors.Add($"LiteDbStoreOptions.ConnectionString '{text}' has no Filename; write for example \"Filename=registry.litedb\".");
            return null;
        }

        return parsed.Filename;

        void Refuse(bool present, string key, string reason)
        {
            if (present)
            {
                errors.Add($"LiteDbStoreOptions.ConnectionString sets {key}, which is not supported: {reason}.");
            }
        }
    }
}
