using LiteDB;
using ModelRegistry.Search;
using ModelRegistry.Storage.LiteDb.Internal;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>Runs only the LiteDB side of a search (the translated expression), without the exact in-memory re-check.</summary>
internal static class LiteDbQueryProbe
{
    public static int Count(LiteDbRegistryStore store, StoreQuery query, SearchTarget target = SearchTarget.Versions)
        => Ids(store, query.Filter, target).Count;

    public static IReadOnlyList<string> Ids(LiteDbRegistryStore store, FilterNode? filter, SearchTarget target)
    {
        var translation = FilterTranslator.Translate(filter, target);
        if (translation.MatchesNothing)
        {
            return [];
        }

        var query = store.Database.GetCollection(target == SearchTarget.Models ? Schema.Models : Schema.Versions).Query();
        if (translation.Where is not null)
        {
            query = query.Where(translation.Where);
        }

        return [.. query.ToDocuments().Select(d => d["_id"].AsString)];
    }
}
