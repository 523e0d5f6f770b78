using System.Globalization;
using System.Text;

namespace ModelRegistry.Compliance.Internal;

/// <summary>Renders a <see cref="ModelCard"/> as Markdown. Every piece of user text is escaped so it cannot break the layout.</summary>
internal static class ModelCardMarkdown
{
    public static string Render(ModelCard card)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Model card: {Text(card.ModelName)} {card.Version}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Generated {card.GeneratedAt:yyyy-MM-dd HH:mm:ss} UTC by {Text(card.GeneratedBy)}.");
        md.AppendLine();

        md.AppendLine("## Model details");
        md.AppendLine();
        md.AppendLine("| Field | Value |");
        md.AppendLine("| --- | --- |");
        Row(md, "Description", card.Description);
        Row(md, "Version notes", card.VersionDescription);
        Row(md, "Risk tier", card.RiskTier.ToString());
        Row(md, "Owners", string.Join(", ", card.Owners));
        Row(md, "Stage", card.Stage.ToString());
        Row(md, "Task", card.Task);
        Row(md, "Framework", card.Framework);
        Row(md, "Source commit", card.SourceCommit);
        Row(md, "Content hash", card.ContentHash);
        md.AppendLine();

        Section(md, "Intended use", card.IntendedUse);
        Section(md, "Limitations", card.Limitations);
        Section(md, "Ethical considerations", card.EthicalConsiderations);
        Section(md, "Transparency notice", card.TransparencyNotice);
        Section(md, "Human oversight", card.HumanOversightContact);
        Section(md, "Technical documentation", card.TechnicalDocumentation);

        md.AppendLine("## Artifacts");
        md.AppendLine();
        if (card.Artifacts.Count == 0)
        {
            md.AppendLine("_None recorded._");
        }
        else
        {
            md.AppendLine("| Type | URI | SHA-256 | Size (bytes) | Licence |");
            md.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var a in card.Artifacts)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {a.Type} | {Cell(a.Uri)} | {Cell(a.Sha256)} | {a.SizeBytes?.ToString(CultureInfo.InvariantCulture) ?? "—"} | {Cell(a.License)} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Training data");
        md.AppendLine();
        if (card.TrainingData.Count == 0)
        {
            md.AppendLine("_None recorded._");
        }
        else
        {
            md.AppendLine("| Dataset | Licence | Personal data | Root | Path |");
            md.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var d in card.TrainingData)
            {
                var personal = d.ContainsPersonalData switch
                {
                    true => "yes" + (d.PersonalDataCategories.Count > 0 ? $" ({string.Join(", ", d.PersonalDataCategories)})" : string.Empty),
                    false => "no",
                    null => "not declared",
                };
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(d.Name)} (`{Code(d.Id)}`) | {Cell(d.License)} | {Cell(personal)} | {(d.IsRoot ? "yes" : "no")} | {Cell(d.Path)} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Evaluation");
        md.AppendLine();
        if (card.Evaluations.Count == 0)
        {
            md.AppendLine("_No evaluation results on record._");
        }

        foreach (var e in card.Evaluations)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {Text(e.Suite ?? e.Source)}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Source `{Code(e.Source)}`, recorded {e.RecordedAt:yyyy-MM-dd HH:mm:ss} UTC.");
            md.AppendLine();
            md.AppendLine("| Metric | Value |");
            md.AppendLine("| --- | --- |");
            foreach (var (name, value) in e.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(name)} | {CheckFindings.Format(value)} |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Fairness and bias");
        md.AppendLine();
        GroupTable(md, card.GroupComparisons, "_No per-group evaluation results on record._");
        md.AppendLine();
        md.AppendLine("### Observed per group");
        md.AppendLine();
        GroupTable(md, card.ObservedGroupComparisons, "_No per-group results observed by the fairness and bias checks._");
        md.AppendLine();
        md.AppendLine("## Performance");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Window {Text(card.PerformanceWindow.ToString())}.");
        md.AppendLine();
        if (card.Performance.Count == 0)
        {
            md.AppendLine("_No observations in the window._");
        }
        else
        {
            md.AppendLine("| Metric | Count | Mean | p50 | p95 | p99 |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var m in card.Performance)
            {
                var s = m.Statistics;
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(m.Metric)} | {s.Count} | {CheckFindings.Format(s.Mean)} | {CheckFindings.Format(s.P50)} | {CheckFindings.Format(s.P95)} | {CheckFindings.Format(s.P99)} |");
            }
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Compliance (for {card.Compliance.TargetStage}): {card.Compliance.Outcome}");
        md.AppendLine();
        md.AppendLine("| Check | Version | Outcome | Findings |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var r in card.Compliance.Results)
        {
            var findings = r.Findings.Where(f => f.Severity != FindingSeverity.Info).Select(f => $"{f.Severity}: {f.Message}").ToList();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(r.CheckName)} | {Cell(r.CheckVersion)} | {r.Outcome} | {Cell(findings.Count == 0 ? "—" : string.Join(" / ", findings))} |");
        }

        md.AppendLine();
        md.AppendLine("## Approvals");
        md.AppendLine();
        if (card.Approvals.Count == 0)
        {
            md.AppendLine("_No approval requests._");
        }
        else
        {
            md.AppendLine("| Request | Target | State | Requested | Reviews | Waivers |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var a in card.Approvals)
            {
                var reviews = string.Join("; ", a.Reviews.Select(r => $"{r.Reviewer} {r.Decision} {r.ReviewedAt:yyyy-MM-dd HH:mm}"));
                var waivers = string.Join("; ", a.Waivers.Select(w => $"{w.CheckName} by {w.WaivedBy}: {w.Reason}"));
                md.AppendLine(CultureInfo.InvariantCulture, $"| `{Code(a.Id)}` | {a.TargetStage} | {a.State} | {Cell(a.RequestedBy)} {a.RequestedAt:yyyy-MM-dd HH:mm} | {Cell(reviews.Length == 0 ? "—" : reviews)} | {Cell(waivers.Length == 0 ? "—" : waivers)} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Stage history");
        md.AppendLine();
        if (card.StageHistory.Count == 0)
        {
            md.AppendLine("_No stage changes._");
        }
        else
        {
            md.AppendLine("| When (UTC) | From | To | By | Reason | Audit record |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var c in card.StageHistory)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c.At:yyyy-MM-dd HH:mm:ss} | {c.From?.ToString() ?? "—"} | {c.To?.ToString() ?? "—"} | {Cell(c.Actor)} | {Cell(c.Reason)} | #{c.Sequence} |");
            }
        }

        if (card.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var n in card.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {Text(n)}");
            }
        }

        return md.ToString();
    }

    private static void GroupTable(StringBuilder md, IReadOnlyList<GroupComparison> comparisons, string none)
    {
        if (comparisons.Count == 0)
        {
            md.AppendLine(none);
            return;
        }

        md.AppendLine("| Source | Metric | Attribute | Groups | Difference | Ratio |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var g in comparisons)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(g.Source)} | {Cell(g.Metric)} | {Cell(g.Attribute)} | {Cell(GroupAnalysis.Describe(g.Groups))} | {CheckFindings.Format(g.Difference)} | {(g.Ratio is { } r ? CheckFindings.Format(r) : "—")} |");
        }
    }

    private static void Row(StringBuilder md, string field, string? value)
        => md.AppendLine(CultureInfo.InvariantCulture, $"| {field} | {Cell(value)} |");

    private static void Section(StringBuilder md, string title, string? text)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        md.AppendLine();
        md.AppendLine(string.IsNullOrWhiteSpace(text) ? "_Not stated._" : Text(text));
        md.AppendLine();
    }

    /// <summary>
    /// Escapes Markdown and HTML so user text renders literally: inline markup characters everywhere, block markers
    /// (headings, lists, quotes) at the start of a line; line breaks become hard breaks.
    /// </summary>
    internal static string Text(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (lineStart && c is not ('\n' or '\r' or ' '))
            {
                if (c is '#' or '-' or '+' or '=' or '>')
                {
                    sb.Append('\\');
                }
                else if (char.IsAsciiDigit(c))
                {
                    // "1. item" would start an ordered list: escape the dot after the leading digits.
                    var j = i;
                    while (j < text.Length && char.IsAsciiDigit(text[j]))
                    {
                        j++;
                    }

                    if (j < text.Length && text[j] is '.' or ')')
                    {
                        sb.Append(text, i, j - i).Append('\\');
                        i = j - 1;
                        lineStart = false;
                        continue;
                    }
                }

                lineStart = false;
            }

            switch (c)
            {
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~':
                    sb.Append('\\').Append(c);
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '&':
                    sb.Append("&amp;");
                    break;
                case '\r':
                    break;
                case '\n':
                    sb.Append("  \n");
                    lineStart = true;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>A table cell: escaped text on one line.</summary>
    internal static string Cell(string? text)
        => string.IsNullOrWhiteSpace(text) ? "—" : Text(text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace('\n', ' '));

    /// <summary>Inside a code span: backticks cannot be escaped, so they are replaced.</summary>
    private static string Code(string text) => text.Replace('`', '\'').Replace('\n', ' ').Replace("\r", string.Empty, StringComparison.Ordinal);
}
