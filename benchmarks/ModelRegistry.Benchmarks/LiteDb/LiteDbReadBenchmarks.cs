using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Benchmarks.Sqlite;
using ModelRegistry.Registry;

namespace ModelRegistry.Benchmarks.LiteDb;

/// <summary>
/// Reads over the search dataset (10,000 models, 50,000 versions) on LiteDB: a version by model name and version, and
/// the first page of <c>tags.team = 'team-07' AND stage = 'production'</c>. Each pair (category) has its own baseline.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LiteDbReadBenchmarks
{
    private static readonly (string Model, string Version)[] Keys = Dataset.LookupKeys(4096);
    private static readonly SearchRequest Search = new() { Filter = Dataset.SearchFilter, PageSize = Dataset.PageSize };
    private ModelRegistryServices? _services;
    private IModelRegistry? _registry;
    private RawLiteDb? _raw;
    private int _next;

    [GlobalSetup(Targets = [nameof(GetRegistry), nameof(SearchRegistry)])]
    public void SetUpRegistry()
    {
        var file = BenchData.Seeded("litedb-search.litedb", static path =>
        {
            using var services = ModelRegistryServices.Create(b => b.UseLiteDb(o => o.Filename = path));
            SqliteReadBenchmarks.SeedStore(services.GetRequiredService<Storage.IRegistryStore>());
        });
        _services = ModelRegistryServices.Create(b => b.UseLiteDb(o =>
        {
            o.Filename = file;
            o.FlushToDisk = true;
        }));
        _registry = _services.Registry;
        SqliteReadBenchmarks.Check(_registry.SearchVersionsAsync(Search).GetAwaiter().GetResult().Items);
    }

    [GlobalSetup(Targets = [nameof(GetRaw), nameof(SearchRaw)])]
    public void SetUpRaw()
    {
        var file = BenchData.Seeded("litedb-search-raw.litedb", static path => RawLiteDb.Seed(
            path,
            Enumerable.Range(0, Dataset.SearchModels).Select(Dataset.Model),
            Enumerable.Range(0, Dataset.SearchModels).SelectMany(m => Enumerable.Range(0, Dataset.VersionsPerModel).Select(v => Dataset.SeedVersion(m, v)))));
        _raw = RawLiteDb.Open(file);
        SqliteReadBenchmarks.Check(_raw.Search("team", Dataset.SearchTeam, ModelStage.Production, Dataset.PageSize));
        Console.WriteLine("// Raw LiteDB search plan: " + _raw.SearchPlan("team", Dataset.SearchTeam, ModelStage.Production, Dataset.PageSize));
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        _raw?.Dispose();
    }

    [BenchmarkCategory("LiteDb", "Get"), Benchmark(Baseline = true, Description = "get version: raw LiteDB")]
    public ModelVersion? GetRaw()
    {
        var (model, version) = Keys[_next++ & (Keys.Length - 1)];
        return _raw!.GetVersion(model, version);
    }

    [BenchmarkCategory("LiteDb", "Get"), Benchmark(Description = "get version: registry on LiteDB")]
    public Task<ModelVersion> GetRegistry()
    {
        var (model, version) = Keys[_next++ & (Keys.Length - 1)];
        return _registry!.GetVersionAsync(model, version);
    }

    [BenchmarkCategory("LiteDb", "Search"), Benchmark(Baseline = true, Description = "search first page: raw LiteDB")]
    public List<ModelVersion> SearchRaw()
        => _raw!.Search("team", Dataset.SearchTeam, ModelStage.Production, Dataset.PageSize);

    [BenchmarkCategory("LiteDb", "Search"), Benchmark(Description = "search first page: registry on LiteDB")]
    public Task<Page<ModelVersion>> SearchRegistry()
        => _registry!.SearchVersionsAsync(Search);
}
