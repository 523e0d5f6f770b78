using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Compliance;
using ModelRegistry.Performance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

public sealed class ComplianceDocumentsTests
{
    private static async Task<ComplianceHost> PromotedAsync(Action<ComplianceOptions>? options = null)
    {
        var host = ComplianceHost.Create(options);
        await host.RegisterCompliantAsync(tier: RiskTier.High);
        host.Lineage!.Evaluated("fraud", "1.0.0", "fairness-q1", "fairness", new Dictionary<string, double>
        {
            [GroupMetrics.Name(GroupMetrics.SelectionRate, "age_band", "18-30")] = 0.4,
            [GroupMetrics.Name(GroupMetrics.SelectionRate, "age_band", "65+")] = 0.38,
        });
        host.Performance!.Values[MetricKind.Latency] = [12, 15, 20, 80];
        host.Performance.Values[MetricKind.ErrorRate] = [0, 0, 1, 0];
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging, new StageTransitionOptions { Reason = "QA" });
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, "looks good"));
        await host.AsAsync("dave", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Production, new StageTransitionOptions { Reason = "go live" });
        return host;
    }

    [Fact]
    public async Task The_model_card_gathers_registry_lineage_evaluation_performance_approval_and_stage_data()
    {
        await using var host = await PromotedAsync();
        var card = await host.Compliance.GetModelCardAsync("fraud", "1.0.0");

        card.RiskTier.Should().Be(RiskTier.High);
        card.Owners.Should().Equal("olga");
        card.Stage.Should().Be(ModelStage.Production);
        card.IntendedUse.Should().StartWith("Scoring card transactions");
        card.HumanOversightContact.Should().Be("fraud-oversight@example.com");
        card.TrainingData.Should().ContainSingle().Which.Should().Match<ModelCardDataset>(d => d.Id == "dataset:customers-2026" && d.ContainsPersonalData == true && d.License == "CC-BY-4.0");
        card.Evaluations.Select(e => e.Source).Should().Equal("version", "evaluation:fairness-q1");
        card.GroupComparisons.Should().Contain(g => g.Attribute == "age_band" && g.Source == "evaluation:fairness-q1" && Math.Abs(g.Difference - 0.02) < 1e-9);
        card.Performance.Select(p => p.Metric).Should().Equal("Latency", "ErrorRate");
        card.Performance[0].Statistics.P95.Should().Be(80);
        host.Performance!.Queries.Where(q => q.Dimensions is null).Should().OnlyContain(q =>  // the rest are the fairness and bias checks' per-group reads
            q.Window.To == host.Time.GetUtcNow() && q.Window.From == host.Time.GetUtcNow().AddDays(-30) && q.Subject.ModelName == "fraud");
        card.Compliance.Outcome.Should().Be(ComplianceOutcome.Pass);
        card.Approvals.Should().ContainSingle().Which.Should().Match<ApprovalRequest>(a => a.State == ApprovalState.Approved && a.Reviews.Count == 2);
        card.StageHistory.Select(s => (s.From, s.To, s.Reason)).Should().Equal((ModelStage.Development, ModelStage.Staging, "QA"), (ModelStage.Staging, ModelStage.Production, "go live"));
        card.Notes.Should().BeEmpty();
    }

    [Fact]
    public async Task The_model_card_renders_as_markdown_and_json_and_escapes_user_text()
    {
        await using var host = await PromotedAsync();
        await host.Registry.SetModelTagAsync("fraud", ComplianceFields.Limitations, "| not for <script>alert(1)</script> |\n# heading");
        var card = await host.Compliance.GetModelCardAsync("fraud", "1.0.0");

        var md = card.ToMarkdown();
        md.Should().StartWith("# Model card: fraud 1.0.0");
        md.Should().Contain("## Intended use").And.Contain("## Training data").And.Contain("## Approvals").And.Contain("## Stage history").And.Contain("## Fairness and bias");
        md.Should().Contain("\\| not for &lt;script>alert(1)&lt;/script> \\|  \n\\# heading");
        md.Should().NotContain("<script>");
        md.Should().Contain("carol Approve").And.Contain("customers").And.Contain("yes (email)");

        using var json = JsonDocument.Parse(card.ToJson());
        json.RootElement.GetProperty("modelName").GetString().Should().Be("fraud");
        json.RootElement.GetProperty("version").GetString().Should().Be("1.0.0");
        json.RootElement.GetProperty("riskTier").GetString().Should().Be("High");
        json.RootElement.GetProperty("approvals")[0].GetProperty("state").GetString().Should().Be("Approved");
    }

    [Fact]
    public async Task The_model_card_says_which_data_sources_are_missing_instead_of_leaving_them_out_silently()
    {
        await using var host = ComplianceHost.Create(lineage: false, performance: false);
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal, metrics: new Dictionary<string, double>());
        var card = await host.Compliance.GetModelCardAsync("fraud", "1.0.0");
        card.Notes.Should().Contain(n => n.Contains("no lineage tracker")).And.Contain(n => n.Contains("no performance tracker")).And.Contain(n => n.Contains("no evaluation results"));
        card.ToMarkdown().Should().Contain("## Notes");
    }

    private static async Task<(EvidenceBundleInfo Info, byte[] Zip)> BundleAsync(ComplianceHost host)
    {
        using var buffer = new MemoryStream();
        var info = await host.Compliance.WriteEvidenceBundleAsync("fraud", "1.0.0", buffer);
        return (info, buffer.ToArray());
    }

    [Fact]
    public async Task The_evidence_bundle_holds_everything_with_a_manifest_and_verifies_offline()
    {
        await using var host = await PromotedAsync();
        var (info, zipBytes) = await BundleAsync(host);

        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
        {
            zip.Entries.Select(e => e.FullName).Should().BeEquivalentTo(
                "model-card.md", "model-card.json", "compliance/check-results.json", "approvals.json", "audit/records.jsonl",
                "audit/chain.jsonl", "audit/checkpoint.json", "lineage/lineage.json", "metrics/summary.json", "VERIFY.md", "manifest.json");
            foreach (var file in info.Files)
            {
                using var s = zip.GetEntry(file.Path)!.Open();
                Convert.ToHexStringLower(SHA256.HashData(s)).Should().Be(file.Sha256, file.Path);
            }

            var records = ReadText(zip, "audit/records.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            records.Should().HaveCount(info.AuditRecordCount);
            records.Should().Contain(l => l.Contains("\"action\":\"approval.approved\"")).And.Contain(l => l.Contains("\"action\":\"version.created\""));
            ReadText(zip, "lineage/lineage.json").Should().Contain("dataset:customers-2026");
            ReadText(zip, "metrics/summary.json").Should().Contain("\"versionMetrics\"").And.Contain("Latency");
        }

        info.Checkpoint.Should().NotBeNull("a key is configured, so a covering checkpoint was created");
        (await host.Compliance.ListAuditCheckpointsAsync()).Should().ContainSingle().Which.Should().Be(info.Checkpoint);

        var verification = await EvidenceBundle.VerifyAsync(new MemoryStream(zipBytes), ComplianceHost.Key);
        verification.IsValid.Should().BeTrue(string.Join("\n", verification.Problems));
        verification.FilesVerified.Should().Be(10);
        verification.CheckpointSignatureVerified.Should().BeTrue();
        verification.AuditRecordsVerified.Should().BeGreaterThanOrEqualTo(info.AuditRecordCount);
    }

    [Fact]
    public async Task An_existing_covering_checkpoint_is_reused()
    {
        await using var host = await PromotedAsync();
        var checkpoint = await host.Compliance.CreateAuditCheckpointAsync();
        var (info, _) = await BundleAsync(host);
        info.Checkpoint.Should().Be(checkpoint);
        (await host.Compliance.ListAuditCheckpointsAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Offline_verification_detects_changed_added_and_missing_files_and_a_wrong_key()
    {
        await using var host = await PromotedAsync();
        var (_, zipBytes) = await BundleAsync(host);

        (await EvidenceBundle.VerifyAsync(new MemoryStream(Rewrite(zipBytes, "approvals.json", s => s.Replace("carol", "mallory", StringComparison.Ordinal)))))
            .Problems.Should().ContainSingle().Which.Should().Contain("'approvals.json' does not match the manifest");
        (await EvidenceBundle.VerifyAsync(new MemoryStream(Rewrite(zipBytes, "extra.txt", _ => "hello"))))
            .Problems.Should().ContainSingle().Which.Should().Contain("'extra.txt' is in the bundle but not in the manifest");
        (await EvidenceBundle.VerifyAsync(new MemoryStream(Rewrite(zipBytes, "VERIFY.md", null))))
            .Problems.Should().ContainSingle().Which.Should().Contain("missing from the bundle");
        var wrongKey = await EvidenceBundle.VerifyAsync(new MemoryStream(zipBytes), new byte[32]);
        wrongKey.IsValid.Should().BeFalse();
        wrongKey.CheckpointSignatureVerified.Should().BeFalse();
        (await EvidenceBundle.VerifyAsync(new MemoryStream([1, 2, 3]))).Problems.Should().ContainSingle().Which.Should().Contain("not a readable zip");
    }

    [Fact]
    public async Task Offline_verification_detects_an_edited_audit_record_even_when_the_manifest_is_rewritten_to_match()
    {
        await using var host = await PromotedAsync();
        var (_, zipBytes) = await BundleAsync(host);
        var forged = Rewrite(zipBytes, "audit/chain.jsonl", s => s.Replace("\"actor\":\"carol\"", "\"actor\":\"mallory\"", StringComparison.Ordinal), fixManifest: true);
        var result = await EvidenceBundle.VerifyAsync(new MemoryStream(forged), ComplianceHost.Key);
        result.IsValid.Should().BeFalse();
        result.Problems.Should().Contain(p => p.Contains("does not match its hash"));
    }

    [Fact]
    public async Task Without_a_key_the_bundle_has_no_checkpoint_but_still_verifies_its_files_and_record_hashes()
    {
        await using var host = await PromotedAsync(o => o.CheckpointSigningKey = null);
        var (info, zipBytes) = await BundleAsync(host);
        info.Checkpoint.Should().BeNull();
        info.Files.Select(f => f.Path).Should().NotContain("audit/checkpoint.json");
        var result = await EvidenceBundle.VerifyAsync(new MemoryStream(zipBytes));
        result.IsValid.Should().BeTrue(string.Join("\n", result.Problems));
        result.AuditRecordsVerified.Should().Be(info.AuditRecordCount);
    }

    private static string ReadText(ZipArchive zip, string path)
    {
        using var reader = new StreamReader(zip.GetEntry(path)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Copies a bundle, replacing (or adding, or with <see langword="null"/> removing) one file; optionally fixing the manifest's hash for it.</summary>
    private static byte[] Rewrite(byte[] zipBytes, string path, Func<string, string>? change, bool fixManifest = false)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
        {
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                files[e.FullName] = m.ToArray();
            }
        }

        if (change is null)
        {
            files.Remove(path);
        }
        else
        {
            files[path] = Encoding.UTF8.GetBytes(change(files.TryGetValue(path, out var old) ? Encoding.UTF8.GetString(old) : string.Empty));
        }

        if (fixManifest)
        {
            var manifest = Encoding.UTF8.GetString(files["manifest.json"]);
            var node = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
            foreach (var f in node["files"]!.AsArray())
            {
                if ((string?)f!["path"] == path)
                {
                    f["sha256"] = Convert.ToHexStringLower(SHA256.HashData(files[path]));
                    f["size"] = files[path].LongLength;
                }
            }

            files["manifest.json"] = Encoding.UTF8.GetBytes(node.ToJsonString());
        }

        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(content);
            }
        }

        return output.ToArray();
    }
}
