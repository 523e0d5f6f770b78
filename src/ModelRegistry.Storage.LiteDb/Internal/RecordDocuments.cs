using System.Globalization;
using LiteDB;
using ModelRegistry.Audit;
using ModelRegistry.Registry;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// Maps records to LiteDB documents and back. The record itself is kept as <see cref="StoreSerializer"/> JSON in
/// <see cref="Json"/>, so reading back yields exactly what was written (ticks, offsets, decimals, key order); the other
/// fields are copies used only for search, ordering and indexes.
/// </summary>
/// <remarks>
/// Timestamps are stored as UTC ticks (<see cref="long"/>) because LiteDB's DateTime keeps only milliseconds; enums as
/// their integer value (ordered by severity / lifecycle); versions as <see cref="SemanticVersion.SortKey"/>. Keyed maps
/// (tags, metrics, parameters) are arrays of <c>{k, v}</c> documents, because a LiteDB field name cannot hold every
/// string a tag key can (NUL, for one) and a path cannot take a parameter.
/// </remarks>
internal static class RecordDocuments
{
    public const string Id = "_id";
    public const string Json = "json";
    public const string Revision = "rev";
    public const string Name = "name";
    public const string Description = "desc";
    public const string Owners = "owners";
    public const string RiskTier = "risk";
    public const string Status = "status";
    public const string CreatedAt = "created";
    public const string UpdatedAt = "updated";
    public const string Tags = "tags";
    public const string TagIndex = "tkv";
    public const string ModelKey = "mk";
    public const string NameVersion = "nv";
    public const string Version = "vk";
    public const string Stage = "stage";
    public const string Providers = "prov";
    public const string RunId = "run";
    public const string Commit = "commit";
    public const string Metrics = "metrics";
    public const string Params = "params";
    public const string IdempotencyKey = "ik";
    public const string Subject = "subject";
    public const string SubjectIndex = "sk";
    public const string Action = "action";
    public const string Actor = "actor";
    public const string Timestamp = "ts";
    public const string Key = "k";
    public const string Value = "v";

    /// <summary>Longest string put into an index: far below LiteDB's 1,023-byte key limit even at 3 UTF-8 bytes a character.</summary>
    private const int MaxIndexedChars = 240;

    /// <summary>The case-insensitive identity of a model name (ordinal upper-invariant, as the store contract says).</summary>
    public static string KeyOf(string modelName) => modelName.ToUpperInvariant();

    /// <summary>A version's <c>_id</c>: model key and precedence in one string, since LiteDB has no compound keys.</summary>
    public static string VersionId(string modelKey, SemanticVersion version) => modelKey + "|" + version.SortKey;

    /// <summary>The indexed form of one tag: length-prefixed so no two key/value pairs share it, truncated to fit an index key.</summary>
    public static string TagIndexKey(string key, string value)
        => Truncate(key.Length.ToString(CultureInfo.InvariantCulture) + ":" + key + value);

    /// <summary>The indexed form of an audit subject (a prefix of it).</summary>
    public static string SubjectIndexKey(string subject) => Truncate(subject);

    /// <summary>Whether <see cref="Truncate"/> keeps the whole string.</summary>
    public static bool FitsIndex(string value) => value.Length <= MaxIndexedChars;

    public static string Truncate(string value)
    {
        if (value.Length <= MaxIndexedChars)
        {
            return value;
        }

        var length = MaxIndexedChars;
        if (char.IsHighSurrogate(value[length - 1]))
        {
            length--;
        }

        return value[..length];
    }

    public static BsonDocument ToDocument(RegisteredModel model)
    {
        var doc = new BsonDocument
        {
            [Id] = KeyOf(model.Name),
            [Name] = model.Name,
            [Owners] = new BsonArray(model.Owners.Select(o => new BsonValue(o))),
            [RiskTier] = (int)model.RiskTier,
            [Status] = (int)model.Status,
            [CreatedAt] = model.CreatedAt.UtcTicks,
            [UpdatedAt] = model.UpdatedAt.UtcTicks,
            [Tags] = Pairs(model.Tags),
            [TagIndex] = TagKeys(model.Tags),
            [Revision] = model.Revision,
            [Json] = StoreSerializer.Serialize(model),
        };
        SetOptional(doc, Description, model.Description);
        return doc;
    }

    public static BsonDocument ToDocument(ModelVersion version, BsonDocument modelDocument)
    {
        var modelKey = KeyOf(version.ModelName);
        var doc = new BsonDocument
        {
            [Id] = VersionId(modelKey, version.Version),
            [ModelKey] = modelKey,
            [Name] = version.ModelName,
            [Version] = version.Version.SortKey,

            // Names are letters, digits and . _ - (all above NUL), so this orders exactly as (name, version).
            [NameVersion] = version.ModelName + "\0" + version.Version.SortKey,
            [Stage] = (int)version.Stage,
            [Providers] = new BsonArray(version.ProviderBindings.Select(b => new BsonValue(b.Provider.ToUpperInvariant()))),
            [Metrics] = new BsonArray(version.Metrics.Select(p => new BsonDocument { [Key] = p.Key, [Value] = p.Value })),
            [Params] = Pairs(version.Parameters),
            [Tags] = Pairs(version.Tags),
            [TagIndex] = TagKeys(version.Tags),
            [CreatedAt] = version.CreatedAt.UtcTicks,
            [UpdatedAt] = version.UpdatedAt.UtcTicks,
            [Revision] = version.Revision,
            [Json] = StoreSerializer.Serialize(version),
        };
        SetOptional(doc, Description, version.Description);
        SetOptional(doc, RunId, version.RunId);
        SetOptional(doc, Commit, version.SourceCommit);
        SetOptional(doc, IdempotencyKey, version.IdempotencyKey);
        CopyModelFacts(modelDocument, doc);
        return doc;
    }

    /// <summary>
    /// Copies the model-level search fields (owners, risk tier, status) onto a version document. LiteDB has no joins,
    /// so version searches on them read these copies; every write of a model refreshes its versions in the same
    /// transaction.
    /// </summary>
    public static void CopyModelFacts(BsonDocument modelDocument, BsonDocument versionDocument)
    {
        versionDocument[Owners] = modelDocument[Owners];
        versionDocument[RiskTier] = modelDocument[RiskTier];
        versionDocument[Status] = modelDocument[Status];
    }

    /// <summary>Whether two model documents differ in the fields copied onto versions.</summary>
    public static bool ModelFactsDiffer(BsonDocument a, BsonDocument b)
        => a[Owners] != b[Owners] || a[RiskTier] != b[RiskTier] || a[Status] != b[Status];

    public static BsonDocument ToDocument(AuditRecord record) => new()
    {
        [Id] = record.Sequence,
        [Subject] = record.Subject,
        [SubjectIndex] = SubjectIndexKey(record.Subject),
        [Action] = record.Action,
        [Actor] = record.Actor,
        [Timestamp] = record.Timestamp.UtcTicks,
        [Json] = StoreSerializer.Serialize(record),
    };

    public static T ToRecord<T>(BsonDocument document, string what)
    {
        var json = document[Json];
        if (!json.IsString)
        {
            throw new ModelRegistryException(ErrorCode.StorageCorrupted,
                $"A stored {what} ({document[Id]}) has no record data; the LiteDB registry file is damaged.");
        }

        return StoreSerializer.Deserialize<T>(json.AsString);
    }

    /// <summary>The model facts a version document carries, for evaluating version filters on records.</summary>
    public static ModelFacts FactsOf(BsonDocument versionDocument) => new(
        versionDocument[Owners].IsArray ? versionDocument[Owners].AsArray.Select(v => v.AsString).ToArray() : [],
        (RiskTier)versionDocument[RiskTier].AsInt32,
        (ModelStatus)versionDocument[Status].AsInt32);

    private static BsonArray Pairs(IReadOnlyDictionary<string, string> map)
        => new(map.Select(p => new BsonDocument { [Key] = p.Key, [Value] = p.Value }));

    private static BsonArray TagKeys(IReadOnlyDictionary<string, string> tags)
        => new(tags.Select(p => new BsonValue(TagIndexKey(p.Key, p.Value))).Distinct());

    private static void SetOptional(BsonDocument doc, string field, string? value)
    {
        if (value is not null)
        {
            doc[field] = value;
        }
    }
}

/// <summary>The owning model's fields that version searches refer to.</summary>
internal sealed record ModelFacts(IReadOnlyList<string> Owners, RiskTier RiskTier, ModelStatus Status);
