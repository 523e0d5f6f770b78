using System.Text.RegularExpressions;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// GDPR: when lineage provenance shows training data that contains personal data, the version (or model) must state a
/// lawful basis (Art. 6), a data-protection impact assessment reference (Art. 35) and a retention period (Art. 5(1)(e)).
/// Provenance that cannot be read, or datasets that do not declare whether they hold personal data, are warnings.
/// </summary>
internal sealed partial class GdprCheck : IComplianceCheck
{
    public string Name => BuiltInChecks.Gdpr;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    [GeneratedRegex(@"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")]
    private static partial Regex IsoDuration();

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        if (context.Lineage is null)
        {
            f.Evidence("lineage", "provenance", null);
            f.Warning("gdpr.lineage_unavailable", "No lineage tracker is registered, so it cannot be shown whether the training data contains personal data. Register lineage and record the training datasets.");
            return f.Build();
        }

        var provenance = await context.GetProvenanceAsync(cancellationToken);
        if (provenance is null || provenance.Datasets.Count == 0)
        {
            f.Evidence("lineage", "provenance", provenance is null ? null : "no datasets");
            f.Warning("gdpr.training_data_unknown", $"No training datasets are recorded for version {context.Version.Version}; link them in lineage (version -TrainedOn-> dataset) with their personal-data declaration so GDPR obligations can be assessed.");
            return f.Build();
        }

        if (provenance.Truncated)
        {
            f.Warning("gdpr.provenance_truncated", $"Provenance was cut off at depth {provenance.MaxDepth}; datasets further upstream were not assessed.");
        }

        var personal = new List<string>();
        foreach (var source in provenance.Datasets)
        {
            var flag = source.ContainsPersonalData;
            f.Evidence($"lineage:{source.Dataset.Id}", "containsPersonalData",
                flag is null ? null : flag.Value ? $"yes ({string.Join(", ", source.PersonalDataCategories)})" : "no");
            if (flag is null)
            {
                f.Warning("gdpr.personal_data_undeclared", $"Dataset '{source.Dataset.Id}' does not declare whether it contains personal data; set DatasetDetails.ContainsPersonalData.");
            }
            else if (flag.Value)
            {
                personal.Add(source.Dataset.Id);
            }
        }

        if (personal.Count == 0)
        {
            f.Info("gdpr.no_personal_data", "No training dataset is declared to contain personal data.");
            return f.Build();
        }

        var datasets = string.Join(", ", personal);
        var basis = f.RequireField(context, ComplianceFields.LawfulBasis, "gdpr.lawful_basis_missing",
            $"The training data contains personal data ({datasets}); record the GDPR Art. 6 lawful basis in the '{ComplianceFields.LawfulBasis}' tag ({string.Join(", ", ComplianceFields.LawfulBases)}).");
        if (basis is not null && !ComplianceFields.LawfulBases.Contains(basis, StringComparer.OrdinalIgnoreCase))
        {
            f.Error("gdpr.lawful_basis_invalid", $"'{basis}' is not a GDPR Art. 6 lawful basis; use one of {string.Join(", ", ComplianceFields.LawfulBases)}.");
        }

        f.RequireField(context, ComplianceFields.DpiaReference, "gdpr.dpia_missing",
            $"The training data contains personal data ({datasets}); record the data-protection impact assessment in the '{ComplianceFields.DpiaReference}' tag.");
        var retention = f.RequireField(context, ComplianceFields.RetentionPeriod, "gdpr.retention_missing",
            $"The training data contains personal data ({datasets}); state how long it is kept in the '{ComplianceFields.RetentionPeriod}' tag as an ISO 8601 duration (P2Y).");
        if (retention is not null && !IsoDuration().IsMatch(retention))
        {
            f.Error("gdpr.retention_invalid", $"The retention period '{retention}' is not an ISO 8601 duration; write it as P2Y, P18M or P90D.");
        }

        return f.Build();
    }
}
