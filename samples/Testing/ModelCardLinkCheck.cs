namespace Testing;

/// <summary>
/// A custom compliance check (the example of docs/custom-compliance-check.md): a version on its way to canary or
/// production must link the published model card, as the tag <c>docs.model_card_url</c> on the version or the model,
/// and the link must be https. It runs with every approval request after the built-in checks; a failure blocks approval
/// unless a reviewer with the Waiver role waives it.
/// </summary>
public sealed class ModelCardLinkCheck : IComplianceCheck
{
    public const string CheckName = "model-card-link";

    public const string Field = "docs.model_card_url";

    public string Name => CheckName;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers { get; } = [RiskTier.Minimal, RiskTier.Limited, RiskTier.High, RiskTier.Unacceptable];

    public IReadOnlyCollection<ModelStage> TargetStages { get; } = [ModelStage.Canary, ModelStage.Production];

    public ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        // GetField reads the version's tag first and falls back to the model's.
        var link = context.GetField(Field);
        var evidence = new[] { new ComplianceEvidence(context.GetFieldSource(Field) ?? "version.tags", Field, link) };
        var findings = new List<ComplianceFinding>();
        if (link is null)
        {
            findings.Add(new ComplianceFinding(FindingSeverity.Error, "model_card.link_missing",
                $"Version {context.Version.Version} of '{context.Model.Name}' links no model card; set the tag {Field} to its https address."));
        }
        else if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            findings.Add(new ComplianceFinding(FindingSeverity.Error, "model_card.link_not_https",
                $"The model card link '{link}' is not an absolute https address; publish the card over https."));
        }

        return ValueTask.FromResult(ComplianceEvaluation.FromFindings(findings, evidence));
    }
}
