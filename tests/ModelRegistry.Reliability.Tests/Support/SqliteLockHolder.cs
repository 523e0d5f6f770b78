using Microsoft.Data.Sqlite;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>Another process holding an exclusive lock on a SQLite file until its standard input closes.</summary>
public static class SqliteLockHolder
{
    public static void Hold(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock_holder (x); INSERT INTO lock_holder VALUES (1);";
        command.ExecuteNonQuery();
        Console.WriteLine("locked");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        command.CommandText = "ROLLBACK";
        command.ExecuteNonQuery();
    }
}
