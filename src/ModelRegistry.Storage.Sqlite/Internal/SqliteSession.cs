using System.Text;
using Microsoft.Data.Sqlite;

namespace ModelRegistry.Storage.Sqlite.Internal;

/// <summary>
/// One open connection with its prepared commands. A session is used by one caller at a time (the store rents it
/// from a pool); commands are prepared once per SQL text and reused, so hot paths skip SQL compilation.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private const int MaxCachedCommands = 128;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly int _commandTimeoutSeconds;

    public SqliteSession(string connectionString, int busyTimeoutMs, SqliteDurability durability, int commandTimeoutSeconds)
    {
        _commandTimeoutSeconds = commandTimeoutSeconds;
        Connection = new SqliteConnection(connectionString);
        try
        {
            Connection.Open();
            // Arguments arrive as BLOBs (the SQL casts them): Microsoft.Data.Sqlite cuts TEXT function arguments at the
            // first NUL, while the UTF-8 bytes of a BLOB are passed whole.
            Connection.CreateFunction<byte[]?, byte[]?, long, bool>(
                SqliteQueryTranslator.LikeFunction,
                static (value, pattern, caseInsensitive) => value is not null && pattern is not null
                    && Search.LikePattern.IsMatch(Encoding.UTF8.GetString(value), Encoding.UTF8.GetString(pattern), caseInsensitive != 0),
                isDeterministic: true);
            Connection.CreateFunction<byte[]?, byte[]?, bool>(
                StartsWithFunction,
                static (value, prefix) => value is not null && prefix is not null && value.AsSpan().StartsWith(prefix),
                isDeterministic: true);
            Execute($"PRAGMA busy_timeout = {busyTimeoutMs}");
            Execute(durability == SqliteDurability.Normal ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
            Execute("PRAGMA temp_store = MEMORY");

            // 8 MiB of page cache per connection (the default is 2 MiB): the searched tables and their indexes of a
            // registry with tens of thousands of versions then stay in memory.
            Execute("PRAGMA cache_size = -8192");

            // Keeps the ANALYZE that PRAGMA optimize may run short on large stores.
            Execute("PRAGMA analysis_limit = 1000");
        }
        catch
        {
            Connection.Dispose();
            throw;
        }
    }

    /// <summary>The SQL function <c>mr_starts_with(value, prefix)</c>: an ordinal prefix test for prefixes that have no range form.</summary>
    public const string StartsWithFunction = "mr_starts_with";

    public SqliteConnection Connection { get; }

    /// <summary>The store's statistics generation when the session was opened; older sessions are retired.</summary>
    public int Generation { get; set; }

    /// <summary>Rows written since planner statistics were last refreshed (writer session only).</summary>
    public int WritesSinceOptimize { get; set; }

    /// <summary>A prepared command for <paramref name="sql"/>, reused across calls; parameters are bound with <see cref="Bind"/>.</summary>
    public SqliteCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            return command;
        }

        if (_commands.Count >= MaxCachedCommands)
        {
            // Dynamic search shapes are bounded in practice; if a host generates many, start over rather than grow.
            foreach (var c in _commands.Values)
            {
                c.Dispose();
            }

            _commands.Clear();
        }

        command = Connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = _commandTimeoutSeconds;
        _commands.Add(sql, command);
        return command;
    }

    /// <summary>A prepared command with its positional parameters <c>@p0</c>… bound to <paramref name="arguments"/>.</summary>
    public SqliteCommand Command(string sql, IReadOnlyList<object> arguments)
    {
        var command = Command(sql);
        for (var i = 0; i < arguments.Count; i++)
        {
            Bind(command, i < ParameterNames.Length ? ParameterNames[i] : "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments[i]);
        }

        return command;
    }

    private static readonly string[] ParameterNames = [.. Enumerable.Range(0, 64).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Sets a named parameter, adding it on first use.</summary>
    public static void Bind(SqliteCommand command, string name, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index < 0)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        else
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }
    }

    public int Execute(string sql) => Command(sql).ExecuteNonQuery();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
