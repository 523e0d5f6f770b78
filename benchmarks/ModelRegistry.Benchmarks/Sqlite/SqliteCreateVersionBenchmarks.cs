using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite;

namespace ModelRegistry.Benchmarks.Sqlite;

/// <summary>Version creation on SQLite (synchronous=FULL on both sides) against hand-written prepared INSERTs.</summary>
[SlowOperationJob]
[BenchmarkDotNet.Attributes.BenchmarkCategory("Sqlite", "Create")]
public class SqliteCreateVersionBenchmarks : CreateVersionBenchmarks<RawSqlite>
{
    protected override (string Prefix, string Extension) FileKind => ("sqlite-create", "db");

    protected override void UseStore(IModelRegistryBuilder builder, string file)
        => builder.UseSqlite(o =>
        {
            o.ConnectionString = $"Data Source={file}";
            o.Durability = SqliteDurability.Full;
        });

    protected override RawSqlite OpenRaw(string file, IEnumerable<RegisteredModel> models)
    {
        RawSqlite.Seed(file, models, []);
        return RawSqlite.Open(file);
    }

    protected override void CreateRawVersion(RawSqlite raw, ModelVersion version, DateTimeOffset now) => raw.CreateVersion(version, now);
}
