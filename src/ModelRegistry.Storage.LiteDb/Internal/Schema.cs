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

    /// <summary>
    /// The schema version this build writes. Version 1 lacked the <see cref="DocumentIndexValue"/> index; a version-1 file
    /// is migrated to this version when it is opened (see <see cref="MigrateFromPreviousVersion"/>).
    /// </summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest schema version this build opens (and migrates).</summary>
    public const int OldestMigratableVersion = 1;

    /// <summary>The name of the index over a document's index value (<see cref="RecordDocuments.DocumentIndex"/>), added by version 2.</summary>
    public const string DocumentIndexValue = "ixk";

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

        // Documents are listed per collection in change-sequence order: one string key "collection|sequence"; and by
        // index value (an approval's version, an edge's source node), which must not read the whole collection.
        var documents = db.GetCollection(Documents);
        documents.EnsureIndex("cs", "$.cs");
        EnsureDocumentIndexValue(db);

        // Metrics: most reads name a model; the retention job and compaction work on time ranges.
        var points = db.GetCollection(MetricPoints);
        points.EnsureIndex("m", "$.m");
        points.EnsureIndex("t", "$.t");
        var rollups = db.GetCollection(MetricRollups);
        rollups.EnsureIndex("m", "$.m");
        rollups.EnsureIndex("h", "$.h");
    }

    /// <summary>
    /// Brings a version-1 file's layout to <see cref="CurrentVersion"/>: creates the index version 2 added. The caller
    /// runs it in the transaction that also bumps the schema marker, so a file is either fully migrated or untouched.
    /// </summary>
    public static void MigrateFromPreviousVersion(LiteDatabase db) => EnsureDocumentIndexValue(db);

    private static void EnsureDocumentIndexValue(LiteDatabase db)
        => db.GetCollection(Documents).EnsureIndex(DocumentIndexValue, "$." + RecordDocuments.DocumentIndex);
}
