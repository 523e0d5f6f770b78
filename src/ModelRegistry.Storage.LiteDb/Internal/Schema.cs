using LiteDB;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// The layout of a registry file: collection names, indexes and the schema marker. LiteDB has no compound indexes
/// (upstream issues #739, #965), so every composite key is one string field: a version's <c>_id</c> is
/// <c>UPPER(model)|SortKey</c>, its ordering key <c>name\0SortKey</c>, and a tag is indexed as one
/// length-prefixed <c>key+value</c> string (see <see cref="RecordDocuments"/>).
/// </summary>
internal static class Schema
{
    /// <summary>Identifies a file written by this adapter.</summary>
    public const string Format = "ModelRegistry.Storage.LiteDb";

    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    public const string Meta = "registry_meta";
    public const string Models = "models";
    public const string Versions = "versions";
    public const string Audit = "audit";
    public const string Documents = "documents";
    public const string MetricPoints = "metric_points";
    public const string MetricRollups = "metric_rollups";

    public const string SchemaDocumentId = "schema";

    /// <summary>The collections the adapter owns; an empty file with only these is one interrupted while being created.</summary>
    public static readonly IReadOnlySet<string> OwnCollections = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Meta, Models, Versions, Audit, Documents, MetricPoints, MetricRollups };

    /// <summary>Creates the indexes. <see cref="ILiteCollection{T}.EnsureIndex(string, BsonExpression, bool)"/> is idempotent.</summary>
    public static void EnsureIndexes(LiteDatabase db)
    {
        var models = db.GetCollection(Models);
        models.EnsureIndex("name", "$.name");
        models.EnsureIndex("tagkv", "$.tagkv[*]");

        var versions = db.GetCollection(Versions);
        versions.EnsureIndex("mk", "$.mk");
        versions.EnsureIndex("nv", "$.nv");
        versions.EnsureIndex("stage", "$.stage");
        versions.EnsureIndex("tagkv", "$.tagkv[*]");

        var audit = db.GetCollection(Audit);
        audit.EnsureIndex("sk", "$.sk");

        // Documents are listed per collection in change-sequence order: one string key "collection|sequence".
        var documents = db.GetCollection(Documents);
        documents.EnsureIndex("cs", "$.cs");

        // Metrics: most reads name a model; the retention job and compaction work on time ranges.
        var points = db.GetCollection(MetricPoints);
        points.EnsureIndex("m", "$.m");
        points.EnsureIndex("t", "$.t");
        var rollups = db.GetCollection(MetricRollups);
        rollups.EnsureIndex("m", "$.m");
        rollups.EnsureIndex("h", "$.h");
    }
}
