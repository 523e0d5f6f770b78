using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using ModelRegistry.Lineage;
using static ModelRegistry.Core.Tests.Lineage.LineageFixtures;

namespace ModelRegistry.Core.Tests.Lineage;

/// <summary>
/// Exports are read back with small independent readers (a DOT quoted-string decoder, a Mermaid entity decoder,
/// <see cref="JsonDocument"/>) and must give back every label, whatever it contains.
/// </summary>
public sealed partial class LineageExportTests
{
    public static readonly string[] HostileLabels =
    [
        "plain",
        "quote \" inside",
        "ends with a backslash \\",
        "\\\"",
        "\\\\\"\\",
        "C:\\new\\table",
        "line1\nline2\r\nline3\rline4",
        "<b>bold</b> & {record|port} <port>",
        "<<table>>",
        "#quot; #35; entity-like &amp; &lt;",
        "%% not a comment",
        "`markdown`",
        "end",
        "graph TD; A-->B",
        "\"]); click n0 call alert(1) %%",
        "é 漢字 🚀 עברית",
        "tab\there",
        "bell\u0007 escape\u001b",
        "lone \uD800 surrogate",
        "line\u2028separator",
        "\\N \\G \\L \\n",
        "}\n}\ndigraph x {",
        string.Empty,
    ];

    private static LineageGraph GraphOf(IReadOnlyList<string> labels)
    {
        var nodes = labels.Select((label, i) => new LineageGraphNode(Node($"dataset:n{i}", LineageNodeKind.Dataset, name: label), i)).ToList();
        var edges = Enumerable.Range(1, Math.Max(0, labels.Count - 1))
            .Select(i => Edge($"dataset:n{i}", i % 2 == 0 ? LineageEdgeKind.DerivedFrom : LineageEdgeKind.Custom, $"dataset:n{i - 1}", customKind: i % 2 == 0 ? null : "cleaned-from"))
            .ToList();
        return new LineageGraph { RootId = "dataset:n0", Direction = LineageDirection.Downstream, MaxDepth = 3, Nodes = nodes, Edges = edges };
    }

    /// <summary>What a label looks like after export in any format: line breaks unified, tab a space, other controls and broken surrogates U+FFFD.</summary>
    private static string Normalised(string label)
    {
        var s = new StringBuilder();
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            if (c == '\r' && i + 1 < label.Length && label[i + 1] == '\n')
            {
                continue;
            }

            if (c is '\r' or '\n' or '\u2028' or '\u2029')
            {
                s.Append('\n');
            }
            else if (c == '\t')
            {
                s.Append(' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < label.Length && char.IsLowSurrogate(label[i + 1]))
            {
                s.Append(c).Append(label[++i]);
            }
            else
            {
                s.Append(char.IsControl(c) || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return s.ToString();
    }

    private static string WellFormed(string label)
        => new(label.Select((c, i) => char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < label.Length && char.IsLowSurrogate(label[i + 1])) && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(label[i - 1])) ? '\uFFFD' : c).ToArray());

    // --------------------------------------------------------------------------------------------------------------
    // DOT

    [GeneratedRegex("""^  n(\d+) \[label=("(?:[^"\\\r\n]|\\.)*"), tooltip=("(?:[^"\\\r\n]|\\.)*")\];$""")]
    private static partial Regex DotNode();

    [GeneratedRegex("""^  n(\d+) -> n(\d+) \[label="([a-zA-Z-]+)"\];$""")]
    private static partial Regex DotEdge();

    [GeneratedRegex("&(amp|lt|gt);")]
    private static partial Regex HtmlEntity();

    /// <summary>Reads a DOT quoted string as Graphviz does for an escString label: \" and \\ unescape, \n is a line break, then HTML entities.</summary>
    private static string ReadDotString(string quoted)
    {
        quoted.Should().StartWith("\"").And.EndWith("\"");
        var s = new StringBuilder();
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            if (quoted[i] != '\\')
            {
                s.Append(quoted[i]);
                continue;
            }

            var next = quoted[++i];
            s.Append(next switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                _ => throw new InvalidOperationException($"Unexpected escape \\{next} in {quoted}"),
            });
        }

        return HtmlEntity().Replace(s.ToString(), m => m.Groups[1].Value switch { "amp" => "&", "lt" => "<", _ => ">" });
    }

    private static void ShouldRoundTripAsDot(IReadOnlyList<string> labels)
    {
        var graph = GraphOf(labels);
        var dot = LineageExport.ToText(graph, LineageExportFormat.Dot);

        var lines = dot.Split('\n');
        lines[0].Should().Be("digraph lineage {");
        lines[^2].Should().Be("}");
        lines[^1].Should().BeEmpty();
        var labelsRead = new Dictionary<int, string>();
        var edges = 0;
        foreach (var line in lines[1..^2])
        {
            if (line is "  rankdir=LR;" or "  node [shape=box];")
            {
                continue;
            }

            if (DotNode().Match(line) is { Success: true } node)
            {
                var n = int.Parse(node.Groups[1].Value, CultureInfo.InvariantCulture);
                labelsRead[n] = ReadDotString(node.Groups[2].Value);
                ReadDotString(node.Groups[3].Value).Should().Be(graph.Nodes[n].Node.Id);
                continue;
            }

            DotEdge().Match(line).Success.Should().BeTrue($"every line is a node, an edge or a setting: {line}");
            edges++;
        }

        labelsRead.Should().HaveCount(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            labelsRead[i].Should().Be(Normalised(labels[i]), $"label {i} must survive the DOT export");
        }

        edges.Should().Be(graph.Edges.Count);
    }

    [Fact]
    public void Dot_export_escapes_hostile_labels_so_they_read_back_unchanged()
    {
        ShouldRoundTripAsDot(HostileLabels);
    }

    [Fact]
    public void Dot_export_writes_edges_from_dependent_to_dependency_with_kind_labels()
    {
        var dot = LineageExport.ToText(GraphOf(["a", "b", "c"]), LineageExportFormat.Dot);

        dot.Should().Contain("  n1 -> n0 [label=\"cleaned-from\"];\n").And.Contain("  n2 -> n1 [label=\"derivedFrom\"];\n");
    }

    // --------------------------------------------------------------------------------------------------------------
    // Mermaid

    [GeneratedRegex("""^  n(\d+)\["([^"\r\n]*)"\]$""")]
    private static partial Regex MermaidNode();

    [GeneratedRegex("""^  n(\d+) -->\|"([a-zA-Z-]+)"\| n(\d+)$""")]
    private static partial Regex MermaidEdge();

    [GeneratedRegex("#(\\d+|quot|amp|lt|gt);|<br/>")]
    private static partial Regex MermaidEntity();

    [GeneratedRegex("#(?!(\\d+|quot|amp|lt|gt);)")]
    private static partial Regex BareHash();

    private static string ReadMermaidText(string text)
    {
        text.Should().NotContainAny(["`", "%", "\\", "&"]);
        BareHash().IsMatch(text).Should().BeFalse($"every # starts an entity code: {text}");
        text.Replace("<br/>", string.Empty, StringComparison.Ordinal).Should().NotContainAny(["<", ">"]);
        return MermaidEntity().Replace(text, m => m.Value == "<br/>" ? "\n" : m.Groups[1].Value switch
        {
            "quot" => "\"",
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            var code => char.ConvertFromUtf32(int.Parse(code, CultureInfo.InvariantCulture)),
        });
    }

    private static void ShouldRoundTripAsMermaid(IReadOnlyList<string> labels)
    {
        var graph = GraphOf(labels);
        var mermaid = LineageExport.ToText(graph, LineageExportFormat.Mermaid);

        var lines = mermaid.Split('\n');
        lines[0].Should().Be("flowchart LR");
        lines[^1].Should().BeEmpty();
        var labelsRead = new Dictionary<int, string>();
        foreach (var line in lines[1..^1])
        {
            if (MermaidNode().Match(line) is { Success: true } node)
            {
                labelsRead[int.Parse(node.Groups[1].Value, CultureInfo.InvariantCulture)] = ReadMermaidText(node.Groups[2].Value);
                continue;
            }

            MermaidEdge().Match(line).Success.Should().BeTrue($"every line is a node or an edge: {line}");
        }

        for (var i = 0; i < labels.Count; i++)
        {
            labelsRead[i].Should().Be(Normalised(labels[i]), $"label {i} must survive the Mermaid export");
        }
    }

    [Fact]
    public void Mermaid_export_escapes_hostile_labels_so_they_read_back_unchanged()
    {
        ShouldRoundTripAsMermaid(HostileLabels);
    }

    [Fact]
    public void Mermaid_export_is_a_left_to_right_flowchart_with_kind_labels()
    {
        var mermaid = LineageExport.ToText(GraphOf(["a", "b", "c"]), LineageExportFormat.Mermaid);

        mermaid.Should().Be("flowchart LR\n  n0[\"a\"]\n  n1[\"b\"]\n  n2[\"c\"]\n  n1 -->|\"cleaned-from\"| n0\n  n2 -->|\"derivedFrom\"| n1\n");
    }

    // --------------------------------------------------------------------------------------------------------------
    // JSON

    [Fact]
    public void Json_export_has_nodes_and_edges_and_reads_back_every_label()
    {
        var graph = GraphOf(HostileLabels);

        using var json = JsonDocument.Parse(LineageExport.ToText(graph, LineageExportFormat.Json));

        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        nodes.Select(n => n.GetProperty("label").GetString()).Should().Equal(HostileLabels.Select(WellFormed));
        nodes.Select(n => n.GetProperty("id").GetString()).Should().Equal(graph.Nodes.Select(n => n.Node.Id));
        nodes.Should().AllSatisfy(n => n.GetProperty("kind").GetString().Should().Be("dataset"));
        nodes.Select(n => n.GetProperty("depth").GetInt32()).Should().Equal(graph.Nodes.Select(n => n.Depth));
        var edges = json.RootElement.GetProperty("edges").EnumerateArray().ToList();
        edges.Select(e => (e.GetProperty("source").GetString(), e.GetProperty("target").GetString(), e.GetProperty("kind").GetString()))
            .Should().Equal(graph.Edges.Select(e => ((string?)e.From, (string?)e.To, (string?)(e.Kind == LineageEdgeKind.Custom ? "custom" : "derivedFrom"))));
        edges[0].GetProperty("customKind").GetString().Should().Be("cleaned-from");
        edges[0].GetProperty("id").GetGuid().Should().Be(graph.Edges[0].Id);
    }

    [Fact]
    public void Json_export_of_a_large_graph_is_complete()
    {
        var labels = Enumerable.Range(0, 5_000).Select(i => $"dataset number {i} — ünïcödé \"{i}\"").ToList();
        var graph = GraphOf(labels);

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        LineageExport.Write(graph, LineageExportFormat.Json, writer);
        using var json = JsonDocument.Parse(writer.ToString());

        json.RootElement.GetProperty("nodes").GetArrayLength().Should().Be(5_000);
        json.RootElement.GetProperty("edges").GetArrayLength().Should().Be(4_999);
        json.RootElement.GetProperty("nodes")[4_321].GetProperty("label").GetString().Should().Be(labels[4_321]);
    }

    [Fact]
    public void Json_export_uses_camel_case_kinds()
    {
        var graph = new LineageGraph
        {
            Nodes = [new LineageGraphNode(Node("version:m/1.0.0", LineageNodeKind.ModelVersion), 0), new LineageGraphNode(Node("run:r", LineageNodeKind.TrainingRun), 0)],
            Edges = [Edge("version:m/1.0.0", LineageEdgeKind.ProducedBy, "run:r")],
        };

        using var json = JsonDocument.Parse(LineageExport.ToText(graph, LineageExportFormat.Json));

        json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("kind").GetString()).Should().Equal("modelVersion", "trainingRun");
        json.RootElement.GetProperty("nodes")[0].TryGetProperty("depth", out _).Should().BeFalse("a whole-graph snapshot has no depths");
        json.RootElement.GetProperty("edges")[0].GetProperty("kind").GetString().Should().Be("producedBy");
    }

    // --------------------------------------------------------------------------------------------------------------
    // Generated labels

    private static readonly Gen<string> HostileText = Gen.Frequency(
            (3, Gen.Char),
            (2, Gen.OneOf(Gen.Char['\u0000', '\u001f'], Gen.Char['\uD800', '\uDFFF'])),
            (4, Gen.OneOf('"', '\\', '\n', '\r', '#', '<', '>', '&', '%', '`', '{', '}', '|', ';', '[', ']', '(', ')', ' ', 'n', 'é', '\u2028')))
        .Array[0, 24]
        .Select(chars => new string(chars));

    [Fact]
    public void Any_generated_label_survives_every_export_format()
    {
        HostileText.Array[1, 4].Sample(labels =>
        {
            ShouldRoundTripAsDot(labels);
            ShouldRoundTripAsMermaid(labels);
            using var json = JsonDocument.Parse(LineageExport.ToText(GraphOf(labels), LineageExportFormat.Json));
            json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("label").GetString()).Should().Equal(labels.Select(WellFormed));
        }, iter: 2_000, print: labels => string.Join(" | ", labels.Select(l => string.Concat(l.Select(c => c < 128 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:x4}")))));
    }

    [Fact]
    public void A_traversal_result_exports_with_its_edges()
    {
        using var index = Index(Dataset("customers"), Version("fraud", "1.0.0"), Deployment("eu-prod", "production"));
        index.AddOrReplaceNode(Dataset("customers") with { Name = "Customers \"2026\"" });
        index.Link("version:fraud/1.0.0", LineageEdgeKind.TrainedOn, "dataset:customers");
        index.Link("deployment:eu-prod", LineageEdgeKind.DeployedTo, "version:fraud/1.0.0");

        var mermaid = LineageExport.ToText(index.Traverse("dataset:customers", LineageDirection.Downstream), LineageExportFormat.Mermaid);

        mermaid.Should().Be(
            "flowchart LR\n" +
            "  n0[\"Customers #quot;2026#quot;\"]\n" +
            "  n1[\"version:fraud/1.0.0\"]\n" +
            "  n2[\"deployment:eu-prod\"]\n" +
            "  n1 -->|\"trainedOn\"| n0\n" +
            "  n2 -->|\"deployedTo\"| n1\n");
    }
}
