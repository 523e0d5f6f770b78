using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// The fields a model card needs are filled: the model's description and owners, every field in
/// <see cref="ComplianceOptions.RequiredDocumentationFields"/> (errors when missing), the version's description and its
/// training data in lineage (warnings when missing).
/// </summary>
internal sealed class DocumentationCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.Documentation;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        f.Evidence("model", "description", context.Model.Description);
        if (string.IsNullOrWhiteSpace(context.Model.Description))
        {
            f.Error("documentation.description_missing", $"Model '{context.Model.Name}' has no description; describe what it does (UpdateModelAsync).");
        }

        f.Evidence("model", "owners", string.Join(", ", context.Model.Owners));
        if (context.Model.Owners.Count == 0)
        {
            f.Error("documentation.owners_missing", $"Model '{context.Model.Name}' has no owners; name who is accountable for it.");
        }

        foreach (var key in _options.RequiredDocumentationFields)
        {
            f.RequireField(context, key, "documentation.field_missing", $"The model card field '{key}' is empty; set it as a model or version tag.");
        }

        f.Evidence("version", "description", context.Version.Description);
        if (string.IsNullOrWhiteSpace(context.Version.Description))
        {
            f.Warning("documentation.version_description_missing", $"Version {context.Version.Version} has no description of what changed.");
        }

        if (context.Lineage is null)
        {
            f.Evidence("lineage", "training data", null);
            f.Warning("documentation.lineage_unavailable", "No lineage tracker is registered, so the model card cannot list the training data.");
        }
        else
        {
            var provenance = await context.GetProvenanceAsync(cancellationToken);
            f.Evidence("lineage", "training datasets", provenance is null ? null : provenance.Datasets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (provenance is null || provenance.Datasets.Count == 0)
            {
                f.Warning("documentation.training_data_missing", $"No training data is recorded in lineage for version {context.Version.Version}; the model card cannot describe it.");
            }
        }

        return f.Build();
    }
}
