using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelRegistry.Compliance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// Supply-chain and transport security of a version: at least one artifact; every artifact with a SHA-256 and a size,
/// fetched over a secure scheme, with a licence (on the allow-list when <see cref="ComplianceOptions.AllowedLicenses"/> is
/// set); container images pinned by digest (<c>@sha256:…</c>) rather than a mutable tag; every provider endpoint on https.
/// </summary>
internal sealed partial class SecurityCheck(IOptions<ComplianceOptions> options) : IComplianceCheck
{
    private readonly ComplianceOptions _options = options.Value;

    public string Name => BuiltInChecks.Security;

    public string Version => "1.0";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.AllTiers;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex("@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedDigest();

    public ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var v = context.Version;
        if (v.Artifacts.Count == 0)
        {
            f.Evidence("version", "artifacts", "none");
            f.Error("security.no_artifacts", $"Version {v.Version} lists no artifacts, so what is deployed cannot be verified; record its files with their SHA-256 and size.");
        }

        foreach (var a in v.Artifacts)
        {
            var source = $"artifact:{a.Uri}";
            f.Evidence(source, "sha256", a.Sha256);
            f.Evidence(source, "sizeBytes", a.SizeBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            f.Evidence(source, "license", a.License);
            if (a.Sha256 is null || !Sha256().IsMatch(a.Sha256))
            {
                f.Error("security.artifact_hash_missing", $"Artifact {a.Uri} has no valid SHA-256 (64 lower-case hex digits); without it the deployed file cannot be verified.");
            }

            if (a.SizeBytes is null)
            {
                f.Error("security.artifact_size_missing", $"Artifact {a.Uri} has no size; record SizeBytes.");
            }

            if (a.Uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || a.Uri.StartsWith("ftp://", StringComparison.OrdinalIgnoreCase))
            {
                f.Error("security.artifact_insecure_transport", $"Artifact {a.Uri} is fetched over an unencrypted scheme; use https or an authenticated object store.");
            }

            if (a.Type == ArtifactType.Container && !PinnedDigest().IsMatch(a.Uri))
            {
                f.Error("security.container_not_pinned", $"Container artifact {a.Uri} is referenced by a mutable tag; pin it by digest (image@sha256:<digest>).");
            }

            CheckLicense(a, f);
        }

        foreach (var b in v.ProviderBindings)
        {
            if (b.Endpoint is null)
            {
                continue;
            }

            f.Evidence($"binding:{b.Id}", "endpoint", b.Endpoint);
            if (!Uri.TryCreate(b.Endpoint, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
            {
                f.Error("security.endpoint_not_https", $"Provider binding '{b.Id}' serves from {b.Endpoint}; provider endpoints must use https.");
            }
        }

        return ValueTask.FromResult(f.Build());
    }

    private void CheckLicense(ModelArtifact a, CheckFindings f)
    {
        var allowed = _options.AllowedLicenses;
        if (string.IsNullOrWhiteSpace(a.License))
        {
            f.Add(allowed is null ? FindingSeverity.Warning : FindingSeverity.Error, "security.license_missing", $"Artifact {a.Uri} declares no licence; record its SPDX identifier.");
        }
        else if (allowed is not null && !allowed.Contains(a.License.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            f.Error("security.license_not_allowed", $"Artifact {a.Uri} is licensed '{a.License}', which is not on the allow-list ({string.Join(", ", allowed)}).");
        }
    }
}
