using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Data;
using ModelRegistry.Registry;
using ModelRegistry.Storage;
using ModelRegistry.Storage.Sqlite;

namespace ModelRegistry.Benchmarks.Sqlite;

/// <summary>
/// Reads over the search dataset (10,000 models, 50,000 versions): a version by model name and version, and the first
/// page of <c>tags.team = 'team-07' AND stage = 'production'</c>. Each pair (category) has its own baseline.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SqliteReadBenchmarks
{
    private static readonly (string Model, string Version)[] Keys = Dataset.LookupKeys(4096);
    private static readonly SearchRequest Search = new() { Filter = Dataset.SearchFilter, PageSize = Dataset.PageSize };
    private ModelRegistryServices? _services;
    private IModelRegistry? _registry;
    private RawSqlite? _raw;
    private int _next;

    [GlobalSetup(Targets = [nameof(GetRegistry), nameof(SearchRegistry)])]
    public void SetUpRegistry()
    {
        var file = BenchData.Seeded("sqlite-search.db", SeedRegistry);
        _services = ModelRegistryServices.Create(b => b.UseSqlite(o =>
        {
            o.ConnectionString = $"Data Source={file}";
            o.Durability = SqliteDurability.Full;
        }));
        _registry = _services.Registry;
        Check(_registry.SearchVersionsAsync(Search).GetAwaiter().GetResult().Items);
    }

    [GlobalSetup(Targets = [nameof(GetRaw), nameof(SearchRaw)])]
    public void SetUpRaw()
    {
        var file = BenchData.Seeded("sqlite-search-raw.db", static path => RawSqlite.Seed(
            path,
            Enumerable.Range(0, Dataset.SearchModels).Select(Dataset.Model),
            Enumerable.Range(0, Dataset.SearchModels).SelectMany(m => Enumerable.Range(0, Dataset.VersionsPerModel).Select(v => Dataset.SeedVersion(m, v)))));
        _raw = RawSqlite.Open(file);
        Check(_raw.Search("team", Dataset.SearchTeam, ModelStage.Production, Dataset.PageSize));
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        _raw?.Dispose();
    }

    [BenchmarkCategory("Sqlite", "Get"), Benchmark(Baseline = true, Description = "get version: raw SQLite")]
    public ModelVersion? GetRaw()
    {
        var (model, version) = Keys[_next++ & (Keys.Length - 1)];
        return _raw!.GetVersion(model, version);
    }

    [BenchmarkCategory("Sqlite", "Get"), Benchmark(Description = "get version: registry on SQLite")]
    public Task<ModelVersion> GetRegistry()
    {
        var (model, version) = Keys[_next++ & (Keys.Length - 1)];
        return _registry!.GetVersionAsync(model, version);
    }

    [BenchmarkCategory("Sqlite", "Search"), Benchmark(Baseline = true, Description = "search first page: raw SQLite")]
    public List<ModelVersion> SearchRaw()
        => _raw!.Search("team", Dataset.SearchTeam, ModelStage.Production, Dataset.PageSize);

    [BenchmarkCategory("Sqlite", "Search"), Benchmark(Description = "search first page: registry on SQLite")]
    public Task<Page<ModelVersion>> SearchRegistry()
        => _registry!.SearchVersionsAsync(Search);

    /// <summary>Both sides must return the same first page, or the comparison means nothing.</summary>
    internal static void Check(IReadOnlyList<ModelVersion> page)
    {
        var expected = Enumerable.Range(0, Dataset.SearchModels)
            .Where(m => Dataset.Team(m) == Dataset.SearchTeam)
            .Take(Dataset.PageSize)
            .Select(m => $"{Dataset.ModelName(m)}/{Dataset.VersionText(2)}");
        var actual = page.Select(v => $"{v.ModelName}/{v.Version}");
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"The search returned an unexpected page ({page.Count} items, first {actual.FirstOrDefault()}).");
        }
    }

    private static void SeedRegistry(string path)
    {
        using var services = ModelRegistryServices.Create(b => b.UseSqlite($"Data Source={path}"));
        SeedStore(services.GetRequiredService<IRegistryStore>());
    }

    /// <summary>Writes the search dataset through a store's own commit path, in transactions of 1,000 models with their versions.</summary>
    internal static void SeedStore(IRegistryStore store)
    {
        const int ModelsPerCommit = 1_000;
        for (var first = 0; first < Dataset.SearchModels; first += ModelsPerCommit)
        {
            var writes = new List<StoreWrite>();
            var audit = new List<Audit.AuditDraft>();
            for (var m = first; m < first + ModelsPerCommit; m++)
            {
                var model = Dataset.Model(m);
                writes.Add(new PutModel(model, 0));
                audit.Add(Dataset.ModelAudit(model));
                for (var v = 0; v < Dataset.VersionsPerModel; v++)
                {
                    var version = Dataset.SeedVersion(m, v);
                    writes.Add(new PutVersion(version, 0));
                    audit.Add(Dataset.VersionAudit(version));
                }
            }

            store.CommitAsync(new StoreTransaction(writes, audit), default).AsTask().GetAwaiter().GetResult();
        }
    }
}
