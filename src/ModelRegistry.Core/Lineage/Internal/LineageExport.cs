using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace ModelRegistry.Lineage;

/// <summary>
/// Writes a <see cref="LineageGraph"/> as JSON, Graphviz DOT or Mermaid. Node and edge identities never reach the
/// DOT or Mermaid syntax as identifiers (nodes are <c>n0</c>, <c>n1</c>, ... in graph order); names and ids only
/// appear inside quoted strings, escaped for the format, so any text is safe to export.
/// </summary>
internal static class LineageExport
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Readable non-ASCII; quotes, backslashes, control characters and HTML-sensitive characters are still escaped.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Indented = false,
    };

    public static string ToText(LineageGraph graph, LineageExportFormat format)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(graph, format, writer);
        return writer.ToString();
    }

    public static void Write(LineageGraph graph, LineageExportFormat format, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(writer);
        switch (format)
        {
            case LineageExportFormat.Json:
                WriteJson(graph, writer);
                break;
            case LineageExportFormat.Dot:
                WriteDot(graph, writer);
                break;
            case LineageExportFormat.Mermaid:
                WriteMermaid(graph, writer);
                break;
            default:
                throw Internal.Guard.Invalid(nameof(format), $"'{nameof(format)}' has the undefined value {format}.");
        }
    }

    /// <summary>The camel-case name used for kinds in JSON (<c>modelVersion</c>, <c>trainedOn</c>).</summary>
    public static string KindName<TEnum>(TEnum kind)
        where TEnum : struct, Enum
    {
        var name = kind.ToString();
        return string.Concat(char.ToLowerInvariant(name[0]).ToString(), name[1..]);
    }

    private static string EdgeLabel(LineageEdge edge) => edge.Kind == LineageEdgeKind.Custom && edge.CustomKind is not null ? edge.CustomKind : KindName(edge.Kind);

    // ---------------------------------------------------------------------------------------------------------------
    // JSON: {"nodes":[{"id","kind","label",...}],"edges":[{"source","target","kind",...}]}

    private static void WriteJson(LineageGraph graph, TextWriter writer)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var json = new Utf8JsonWriter(buffer, JsonOptions);

        // Hand completed chunks to the text writer as we go, so exporting a large graph does not hold all of it twice.
        void Drain(bool force)
        {
            if (force || json.BytesPending + buffer.WrittenCount > 64 * 1024)
            {
                json.Flush();
                writer.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
                buffer.ResetWrittenCount();
            }
        }

        json.WriteStartObject();
        json.WriteStartArray("nodes");
        foreach (var item in graph.Nodes)
        {
            var node = item.Node;
            json.WriteStartObject();
            json.WriteString("id", WellFormed(node.Id));
            json.WriteString("kind", KindName(node.Kind));
            json.WriteString("label", WellFormed(node.Name));
            if (node.CustomKind is not null)
            {
                json.WriteString("customKind", node.CustomKind);
            }

            if (graph.RootId is not null)
            {
                json.WriteNumber("depth", item.Depth);
            }

            json.WriteEndObject();
            Drain(force: false);
        }

        json.WriteEndArray();
        json.WriteStartArray("edges");
        foreach (var edge in graph.Edges)
        {
            json.WriteStartObject();
            json.WriteString("id", edge.Id);
            json.WriteString("source", WellFormed(edge.From));
            json.WriteString("target", WellFormed(edge.To));
            json.WriteString("kind", KindName(edge.Kind));
            if (edge.CustomKind is not null)
            {
                json.WriteString("customKind", edge.CustomKind);
            }

            json.WriteString("createdAt", edge.CreatedAt);
            if (edge.RemovedAt is { } removed)
            {
                json.WriteString("removedAt", removed);
            }

            json.WriteEndObject();
            Drain(force: false);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        Drain(force: true);
    }

    /// <summary>The text with unpaired surrogates replaced by U+FFFD (JSON cannot carry them; the writer would throw).</summary>
    private static string WellFormed(string text)
    {
        var i = 0;
        for (; i < text.Length; i++)
        {
            if (char.IsSurrogate(text[i]))
            {
                break;
            }
        }

        if (i == text.Length)
        {
            return text;
        }

        var s = new StringBuilder(text.Length);
        for (i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                s.Append(c).Append(text[++i]);
            }
            else
            {
                s.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return s.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Graphviz DOT

    private static void WriteDot(LineageGraph graph, TextWriter writer)
    {
        var vertex = Number(graph);
        writer.Write("digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n");
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i].Node;
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"  n{i} [label={DotString(node.Name)}, tooltip={DotString(node.Id)}];\n"));
        }

        foreach (var edge in graph.Edges)
        {
            if (vertex.TryGetValue(edge.From, out var from) && vertex.TryGetValue(edge.To, out var to))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"  n{from} -> n{to} [label={DotString(EdgeLabel(edge))}];\n"));
            }
        }

        writer.Write("}\n");
    }

    /// <summary>
    /// A DOT double-quoted string for an escString attribute (label, tooltip): backslash and quote are escaped with a
    /// backslash, line breaks become <c>\n</c>, and <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> become HTML entities because
    /// Graphviz translates entities inside ordinary strings (so a literal <c>&amp;lt;</c> would otherwise render as
    /// <c>&lt;</c>). Other control characters and unpaired surrogates become U+FFFD; other text, including non-ASCII,
    /// is kept (DOT files are UTF-8).
    /// </summary>
    public static string DotString(string text)
    {
        var s = new StringBuilder(text.Length + 2);
        s.Append('"');
        Escape(text, s, @"\n", c => c switch
        {
            '\\' => @"\\",
            '"' => "\\\"",
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => null,
        });
        s.Append('"');
        return s.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Mermaid

    private static void WriteMermaid(LineageGraph graph, TextWriter writer)
    {
        var vertex = Number(graph);
        writer.Write("flowchart LR\n");
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"  n{i}[\"{MermaidText(graph.Nodes[i].Node.Name)}\"]\n"));
        }

        foreach (var edge in graph.Edges)
        {
            if (vertex.TryGetValue(edge.From, out var from) && vertex.TryGetValue(edge.To, out var to))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"  n{from} -->|\"{MermaidText(EdgeLabel(edge))}\"| n{to}\n"));
            }
        }
    }

    /// <summary>
    /// Text for inside a Mermaid double-quoted label. Characters Mermaid or its HTML rendering would interpret —
    /// <c>" # &amp; &lt; &gt;</c>, backtick (markdown strings), <c>%</c> (comments), backslash (<c>\n</c> is read as a line
    /// break) — become Mermaid entity codes (<c>#quot;</c>, <c>#35;</c>, ...); line breaks become <c>&lt;br/&gt;</c>;
    /// other control characters and unpaired surrogates become U+FFFD. Other text, including non-ASCII, is kept.
    /// </summary>
    public static string MermaidText(string text)
    {
        var s = new StringBuilder(text.Length);
        Escape(text, s, "<br/>", c => c switch
        {
            '"' => "#quot;",
            '#' => "#35;",
            '&' => "#amp;",
            '<' => "#lt;",
            '>' => "#gt;",
            '`' => "#96;",
            '%' => "#37;",
            '\\' => "#92;",
            _ => null,
        });
        return s.ToString();
    }

    /// <summary>
    /// Appends <paramref name="text"/> to <paramref name="s"/>: a line break (CR LF, CR, LF, U+2028, U+2029, each once)
    /// as <paramref name="lineBreak"/>, tab as a space, other control characters and unpaired surrogates as U+FFFD,
    /// characters <paramref name="special"/> maps as its replacement, everything else as is.
    /// </summary>
    private static void Escape(string text, StringBuilder s, string lineBreak, Func<char, string?> special)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n' or '\u2028' or '\u2029')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                s.Append(lineBreak);
            }
            else if (c == '\t')
            {
                s.Append(' ');
            }
            else if (char.IsControl(c))
            {
                s.Append('\uFFFD');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                s.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                s.Append('\uFFFD');
            }
            else if (special(c) is { } replacement)
            {
                s.Append(replacement);
            }
            else
            {
                s.Append(c);
            }
        }
    }

    private static Dictionary<string, int> Number(LineageGraph graph)
    {
        var vertex = new Dictionary<string, int>(graph.Nodes.Count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            vertex.TryAdd(graph.Nodes[i].Node.Id, i);
        }

        return vertex;
    }
}
