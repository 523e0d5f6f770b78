using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ModelRegistry.Storage.Sqlite;

/// <summary>Validates <see cref="SqliteStoreOptions"/> at start-up; every message names the option and the bad value.</summary>
internal sealed class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>
{
    internal static readonly TimeSpan MinBusyTimeout = TimeSpan.FromMilliseconds(10);
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> Check(SqliteStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("SqliteStoreOptions.ConnectionString is empty; set it, for example UseSqlite(\"Data Source=registry.db\").");
        }
        else
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    failures.Add($"SqliteStoreOptions.ConnectionString '{options.ConnectionString}' has no Data Source; name the file, for example \"Data Source=registry.db\".");
                }

                if (!string.IsNullOrEmpty(builder.Password))
                {
                    failures.Add("SqliteStoreOptions.ConnectionString sets a Password, but the bundled SQLite library has no encryption; remove it (encrypt the disk or the file system instead).");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                failures.Add($"SqliteStoreOptions.ConnectionString '{options.ConnectionString}' is not a valid SQLite connection string: {ex.Message}");
            }
        }

        if (!Enum.IsDefined(options.Durability))
        {
            failures.Add($"SqliteStoreOptions.Durability is {(int)options.Durability}, which is not a SqliteDurability value; use Full or Normal.");
        }

        if (options.BusyTimeout < MinBusyTimeout || options.BusyTimeout > MaxBusyTimeout)
        {
            failures.Add($"SqliteStoreOptions.BusyTimeout is {options.BusyTimeout}; it must be between {MinBusyTimeout.TotalMilliseconds:0} ms and {MaxBusyTimeout.TotalMinutes:0} minutes.");
        }

        return failures;
    }
}
