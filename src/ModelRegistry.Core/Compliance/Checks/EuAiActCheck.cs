using ModelRegistry.Audit;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// EU AI Act obligations by risk tier. Unacceptable (prohibited practice) never passes. High risk needs technical
/// documentation, intended use, a human-oversight contact, a transparency notice, an evaluation on record, and its history
/// on the audit trail (record keeping). Limited risk needs a transparency notice. Minimal risk has no obligations.
/// </summary>
internal sealed class EuAiActCheck : IComplianceCheck
{
    public string Name => BuiltInChecks.EuAiAct;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var tier = context.Model.RiskTier;
        f.Evidence("model", "riskTier", tier.ToString());
        switch (tier)
        {
            case RiskTier.Unacceptable:
                f.Error("eu_ai_act.prohibited", $"Model '{context.Model.Name}' is registered at Unacceptable risk, a prohibited practice under the EU AI Act (Art. 5); it can never be put into service.");
                break;

            case RiskTier.High:
                f.RequireField(context, ComplianceFields.TechnicalDocumentation, "eu_ai_act.technical_documentation_missing",
                    $"High-risk systems need technical documentation (Annex IV); set the '{ComplianceFields.TechnicalDocumentation}' tag to where it is kept.");
                f.RequireField(context, ComplianceFields.IntendedUse, "eu_ai_act.intended_use_missing",
                    $"High-risk systems must state their intended purpose; set the '{ComplianceFields.IntendedUse}' tag.");
                f.RequireField(context, ComplianceFields.HumanOversightContact, "eu_ai_act.human_oversight_missing",
                    $"High-risk systems need human oversight (Art. 14); set the '{ComplianceFields.HumanOversightContact}' tag to the person or team responsible.");
                RequireTransparency(context, f);
                await RequireEvaluationAsync(context, f, cancellationToken);
                await RequireRecordKeepingAsync(context, f, cancellationToken);
                break;

            case RiskTier.Limited:
                RequireTransparency(context, f);
                break;

            default:
                f.Info("eu_ai_act.minimal", "Minimal-risk systems have no obligations under the EU AI Act beyond voluntary codes of conduct.");
                break;
        }

        return f.Build();
    }

    private static void RequireTransparency(ComplianceContext context, CheckFindings f)
        => f.RequireField(context, ComplianceFields.TransparencyNotice, "eu_ai_act.transparency_notice_missing",
            $"{context.Model.RiskTier}-risk systems must tell people they are interacting with an AI system (Art. 50); set the '{ComplianceFields.TransparencyNotice}' tag.");

    private static async Task RequireEvaluationAsync(ComplianceContext context, CheckFindings f, CancellationToken cancellationToken)
    {
        var evaluations = await context.GetEvaluationsAsync(cancellationToken);
        foreach (var e in evaluations)
        {
            f.Evidence(e.Source, "evaluation", $"{e.Suite ?? "metrics"}: {e.Metrics.Count} metrics at {e.RecordedAt:O}");
        }

        if (evaluations.Count == 0)
        {
            f.Error("eu_ai_act.evaluation_missing",
                $"High-risk systems need an evaluation on record (Art. 9, 15); none was found for version {context.Version.Version}. Record metrics with the version or an evaluation node linked to it (evaluation -EvaluatedOn-> version)."
                + (context.Lineage is null ? " No lineage tracker is registered, so evaluation nodes could not be read." : string.Empty));
        }
        else if (context.Lineage is null)
        {
            f.Warning("eu_ai_act.lineage_unavailable", "No lineage tracker is registered; only the metrics recorded with the version were considered as evaluations.");
        }
    }

    private static async Task RequireRecordKeepingAsync(ComplianceContext context, CheckFindings f, CancellationToken cancellationToken)
    {
        if (context.AuditTrail is null)
        {
            f.Error("eu_ai_act.logging_unavailable", "High-risk systems need automatic record keeping (Art. 12), but no audit trail was available to the check.");
            return;
        }

        var subject = AuditData.VersionSubject(context.Version.ModelName, context.Version.Version);
        var page = await context.AuditTrail.QueryAsync(new AuditQuery { Subject = subject, Action = "version.created", PageSize = 1 }, cancellationToken);
        if (page.Items.Count == 0)
        {
            f.Evidence("audit", subject, null);
            f.Error("eu_ai_act.logging_missing", $"The audit trail holds no creation record for {subject}; record keeping (Art. 12) cannot be shown.");
        }
        else
        {
            var r = page.Items[0];
            f.Evidence("audit", subject, $"version.created #{r.Sequence} at {r.Timestamp:O} by {r.Actor}");
        }
    }
}
