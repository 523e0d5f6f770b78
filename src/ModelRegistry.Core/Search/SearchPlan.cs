using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ModelRegistry.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Search;

/// <summary>
/// Turns a <see cref="SearchRequest"/> into a <see cref="StoreQuery"/>: parses and validates filter, ordering, page
/// size and continuation token, completes the ordering with identity keys so it is total, and folds keyset paging
/// into the filter.
/// </summary>
/// <remarks>
/// <para>
/// Keyset paging: for sort keys k1..kn and the last item's values v1..vn, the next page holds the items strictly
/// after the last one: OR over i of (AND over j &lt; i of kj = vj, or kj IS NULL when vj is missing) AND (ki after
/// vi). Ascending, "after" is <c>ki &gt; vi</c> (<c>ki IS NOT NULL</c> when vi is missing, as missing sorts
/// first); descending, it is <c>ki &lt; vi OR ki IS NULL</c> (nothing when vi is missing, as missing sorts last).
/// Because the position is a value and not an offset, items inserted or deleted between pages neither repeat nor
/// hide others.
/// </para>
/// <para>
/// The token is base64url of a small JSON document with the typed sort values and a fingerprint of target, canonical
/// filter and ordering, so a token cannot be replayed against a different search.
/// </para>
/// </remarks>
internal sealed class SearchPlan
{
    /// <summary>The page size when the request does not set one.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page size.</summary>
    public const int MaxPageSize = 1_000;

    private const int TokenFormat = 1;
    private const int MaxTokenLength = 1_000_000;

    private readonly SearchTarget _target;
    private readonly string _fingerprint;

    private SearchPlan(SearchTarget target, FilterNode? filter, IReadOnlyList<SortKey> order, int pageSize, IReadOnlyList<object?>? after, string fingerprint)
    {
        _target = target;
        _fingerprint = fingerprint;
        Filter = filter;
        Order = order;
        PageSize = pageSize;
        Query = new StoreQuery(Combine(filter, after is null ? null : AfterPredicate(order, after)), order, pageSize + 1);
    }

    /// <summary>The store query: the filter with the keyset predicate folded in, the total ordering, and <c>PageSize + 1</c> as limit (the extra row tells whether there is a next page).</summary>
    public StoreQuery Query { get; }

    /// <summary>How many items a page holds.</summary>
    public int PageSize { get; }

    /// <summary>The user's filter, without the keyset predicate.</summary>
    public FilterNode? Filter { get; }

    /// <summary>The total ordering: the user's keys followed by any missing identity keys.</summary>
    public IReadOnlyList<SortKey> Order { get; }

    /// <summary>Validates a request and plans the query.</summary>
    /// <param name="target">Models or versions.</param>
    /// <param name="request">The request.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="FilterSyntaxException">The filter or ordering does not parse (<see cref="ErrorCode.InvalidFilter"/>).</exception>
    /// <exception cref="ModelRegistryException">The page size or continuation token is invalid (<see cref="ErrorCode.InvalidArgument"/>).</exception>
    public static SearchPlan Create(SearchTarget target, SearchRequest request)
    {
        Guard.Defined(target);
        Guard.NotNull(request);
        if (request.PageSize is < 1 or > MaxPageSize)
        {
            throw Guard.Invalid(
                nameof(SearchRequest.PageSize),
                $"The page size is {request.PageSize}; it must be between 1 and {MaxPageSize:N0} (default {DefaultPageSize}).");
        }

        var filter = FilterParser.Parse(request.Filter, target);
        var order = CompleteOrder(target, OrderByParser.Parse(request.OrderBy, target));
        var fingerprint = Fingerprint(target, filter, order);
        var after = request.ContinuationToken is null ? null : DecodeToken(request.ContinuationToken, order, fingerprint);
        return new SearchPlan(target, filter, order, request.PageSize, after, fingerprint);
    }

    /// <summary>The token that continues after the last model of a page.</summary>
    /// <param name="lastOnPage">The last model returned.</param>
    /// <returns>The opaque continuation token.</returns>
    public string CreateToken(RegisteredModel lastOnPage)
    {
        ArgumentNullException.ThrowIfNull(lastOnPage);
        if (_target != SearchTarget.Models)
        {
            throw new InvalidOperationException("This plan searches versions; pass the last version of the page.");
        }

        return EncodeToken(Order.Select(k => SearchValues.Get(k.Field, lastOnPage)).ToList());
    }

    /// <summary>The token that continues after the last version of a page.</summary>
    /// <param name="lastOnPage">The last version returned.</param>
    /// <returns>The opaque continuation token.</returns>
    public string CreateToken(ModelVersion lastOnPage)
    {
        ArgumentNullException.ThrowIfNull(lastOnPage);
        if (_target != SearchTarget.Versions)
        {
            throw new InvalidOperationException("This plan searches models; pass the last model of the page.");
        }

        return EncodeToken(Order.Select(k => SearchValues.Get(k.Field, lastOnPage, null)).ToList());
    }

    /// <summary>Appends the identity keys the ordering lacks, or gives the default ordering when it is empty.</summary>
    internal static IReadOnlyList<SortKey> CompleteOrder(SearchTarget target, IReadOnlyList<SortKey> requested)
    {
        var name = new FieldRef(SearchField.Name);
        var version = new FieldRef(SearchField.Version);
        if (requested.Count == 0)
        {
            return target == SearchTarget.Models
                ? [new SortKey(name, false)]
                : [new SortKey(name, false), new SortKey(version, true)];
        }

        var order = requested.ToList();
        if (!order.Exists(k => k.Field == name))
        {
            order.Add(new SortKey(name, false));
        }

        if (target == SearchTarget.Versions && !order.Exists(k => k.Field == version))
        {
            order.Add(new SortKey(version, false));
        }

        return order;
    }

    /// <summary>The keyset predicate: items strictly after the given sort values (see the class remarks).</summary>
    internal static FilterNode AfterPredicate(IReadOnlyList<SortKey> order, IReadOnlyList<object?> last)
    {
        var disjuncts = new List<FilterNode>();
        for (var i = 0; i < order.Count; i++)
        {
            var after = After(order[i], last[i]);
            if (after is null)
            {
                continue;
            }

            var conjuncts = new List<FilterNode>();
            for (var j = 0; j < i; j++)
            {
                conjuncts.Add(last[j] is { } value
                    ? new ComparisonFilter(order[j].Field, ComparisonOperator.Equal, SearchValues.ToLiteral(value))
                    : new IsNullFilter(order[j].Field, Negated: false));
            }

            if (conjuncts.Count == 0)
            {
                AddFlattened(disjuncts, after);
            }
            else
            {
                conjuncts.Add(after);
                disjuncts.Add(new AndFilter(conjuncts));
            }
        }

        return disjuncts.Count switch
        {
            // Nothing sorts after the last item; 'name IS NULL' is never true (every item has a name).
            0 => new IsNullFilter(new FieldRef(SearchField.Name), Negated: false),
            1 => disjuncts[0],
            _ => new OrFilter(disjuncts),
        };

        static FilterNode? After(SortKey key, object? value)
        {
            if (!key.Descending)
            {
                return value is null
                    ? new IsNullFilter(key.Field, Negated: true)
                    : new ComparisonFilter(key.Field, ComparisonOperator.GreaterThan, SearchValues.ToLiteral(value));
            }

            return value is null
                ? null
                : new OrFilter([
                    new ComparisonFilter(key.Field, ComparisonOperator.LessThan, SearchValues.ToLiteral(value)),
                    new IsNullFilter(key.Field, Negated: false),
                ]);
        }

        static void AddFlattened(List<FilterNode> list, FilterNode node)
        {
            if (node is OrFilter or)
            {
                list.AddRange(or.Operands);
            }
            else
            {
                list.Add(node);
            }
        }
    }

    private static FilterNode? Combine(FilterNode? filter, FilterNode? after)
    {
        if (after is null || filter is null)
        {
            return after ?? filter;
        }

        return filter is AndFilter and ? new AndFilter([.. and.Operands, after]) : new AndFilter([filter, after]);
    }

    private static string Fingerprint(SearchTarget target, FilterNode? filter, IReadOnlyList<SortKey> order)
    {
        var canonical = $"{TokenFormat}\n{target}\n{(filter is null ? string.Empty : FilterPrinter.Print(filter))}\n{OrderByParser.Print(order)}";

        // Hash the UTF-16 units directly: lossless even for unpaired surrogates, which UTF-8 encoding would replace.
        var hash = SHA256.HashData(MemoryMarshal.AsBytes(canonical.AsSpan()));
        return Base64Url.EncodeToString(hash.AsSpan(0, 16));
    }

    private string EncodeToken(IReadOnlyList<object?> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", TokenFormat);
            writer.WriteString("f", _fingerprint);
            writer.WriteStartArray("k");
            foreach (var value in values)
            {
                WriteValue(writer, value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s when !HasUnpairedSurrogate(s):
                writer.WriteStringValue(s);
                break;
            case string s:
                // JSON strings cannot carry unpaired surrogates (they become U+FFFD); keep the exact UTF-16 units.
                writer.WriteStartArray();
                foreach (var c in s)
                {
                    writer.WriteNumberValue(c);
                }

                writer.WriteEndArray();
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case DateTimeOffset t:
                writer.WriteNumberValue(t.UtcTicks);
                break;
            case SemanticVersion v:
                writer.WriteStringValue(v.ToString());
                break;
            case int e:
                writer.WriteNumberValue(e);
                break;
            default:
                throw new InvalidOperationException($"Unsupported sort value type {value.GetType().Name}.");
        }
    }

    private static IReadOnlyList<object?> DecodeToken(string token, IReadOnlyList<SortKey> order, string fingerprint)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            throw InvalidToken();
        }

        try
        {
            // TryDecodeFromChars reports some malformed input (such as non-alphabet characters) by throwing.
            var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
            if (!Base64Url.TryDecodeFromChars(token, bytes, out var length))
            {
                throw InvalidToken();
            }

            using var document = JsonDocument.Parse(bytes.AsMemory(0, length));
            return ReadToken(document.RootElement, order, fingerprint);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not base64url, malformed JSON, or a string escape that is not valid UTF-16 text.
            throw InvalidToken();
        }
    }

    private static IReadOnlyList<object?> ReadToken(JsonElement root, IReadOnlyList<SortKey> order, string fingerprint)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("v", out var format) || format.ValueKind != JsonValueKind.Number
            || !format.TryGetInt32(out var formatNumber) || formatNumber != TokenFormat
            || !root.TryGetProperty("f", out var print) || print.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("k", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw InvalidToken();
        }

        if (!string.Equals(print.GetString(), fingerprint, StringComparison.Ordinal))
        {
            throw Guard.Invalid(
                nameof(SearchRequest.ContinuationToken),
                "The continuation token belongs to a different search: the filter, order_by or search target changed since the token was issued. Repeat the search without a token to start from the first page.");
        }

        if (keys.GetArrayLength() != order.Count)
        {
            throw InvalidToken();
        }

        var values = new List<object?>(order.Count);
        var i = 0;
        foreach (var element in keys.EnumerateArray())
        {
            values.Add(ReadValue(element, SearchFields.TypeOf(order[i++].Field.Field)));
        }

        return values;
    }

    private static object? ReadValue(JsonElement element, SearchFieldType type)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (type)
        {
            case SearchFieldType.String when element.ValueKind == JsonValueKind.String:
                return element.GetString()!;
            case SearchFieldType.String when element.ValueKind == JsonValueKind.Array:
                var units = new char[element.GetArrayLength()];
                var n = 0;
                foreach (var unit in element.EnumerateArray())
                {
                    if (unit.ValueKind != JsonValueKind.Number || !unit.TryGetUInt16(out var u))
                    {
                        throw InvalidToken();
                    }

                    units[n++] = (char)u;
                }

                return new string(units);
            case SearchFieldType.Number when element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && double.IsFinite(d):
                return d;
            case SearchFieldType.Timestamp when element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var ticks)
                                                 && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks:
                return new DateTimeOffset(ticks, TimeSpan.Zero);
            case SearchFieldType.Version when element.ValueKind == JsonValueKind.String && SemanticVersion.TryParse(element.GetString(), out var v):
                return v;
            case SearchFieldType.Enum when element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var e):
                return e;
            default:
                throw InvalidToken();
        }
    }

    private static bool HasUnpairedSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static ModelRegistryException InvalidToken()
        => Guard.Invalid(
            nameof(SearchRequest.ContinuationToken),
            "The continuation token is not valid. Pass the token returned by the previous page unchanged, or omit it to start from the first page.");
}
