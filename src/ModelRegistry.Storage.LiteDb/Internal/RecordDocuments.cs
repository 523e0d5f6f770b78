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
/// <para>
/// Timestamps are stored as UTC ticks (<see cref="long"/>) because LiteDB's DateTime keeps only milliseconds; enums as
/// their integer value (ordered by severity / lifecycle); versions as <see cref="SemanticVersion.SortKey"/>.
/// </para>
/// <para>
/// Keyed maps (tags, parameters, metrics) are two flat string arrays: the keys, each as a prefix <c>P = length:key</c>,
/// and the entries <c>P + value</c> (metrics: <c>P</c> + an order-preserving hex form of the number). A LiteDB field name
/// cannot hold every key (NUL, for one), and an array filter such as <c>$.tags[@.k = @key]</c> cannot be used at all:
/// LiteDB caches compiled expressions by their text and the cached delegate keeps the <em>first</em> query's parameters
/// for the inner filter. With flat arrays every test is a top-level <c>ANY</c> with ordinary parameters, and because the
/// length prefix makes <c>P</c> unambiguous, all entries between <c>P</c> and <c>P + v</c> belong to that key.
/// </para>
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
    public const string TagKeys = "tagk";
    public const string TagEntries = "tagkv";
    public const string ParamKeys = "prmk";
    public const string ParamEntries = "prmkv";
    public const string MetricKeys = "metk";
    public const string MetricEntries = "metkv";
    public const string ModelKey = "mk";
    public const string NameVersion = "nv";
    public const string Version = "vk";
    public const string Stage = "stage";
    public const string Providers = "prov";
    public const string RunId = "run";
    public const string Commit = "commit";
    public const string IdempotencyKey = "ik";
    public const string ContentHash = "ch";
    public const string Subject = "subject";
    public const string SubjectIndex = "sk";
    public const string Action = "action";
    public const string Actor = "actor";
    public const string Timestamp = "ts";
    public const string Collection = "col";
    public const string CollectionSequence = "cs";
    public const string DocumentIndex = "ixk";

    /// <summary>Longest string put into an index: far below LiteDB's 1,023-byte key limit even at 3 UTF-8 bytes a character.</summary>
    public const int MaxIndexedChars = 240;

    /// <summary>The case-insensitive identity of a model name (ordinal upper-invariant, as the store contract says).</summary>
    public static string KeyOf(string modelName) => modelName.ToUpperInvariant();

    /// <summary>A version's <c>_id</c>: model key and precedence in one string, since LiteDB has no compound keys.</summary>
    public static string VersionId(string modelKey, SemanticVersion version) => modelKey + "|" + version.SortKey;

    /// <summary>The prefix every entry of one key starts with: <c>length:key</c>, so no key's prefix starts another's.</summary>
    public static string KeyPrefix(string key) => key.Length.ToString(CultureInfo.InvariantCulture) + ":" + key;

    /// <summary>A keyed string entry (prefix + value), truncated to fit an index key.</summary>
    public static string Entry(string key, string value) => Truncate(KeyPrefix(key) + value);

    /// <summary>A keyed number entry: prefix + 16 hex digits whose ordinal order is the numbers' order.</summary>
    public static string Entry(string key, double value) => Truncate(KeyPrefix(key) + EncodeNumber(value));

    /// <summary>
    /// An order-preserving text form of a finite double: the IEEE bits with the sign bit flipped for positives and all
    /// bits flipped for negatives, in fixed-width hex. <c>-0</c> is written as <c>0</c>, which the reference treats as equal.
    /// </summary>
    public static string EncodeNumber(double value)
    {
        if (value == 0)
        {
            value = 0;
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var ordered = bits < 0 ? ~(ulong)bits : (ulong)bits | 0x8000000000000000UL;
        return ordered.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The part of a content hash copied onto a version document: 16 characters (64 bits of a SHA-256) are enough to
    /// skip non-matching versions without reading their record, and keep the documents that every search reads small.
    /// A match is confirmed on the record.
    /// </summary>
    public static string ContentHashPrefix(string contentHash) => contentHash.Length <= 16 ? contentHash : contentHash[..16];

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
            [TagKeys] = Keys(model.Tags.Keys),
            [TagEntries] = Entries(model.Tags),
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
            [Providers] = new BsonArray(version.ProviderBindings.Select(b => new BsonValue(b.Provider))),
            [MetricKeys] = Keys(version.Metrics.Keys),
            [MetricEntries] = new BsonArray(version.Metrics.Select(p => new BsonValue(Entry(p.Key, p.Value))).Distinct()),
            [ParamKeys] = Keys(version.Parameters.Keys),
            [ParamEntries] = Entries(version.Parameters),
            [TagKeys] = Keys(version.Tags.Keys),
            [TagEntries] = Entries(version.Tags),
            [CreatedAt] = version.CreatedAt.UtcTicks,
            [UpdatedAt] = version.UpdatedAt.UtcTicks,
            [Revision] = version.Revision,
            [ContentHash] = ContentHashPrefix(version.ContentHash),
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

    /// <summary>
    /// A stored document's <c>_id</c>: collection and key in one string (length-prefixed, so unambiguous), or a SHA-256
    /// of it when it is too long for an index key or holds surrogates (LiteDB stores a lone surrogate as U+FFFD, which
    /// would merge distinct keys). Readable ids start with a digit, hashed ones with <c>#</c>.
    /// </summary>
    public static string DocumentId(string collection, string key)
    {
        var id = collection.Length.ToString(CultureInfo.InvariantCulture) + ":" + collection + key;
        if (id.Length <= MaxIndexedChars && !id.Any(char.IsSurrogate))
        {
            return id;
        }

        var bytes = System.Text.Encoding.Unicode.GetBytes(id);
        return "#" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
    }

    /// <summary>The prefix of <see cref="CollectionSequence"/> shared by one collection's documents.</summary>
    public static string CollectionPrefix(string collection)
        => collection.Length.ToString(CultureInfo.InvariantCulture) + ":" + collection + "|";

    /// <summary>Orders one collection's documents by change sequence in a single index (fixed-width digits).</summary>
    public static string CollectionSequenceKey(string collection, long changeSequence)
        => Truncate(CollectionPrefix(collection) + changeSequence.ToString("D19", CultureInfo.InvariantCulture));

    public static BsonDocument ToDocument(StoredDocument document)
    {
        var doc = new BsonDocument
        {
            [Id] = DocumentId(document.Collection, document.Key),
            [Collection] = document.Collection,
            [CollectionSequence] = CollectionSequenceKey(document.Collection, document.ChangeSequence),
            [Revision] = document.Revision,

            // The whole record as JSON (ASCII-escaped), so key, body and index value come back verbatim.
            [Json] = StoreSerializer.Serialize(document),
        };
        SetOptional(doc, DocumentIndex, document.Index is null ? null : Truncate(document.Index));
        return doc;
    }

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

    private static BsonArray Keys(IEnumerable<string> keys)
        => new(keys.Select(k => new BsonValue(Truncate(KeyPrefix(k)))).Distinct());

    private static BsonArray Entries(IReadOnlyDictionary<string, string> map)
        => new(map.Select(p => new BsonValue(Entry(p.Key, p.Value))).Distinct());

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
