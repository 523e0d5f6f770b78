using System.Globalization;

namespace ModelRegistry.Compliance.Internal;

/// <summary>Collects the findings and evidence of one check evaluation.</summary>
internal sealed class CheckFindings
{
    private readonly List<ComplianceFinding> _findings = [];
    private readonly List<ComplianceEvidence> _evidence = [];

    public bool HasErrors => _findings.Any(f => f.Severity == FindingSeverity.Error);

    public void Error(string code, string message) => _findings.Add(new ComplianceFinding(FindingSeverity.Error, code, message));

    public void Warning(string code, string message) => _findings.Add(new ComplianceFinding(FindingSeverity.Warning, code, message));

    public void Info(string code, string message) => _findings.Add(new ComplianceFinding(FindingSeverity.Info, code, message));

    public void Add(FindingSeverity severity, string code, string message) => _findings.Add(new ComplianceFinding(severity, code, message));

    public void Evidence(string source, string item, string? value) => _evidence.Add(new ComplianceEvidence(source, item, value));

    public void Evidence(string source, string item, double value) => Evidence(source, item, Format(value));

    /// <summary>Reads a compliance field, records it as evidence, and reports an error when it is missing.</summary>
    public string? RequireField(ComplianceContext context, string key, string code, string message)
    {
        var value = context.GetField(key);
        Evidence(context.GetFieldSource(key) ?? "version.tags|model.tags", key, value);
        if (value is null)
        {
            Error(code, message);
        }

        return value;
    }

    public ComplianceEvaluation Build() => ComplianceEvaluation.FromFindings([.. _findings], [.. _evidence]);

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
