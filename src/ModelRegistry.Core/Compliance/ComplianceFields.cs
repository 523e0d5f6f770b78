using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ModelRegistry.Compliance;

/// <summary>
/// The well-known tag keys the built-in checks and the model card read. A field is looked up on the version's tags
/// first and then on the model's tags, so facts that hold for every version (intended use, oversight contact) are set
/// once on the model and a version overrides them when it differs.
/// </summary>
/// <remarks>
/// Set them with <c>IModelRegistry.SetModelTagAsync</c> / <c>SetVersionTagAsync</c> (or at registration and version
/// creation); every change is audited like any tag.
/// </remarks>
public static class ComplianceFields
{
    /// <summary>What the model is for and who may use it (model card, EU AI Act technical documentation).</summary>
    public const string IntendedUse = "compliance.intended_use";

    /// <summary>Known limitations and out-of-scope uses.</summary>
    public const string Limitations = "compliance.limitations";

    /// <summary>A reference to the technical documentation (EU AI Act Annex IV), such as a document URI or id. Required at High risk.</summary>
    public const string TechnicalDocumentation = "compliance.technical_documentation";

    /// <summary>Who exercises human oversight (EU AI Act Art. 14): a person, team or on-call address. Required at High risk.</summary>
    public const string HumanOversightContact = "compliance.human_oversight_contact";

    /// <summary>The notice shown to people interacting with the system (EU AI Act Art. 50). Required at Limited and High risk.</summary>
    public const string TransparencyNotice = "compliance.transparency_notice";

    /// <summary>
    /// The GDPR Art. 6 lawful basis for processing personal training data: <c>consent</c>, <c>contract</c>,
    /// <c>legal_obligation</c>, <c>vital_interests</c>, <c>public_task</c> or <c>legitimate_interests</c>.
    /// </summary>
    public const string LawfulBasis = "compliance.lawful_basis";

    /// <summary>A reference to the data-protection impact assessment (GDPR Art. 35).</summary>
    public const string DpiaReference = "compliance.dpia_reference";

    /// <summary>How long personal data is retained, as an ISO 8601 duration (<c>P2Y</c>, <c>P18M</c>, <c>P90D</c>).</summary>
    public const string RetentionPeriod = "compliance.retention_period";

    /// <summary>Ethical considerations for the model card (optional).</summary>
    public const string EthicalConsiderations = "compliance.ethical_considerations";

    /// <summary>
    /// Prefix of evaluation-threshold tags: <c>compliance.threshold.accuracy</c> = <c>&gt;=0.9</c>,
    /// <c>compliance.threshold.toxicity_rate</c> = <c>&lt;=0.01</c> (operators <c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&lt;</c>).
    /// </summary>
    public const string ThresholdPrefix = "compliance.threshold.";

    /// <summary>
    /// Prefix of observed-threshold tags, judged on the performance tracker's statistics over
    /// <see cref="ComplianceOptions.ObservedMetricsWindow"/>: <c>compliance.observed_threshold.Latency</c> = <c>p95&lt;=250</c>,
    /// <c>compliance.observed_threshold.toxicity_rate</c> = <c>&lt;=0.01</c>. The metric is a <c>MetricKind</c> name
    /// (ignoring case) or else a custom metric's name (<c>custom:name</c> forces a custom metric); the value is an optional
    /// statistic (<c>mean</c> by default, <c>p50</c>, <c>p90</c>, <c>p95</c>, <c>p99</c>, <c>min</c>, <c>max</c>), an
    /// operator and a number.
    /// </summary>
    public const string ObservedThresholdPrefix = "compliance.observed_threshold.";

    /// <summary>
    /// Prefix of protected-group tags read by the fairness and bias checks: <c>compliance.protected_groups.gender</c> =
    /// <c>female, male, non_binary</c>. The attribute (after the prefix) is the dimension key observed points carry, the
    /// groups its values. Every declared group is expected in the results.
    /// </summary>
    public const string ProtectedGroupsPrefix = "compliance.protected_groups.";

    /// <summary>The lawful bases of GDPR Art. 6(1) accepted in <see cref="LawfulBasis"/>.</summary>
    public static IReadOnlyList<string> LawfulBases { get; } = ["consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"];
}

/// <summary>
/// How per-group evaluation results are named, so fairness and bias checks can find them in an evaluation's metrics:
/// <c>metric[attribute=group]</c>, for example <c>selection_rate[gender=female]</c> or <c>fpr[age_band=65+]</c>.
/// </summary>
public static class GroupMetrics
{
    /// <summary>Share of the group that receives the positive outcome (demographic parity, disparate impact).</summary>
    public const string SelectionRate = "selection_rate";

    /// <summary>True-positive rate of the group (equalised odds).</summary>
    public const string TruePositiveRate = "tpr";

    /// <summary>False-positive rate of the group (equalised odds).</summary>
    public const string FalsePositiveRate = "fpr";

    /// <summary>Error rate of the group (wrong predictions; observed as the custom metric <c>error_rate</c>, not the request-failure kind).</summary>
    public const string ErrorRate = "error_rate";

    /// <summary>Accuracy of the group (bias: the gap between groups; observed as <c>MetricKind.Accuracy</c>).</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Builds a per-group metric name.</summary>
    /// <param name="metric">The metric (<see cref="SelectionRate"/>, ...).</param>
    /// <param name="attribute">The protected attribute (<c>gender</c>).</param>
    /// <param name="group">The group (<c>female</c>).</param>
    /// <returns><c>metric[attribute=group]</c>.</returns>
    public static string Name(string metric, string attribute, string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentException.ThrowIfNullOrWhiteSpace(attribute);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return string.Create(CultureInfo.InvariantCulture, $"{metric}[{attribute}={group}]");
    }

    /// <summary>Splits a per-group metric name.</summary>
    /// <param name="name">The metric name.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="attribute">The protected attribute.</param>
    /// <param name="group">The group.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> has the form <c>metric[attribute=group]</c>.</returns>
    public static bool TryParse(string? name, [NotNullWhen(true)] out string? metric, [NotNullWhen(true)] out string? attribute, [NotNullWhen(true)] out string? group)
    {
        metric = attribute = group = null;
        if (name is null || name.Length < 6 || name[^1] != ']')
        {
            return false;
        }

        var open = name.IndexOf('[', StringComparison.Ordinal);
        var eq = open < 0 ? -1 : name.IndexOf('=', open);
        if (open <= 0 || eq <= open + 1 || eq >= name.Length - 2)
        {
            return false;
        }

        metric = name[..open];
        attribute = name[(open + 1)..eq];
        group = name[(eq + 1)..^1];
        return true;
    }
}

/// <summary>The names of the built-in checks, for waivers and <see cref="ComplianceOptions.DisabledChecks"/>.</summary>
public static class BuiltInChecks
{
    /// <summary>EU AI Act obligations by risk tier. Default scope: every risk tier; Staging, Canary and Production.</summary>
    public const string EuAiAct = "eu-ai-act";

    /// <summary>GDPR: personal training data needs a lawful basis, a DPIA and a retention period. Default scope: every risk tier; Staging, Canary and Production.</summary>
    public const string Gdpr = "gdpr";

    /// <summary>Disparate impact (four-fifths rule) and demographic parity across protected groups. Default scope: Limited, High and Unacceptable risk; Staging, Canary and Production.</summary>
    public const string Fairness = "fairness";

    /// <summary>Per-group error-rate and accuracy gaps (equalised odds). Default scope: Limited, High and Unacceptable risk; Staging, Canary and Production.</summary>
    public const string Bias = "bias";

    /// <summary>Artifact integrity, licences, https endpoints, pinned containers. Default scope: every risk tier; Staging, Canary and Production.</summary>
    public const string Security = "security";

    /// <summary>Declared evaluation and observed thresholds are met. Default scope: every risk tier; Staging, Canary and Production.</summary>
    public const string EvaluationThresholds = "evaluation-thresholds";

    /// <summary>The fields a model card needs are filled. Default scope: every risk tier; Staging, Canary and Production.</summary>
    public const string Documentation = "documentation";
}
