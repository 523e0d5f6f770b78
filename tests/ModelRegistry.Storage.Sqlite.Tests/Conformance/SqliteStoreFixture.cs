using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Storage.Sqlite.Tests.Conformance;

/// <summary>
/// A fresh SQLite file per test. Every registry instance a test creates gets its own store on that file, so tests
/// that use two instances exercise two stores sharing one file, as two processes would.
/// </summary>
public sealed class SqliteStoreFixture : IStoreFixture, IAuditTamperFixture
{
    private readonly Support.TempStoreFile _file = new();

    /// <summary>Every instance opens the same file, so instances share their data.</summary>
    public bool SupportsSharedInstances => true;

    public void Configure(IModelRegistryBuilder builder)
        => builder.UseSqlite(o =>
        {
            o.ConnectionString = _file.ConnectionString;

            // Durability does not change behaviour; Normal keeps the suite fast on slow disks.
            o.Durability = SqliteDurability.Normal;
        });

    /// <summary>Rewrites the audit table with a plain connection, as someone editing the file would.</summary>
    public async ValueTask ReplaceAuditTrailAsync(ModelRegistryServices services, IReadOnlyList<ModelRegistry.Audit.AuditRecord> records)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_file.ConnectionString + ";Pooling=False");
        await connection.OpenAsync();
        await using var tx = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync();
        var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM audit";
        await delete.ExecuteNonQueryAsync();
        foreach (var r in records)
        {
            var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit (sequence, ts, ts_offset, actor, action, subject, data, prev_hash, hash) VALUES ($s, $t, $o, $a, $ac, $su, $d, $p, $h)";
            insert.Parameters.AddWithValue("$s", r.Sequence);
            insert.Parameters.AddWithValue("$t", r.Timestamp.UtcTicks);
            insert.Parameters.AddWithValue("$o", (long)r.Timestamp.Offset.TotalMinutes);
            insert.Parameters.AddWithValue("$a", r.Actor);
            insert.Parameters.AddWithValue("$ac", r.Action);
            insert.Parameters.AddWithValue("$su", r.Subject);
            insert.Parameters.AddWithValue("$d", r.Data);
            insert.Parameters.AddWithValue("$p", r.PreviousHash);
            insert.Parameters.AddWithValue("$h", r.Hash);
            await insert.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
