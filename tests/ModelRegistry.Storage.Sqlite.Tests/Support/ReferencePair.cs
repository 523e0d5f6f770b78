using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.Sqlite.Internal;

namespace ModelRegistry.Storage.Sqlite.Tests.Support;

/// <summary>
/// The same data in the SQLite store and in Core's in-memory store (the reference), so a query can be run on both
/// and the answers compared.
/// </summary>
public sealed class ReferencePair : IAsyncDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly ModelRegistryServices _reference = ModelRegistryServices.Create();

    private ReferencePair()
    {
        Sqlite = _file.Open();
        Reference = _reference.GetRequiredService<IRegistryStore>();
    }

    internal SqliteRegistryStore Sqlite { get; }

    public IRegistryStore Reference { get; }

    public static async Task<ReferencePair> CreateAsync(IReadOnlyList<RegisteredModel> models, IReadOnlyList<ModelVersion> versions, IReadOnlyList<StoreWrite>? updates = null)
    {
        var pair = new ReferencePair();
        var writes = models.Select(m => (StoreWrite)new PutModel(m, 0)).Concat(versions.Select(v => new PutVersion(v, 0))).ToList();
        foreach (var batch in new[] { writes, updates ?? [] })
        {
            var tx = new StoreTransaction(batch, [new AuditDraft(Records.T0, "test", "load", "test:data", "{}")]);
            await pair.Sqlite.CommitAsync(tx, CancellationToken.None);
            await pair.Reference.CommitAsync(tx, CancellationToken.None);
        }

        return pair;
    }

    public async Task<(string[] Sqlite, string[] Reference)> ModelsAsync(FilterNode? filter, IReadOnlyList<SortKey> order, int limit)
    {
        var q = new StoreQuery(filter, [.. order, .. StoreSearch.ModelIdentity], limit);
        var s = await Sqlite.QueryModelsAsync(q, CancellationToken.None);
        var r = await Reference.QueryModelsAsync(q, CancellationToken.None);
        return ([.. s.Select(m => m.Name)], [.. r.Select(m => m.Name)]);
    }

    public async Task<(string[] Sqlite, string[] Reference)> VersionsAsync(FilterNode? filter, IReadOnlyList<SortKey> order, int limit)
    {
        var q = new StoreQuery(filter, [.. order, .. StoreSearch.VersionIdentity], limit);
        var s = await Sqlite.QueryVersionsAsync(q, CancellationToken.None);
        var r = await Reference.QueryVersionsAsync(q, CancellationToken.None);
        return ([.. s.Select(Id)], [.. r.Select(Id)]);
    }

    public async ValueTask DisposeAsync()
    {
        await _reference.DisposeAsync();
        _file.Dispose();
    }

    private static string Id(ModelVersion v) => $"{v.ModelName}/{v.Version}";
}
