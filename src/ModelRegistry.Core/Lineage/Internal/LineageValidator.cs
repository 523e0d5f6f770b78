using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelRegistry.Internal;

namespace ModelRegistry.Lineage;

/// <summary>
/// The shape rules of lineage nodes, edges and queries, checked before anything is written. Rules that need the graph
/// (endpoints exist, no cycle, no duplicate) are checked by <see cref="LineageGraphIndex"/>.
/// </summary>
internal static partial class LineageValidator
{
    public const int DefaultMaxMetadataBytes = 64 * 1024;
    public const int MaxIdLength = 512;
    public const int MaxNameLength = 512;
    public const int MaxActorLength = 256;
    private const int MaxTextLength = 512;
    private const int MaxUriLength = 2048;
    private const int MaxSchemaSummaryLength = 4096;
    private const int MaxMapEntries = 1000;
    private const int MaxMapKeyLength = 250;
    private const int MaxMapValueLength = 5000;
    private const int MaxCategories = 64;
    private const int MaxCategoryLength = 128;

    private static readonly HashSet<string> BuiltInPrefixes = new(
        Enum.GetValues<LineageNodeKind>().Where(k => k != LineageNodeKind.Custom).Select(LineageNodeIds.PrefixOf),
        StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CustomKindPattern();

    /// <summary>Acyclic edge kinds as a bit mask over <see cref="LineageEdgeKind"/>.</summary>
    public const int AcyclicKindMask = (1 << (int)LineageEdgeKind.TrainedOn) | (1 << (int)LineageEdgeKind.DerivedFrom) | (1 << (int)LineageEdgeKind.FineTunedFrom);

    public static bool IsAcyclicKind(LineageEdgeKind kind) => ((1 << (int)kind) & AcyclicKindMask) != 0;

    /// <summary>
    /// Why an edge of <paramref name="kind"/> is refused: it would close <paramref name="cycle"/>, the node ids from the
    /// edge's From node, through its To node, back to its From node.
    /// </summary>
    public static string CycleMessage(LineageEdgeKind kind, IReadOnlyList<string> cycle)
        => $"Linking '{cycle[0]}' -{kind}-> '{cycle[1]}' would close a cycle: [{string.Join(" -> ", cycle)}]. DerivedFrom, TrainedOn and FineTunedFrom edges must not form a cycle; " +
           "check the direction (From depends on To) or unlink an edge of the cycle first.";

    public static string CustomKindName(string? value, bool nodes, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value is null || !CustomKindPattern().IsMatch(value))
        {
            throw Guard.Invalid(name, $"'{name}' is '{value}'; a custom kind is 1–64 characters: a lower-case letter, then lower-case letters, digits or '-'.");
        }

        if (nodes && BuiltInPrefixes.Contains(value))
        {
            throw Guard.Invalid(name, $"'{name}' is '{value}', which is the prefix of a built-in node kind; use that kind instead or choose another name.");
        }

        return value;
    }

    public static void Node(LineageNode node, int maxMetadataBytes)
    {
        Guard.NotNull(node);
        Guard.Defined(node.Kind, "Kind");
        if (node.Kind == LineageNodeKind.Custom)
        {
            CustomKindName(node.CustomKind, nodes: true, "CustomKind");
        }
        else if (node.CustomKind is not null)
        {
            throw Guard.Invalid("CustomKind", $"'CustomKind' is set to '{node.CustomKind}' on a {node.Kind} node; only Custom nodes have a custom kind.", node.Id);
        }

        NodeId(node.Id, node.Kind, node.CustomKind, "Id");
        Text(node.Name, MaxNameLength, "Name", required: true);
        Actor(node.CreatedBy, "CreatedBy");
        Details(node);
        Metadata(node.Metadata, maxMetadataBytes, "Metadata");
    }

    public static void NodeId(string? id, LineageNodeKind kind, string? customKind, string name)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw Guard.Invalid(name, $"'{name}' is required and cannot be empty.");
        }

        Guard.MaxLength(id, MaxIdLength, name);
        if (id.Any(char.IsControl) || char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]) || HasUnpairedSurrogate(id))
        {
            throw Guard.Invalid(name, $"'{name}' '{Shorten(id)}' contains control characters, an unpaired surrogate, or leading/trailing white space.");
        }

        var prefix = kind == LineageNodeKind.Custom ? customKind! : LineageNodeIds.PrefixOf(kind);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !id.AsSpan(0, colon).Equals(prefix, StringComparison.OrdinalIgnoreCase) || id.AsSpan(colon + 1).IsWhiteSpace())
        {
            throw Guard.Invalid(name, $"'{name}' is '{Shorten(id)}'; a {(kind == LineageNodeKind.Custom ? $"custom '{customKind}'" : kind.ToString())} node's id is '{prefix}:<key>' (see LineageNodeIds).", id);
        }
    }

    public static void Edge(LineageEdge edge, int maxMetadataBytes)
    {
        Guard.NotNull(edge);
        if (edge.Id == Guid.Empty)
        {
            throw Guard.Invalid("Id", "'Id' is the empty GUID; give every edge a new identifier.");
        }

        Guard.NotEmpty(edge.From, "From");
        Guard.NotEmpty(edge.To, "To");
        Guard.Defined(edge.Kind, "Kind");
        if (edge.Kind == LineageEdgeKind.Custom)
        {
            CustomKindName(edge.CustomKind, nodes: false, "CustomKind");
        }
        else if (edge.CustomKind is not null)
        {
            throw Guard.Invalid("CustomKind", $"'CustomKind' is set to '{edge.CustomKind}' on a {edge.Kind} edge; only Custom edges have a custom kind.");
        }

        Actor(edge.CreatedBy, "CreatedBy");
        if (edge.RemovedAt is null != edge.RemovedBy is null)
        {
            throw Guard.Invalid("RemovedBy", "'RemovedAt' and 'RemovedBy' must be set together.");
        }

        if (edge.RemovedAt is { } removed)
        {
            Actor(edge.RemovedBy, "RemovedBy");
            if (removed < edge.CreatedAt)
            {
                throw Guard.Invalid("RemovedAt", $"'RemovedAt' ({removed:O}) is before 'CreatedAt' ({edge.CreatedAt:O}).");
            }
        }

        Metadata(edge.Metadata, maxMetadataBytes, "Metadata");
    }

    public static void Query(LineageQuery query)
    {
        Guard.NotNull(query);
        if (query.MaxDepth is { } maxDepth)
        {
            Guard.InRange(maxDepth, 1, LineageQuery.MaxAllowedDepth, "MaxDepth");
        }
        if (query.EdgeKinds is { } edgeKinds)
        {
            if (edgeKinds.Count == 0)
            {
                throw Guard.Invalid("EdgeKinds", "'EdgeKinds' is empty; pass null to use the default kinds.");
            }

            foreach (var kind in edgeKinds)
            {
                Guard.Defined(kind, "EdgeKinds");
            }
        }

        if (query.NodeKinds is { } nodeKinds)
        {
            if (nodeKinds.Count == 0)
            {
                throw Guard.Invalid("NodeKinds", "'NodeKinds' is empty; pass null to report every kind.");
            }

            foreach (var kind in nodeKinds)
            {
                Guard.Defined(kind, "NodeKinds");
            }
        }
    }

    public static void Metadata(string? json, int maxBytes, string name)
    {
        if (json is null)
        {
            return;
        }

        // JsonDocument.Parse(string) throws ArgumentException (not JsonException) on a lone surrogate.
        if (!Validation.IsWellFormed(json))
        {
            throw Guard.Invalid(name, $"'{name}' contains an unpaired UTF-16 surrogate or a NUL character; send valid Unicode JSON.");
        }

        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > maxBytes)
        {
            throw Guard.Invalid(name, $"'{name}' is {bytes} bytes of UTF-8; the limit is {maxBytes} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Guard.Invalid(name, $"'{name}' must be a JSON object; it is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
        }
        catch (JsonException ex)
        {
            throw Guard.Invalid(name, $"'{name}' is not valid JSON ({ex.Message}).");
        }
    }

    private static void Details(LineageNode node)
    {
        var expected = node.Kind switch
        {
            LineageNodeKind.Dataset => typeof(DatasetDetails),
            LineageNodeKind.TrainingRun => typeof(TrainingRunDetails),
            LineageNodeKind.Evaluation => typeof(EvaluationDetails),
            LineageNodeKind.Deployment => typeof(DeploymentDetails),
            LineageNodeKind.Consumer => typeof(ConsumerDetails),
            _ => null,
        };
        if (node.Details is null)
        {
            return;
        }

        if (node.Details.GetType() != expected)
        {
            throw Guard.Invalid(
                "Details",
                expected is null
                    ? $"A {node.Kind} node has no details; the registry owns its data (use Metadata for anything else)."
                    : $"A {node.Kind} node takes {expected.Name}, not {node.Details.GetType().Name}.",
                node.Id);
        }

        switch (node.Details)
        {
            case DatasetDetails d:
                Text(d.Uri, MaxUriLength, "Details.Uri");
                Text(d.Version, MaxTextLength, "Details.Version");
                Text(d.ContentHash, MaxTextLength, "Details.ContentHash");
                Text(d.SchemaSummary, MaxSchemaSummaryLength, "Details.SchemaSummary");
                Text(d.License, MaxTextLength, "Details.License");
                Text(d.SourceSystem, MaxTextLength, "Details.SourceSystem");
                if (d.RowCount < 0)
                {
                    throw Guard.Invalid("Details.RowCount", $"'Details.RowCount' is {d.RowCount}; it cannot be negative.", node.Id);
                }

                Guard.NotNull(d.PersonalDataCategories, "Details.PersonalDataCategories");
                if (d.PersonalDataCategories.Count > 0 && d.ContainsPersonalData != true)
                {
                    throw Guard.Invalid("Details.PersonalDataCategories", "Personal-data categories are listed but 'ContainsPersonalData' is not true; set it to true or remove the categories.", node.Id);
                }

                if (d.PersonalDataCategories.Count > MaxCategories)
                {
                    throw Guard.Invalid("Details.PersonalDataCategories", $"{d.PersonalDataCategories.Count} personal-data categories are listed; the limit is {MaxCategories}.", node.Id);
                }

                foreach (var category in d.PersonalDataCategories)
                {
                    Text(category, MaxCategoryLength, "Details.PersonalDataCategories", required: true);
                }

                break;
            case TrainingRunDetails r:
                Text(r.CodeCommit, MaxTextLength, "Details.CodeCommit");
                Guard.NotNull(r.Parameters, "Details.Parameters");
                Map(r.Parameters, "Details.Parameters", v => Text(v, MaxMapValueLength, "Details.Parameters"));
                if (r.StartedAt is { } started && r.EndedAt is { } ended && ended < started)
                {
                    throw Guard.Invalid("Details.EndedAt", $"'Details.EndedAt' ({ended:O}) is before 'Details.StartedAt' ({started:O}).", node.Id);
                }

                break;
            case EvaluationDetails e:
                Text(e.Suite, MaxTextLength, "Details.Suite");
                Text(e.DatasetId, MaxIdLength, "Details.DatasetId");
                Guard.NotNull(e.Metrics, "Details.Metrics");
                Map(e.Metrics, "Details.Metrics", v => Guard.Finite(v, "Details.Metrics"));
                break;
            case DeploymentDetails dep:
                Text(dep.Environment, 64, "Details.Environment", required: true);
                Text(dep.Endpoint, MaxUriLength, "Details.Endpoint");
                Text(dep.Region, MaxTextLength, "Details.Region");
                if (dep.TrafficPercent is { } traffic && (!double.IsFinite(traffic) || traffic < 0 || traffic > 100))
                {
                    throw Guard.Invalid("Details.TrafficPercent", $"'Details.TrafficPercent' is {traffic}; it must be between 0 and 100.", node.Id);
                }

                break;
            case ConsumerDetails c:
                Text(c.Description, MaxMapValueLength, "Details.Description");
                break;
        }
    }

    private static void Map<T>(IReadOnlyDictionary<string, T> map, string name, Action<T> checkValue)
    {
        if (map.Count > MaxMapEntries)
        {
            throw Guard.Invalid(name, $"'{name}' has {map.Count} entries; the limit is {MaxMapEntries}.");
        }

        foreach (var (key, value) in map)
        {
            Text(key, MaxMapKeyLength, name, required: true);
            checkValue(value);
        }
    }

    private static void Actor(string? actor, string name)
    {
        Text(actor, MaxActorLength, name, required: true);
    }

    private static void Text(string? value, int max, string name, bool required = false)
    {
        if (value is null || (required && string.IsNullOrWhiteSpace(value)))
        {
            if (required)
            {
                throw Guard.Invalid(name, $"'{name}' is required and cannot be empty.");
            }

            return;
        }

        Guard.MaxLength(value, max, name);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw Guard.Invalid(name, $"'{name}' contains a NUL character.");
        }

        if (HasUnpairedSurrogate(value))
        {
            throw Guard.Invalid(name, $"'{name}' is not well-formed Unicode (it contains an unpaired surrogate).");
        }
    }

    private static bool HasUnpairedSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Shorten(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
