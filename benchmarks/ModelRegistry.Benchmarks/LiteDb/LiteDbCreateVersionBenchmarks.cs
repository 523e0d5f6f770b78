using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Registry;

namespace ModelRegistry.Benchmarks.LiteDb;

/// <summary>Version creation on LiteDB (one fsync per commit on both sides) against hand-written LiteDB calls.</summary>
[SlowOperationJob]
[BenchmarkDotNet.Attributes.BenchmarkCategory("LiteDb", "Create")]
public class LiteDbCreateVersionBenchmarks : CreateVersionBenchmarks<RawLiteDb>
{
    protected override (string Prefix, string Extension) FileKind => ("litedb-create", "litedb");

    protected override void UseStore(IModelRegistryBuilder builder, string file)
        => builder.UseLiteDb(o =>
        {
            o.Filename = file;
            o.FlushToDisk = true;
        });

    protected override RawLiteDb OpenRaw(string file, IEnumerable<RegisteredModel> models)
    {
        RawLiteDb.Seed(file, models, []);
        return RawLiteDb.Open(file);
    }

    protected override void CreateRawVersion(RawLiteDb raw, ModelVersion version, DateTimeOffset now) => raw.CreateVersion(version, now);
}
