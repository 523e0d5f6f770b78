using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Internal;
using ModelRegistry.Lineage;
using ModelRegistry.Performance;
using ModelRegistry.Registry;
using ModelRegistry.Registry.Internal;

namespace ModelRegistry.Compliance.Internal;

internal sealed partial class ComplianceManager
{
    private static readonly MetricKey[] SummaryMetrics = [MetricKey.Latency, MetricKey.ErrorRate, MetricKey.Accuracy, MetricKey.Quality, MetricKey.Cost, MetricKey.Throughput];

    public async Task<ModelCard> GetModelCardAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        var actor = await AuthorizeAsync(ComplianceRoles.Viewer, modelName, "read model cards", cancellationToken);
        var (model, current) = await LoadVersionAsync(modelName, semver, cancellationToken);
        return await BuildModelCardAsync(model, current, actor, _clock.Now(), cancellationToken);
    }

    private async Task<ModelCard> BuildModelCardAsync(RegisteredModel model, ModelVersion version, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var lineage = Lineage;
        var context = new ComplianceContext(model, version, ModelStage.Production, actor, now, _auditTrail, lineage, Performance);

        var datasets = new List<ModelCardDataset>();
        if (lineage is null)
        {
            notes.Add("Training data: no lineage tracker is registered.");
        }
        else if (await context.GetProvenanceAsync(cancellationToken) is { } provenance)
        {
            datasets.AddRange(provenance.Datasets.Select(d => new ModelCardDataset(d.Dataset.Id, d.Dataset.Name, d.License, d.ContainsPersonalData, d.PersonalDataCategories, d.IsRoot, d.Path.Describe())));
            if (provenance.Truncated)
            {
                notes.Add($"Training data: provenance was cut off at depth {provenance.MaxDepth}.");
            }
        }
        else
        {
            notes.Add("Training data: the version has no lineage recorded.");
        }

        var evaluations = await context.GetEvaluationsAsync(cancellationToken);
        if (evaluations.Count == 0)
        {
            notes.Add("Evaluation: no evaluation results are on record.");
        }

        var window = new MetricWindow(now - _options.PerformanceSummaryWindow, now);
        var performance = await SummarizePerformanceAsync(model, version, window, notes, cancellationToken);
        // The checks run in the card's context: they share its reads, and the card shows what they observed per group.
        var compliance = await EvaluateCoreAsync(context, cancellationToken);
        var approvals = (await _approvals.ListForVersionAsync(model.Name, version.Version, cancellationToken)).Select(r => ApprovalDocuments.Effective(r, now)).ToList();
        var history = await StageHistoryAsync(model, version, cancellationToken);

        string? Field(string key) => context.GetField(key);
        return new ModelCard
        {
            ModelName = model.Name,
            Version = version.Version,
            Description = model.Description,
            VersionDescription = version.Description,
            RiskTier = model.RiskTier,
            Owners = model.Owners,
            Stage = version.Stage,
            Task = model.Task,
            Framework = model.Framework,
            SourceCommit = version.SourceCommit,
            ContentHash = version.ContentHash,
            IntendedUse = Field(ComplianceFields.IntendedUse),
            Limitations = Field(ComplianceFields.Limitations),
            EthicalConsiderations = Field(ComplianceFields.EthicalConsiderations),
            TransparencyNotice = Field(ComplianceFields.TransparencyNotice),
            HumanOversightContact = Field(ComplianceFields.HumanOversightContact),
            TechnicalDocumentation = Field(ComplianceFields.TechnicalDocumentation),
            Artifacts = version.Artifacts,
            TrainingData = datasets,
            Evaluations = evaluations,
            GroupComparisons = GroupAnalysis.Compare(evaluations),
            ObservedGroupComparisons = context.ObservedGroupComparisons,
            PerformanceWindow = window,
            Performance = performance,
            Compliance = compliance,
            Approvals = approvals,
            StageHistory = history,
            Notes = notes,
            GeneratedAt = now,
            GeneratedBy = actor,
        };
    }

    private async Task<IReadOnlyList<ModelCardMetric>> SummarizePerformanceAsync(RegisteredModel model, ModelVersion version, MetricWindow window, List<string> notes, CancellationToken cancellationToken)
    {
        var tracker = Performance;
        if (tracker is null)
        {
            notes.Add("Performance: no performance tracker is registered.");
            return [];
        }

        var metrics = new List<ModelCardMetric>();
        foreach (var key in SummaryMetrics)
        {
            try
            {
                var stats = await tracker.GetStatisticsAsync(new MetricQuery { Subject = new MetricSubject(model.Name, version.Version.ToString()), Metric = key, Window = window }, cancellationToken);
                if (!stats.IsEmpty)
                {
                    metrics.Add(new ModelCardMetric(key.ToString(), stats));
                }
            }
            catch (ModelRegistryException ex)
            {
                notes.Add($"Performance: {key} could not be read ({ex.Message}).");
            }
        }

        if (metrics.Count == 0)
        {
            notes.Add($"Performance: no metrics were recorded in {window}.");
        }

        return metrics;
    }

    private async Task<IReadOnlyList<StageChange>> StageHistoryAsync(RegisteredModel model, ModelVersion version, CancellationToken cancellationToken)
    {
        var changes = new List<StageChange>();
        foreach (var record in await AllAuditAsync(new AuditQuery { Subject = AuditData.VersionSubject(model.Name, version.Version), Action = "version.stage_changed" }, cancellationToken))
        {
            using var data = JsonDocument.Parse(record.Data);
            changes.Add(new StageChange(record.Sequence, record.Timestamp, record.Actor, StageOf(data.RootElement, "from"), StageOf(data.RootElement, "to"), StringOf(data.RootElement, "reason")));
        }

        foreach (var record in await AllAuditAsync(new AuditQuery { Subject = AuditData.ModelSubject(model.Name), Action = "model.rolled_back" }, cancellationToken))
        {
            using var data = JsonDocument.Parse(record.Data);
            var reason = StringOf(data.RootElement, "reason");
            if (SemanticVersion.TryParse(StringOf(data.RootElement, "from"), out var from) && from == version.Version)
            {
                changes.Add(new StageChange(record.Sequence, record.Timestamp, record.Actor, ModelStage.Production, ModelStage.RolledBack, reason));
            }
            else if (SemanticVersion.TryParse(StringOf(data.RootElement, "to"), out var to) && to == version.Version)
            {
                changes.Add(new StageChange(record.Sequence, record.Timestamp, record.Actor, null, ModelStage.Production, $"rollback: {reason}"));
            }
        }

        return [.. changes.OrderBy(c => c.Sequence)];

        static string? StringOf(JsonElement e, string name)
            => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

        static ModelStage? StageOf(JsonElement e, string name)
            => Enum.TryParse<ModelStage>(StringOf(e, name), out var s) ? s : null;
    }

    private async Task<List<AuditRecord>> AllAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var all = new List<AuditRecord>();
        await foreach (var record in AuditRecordsAsync(query, 0, cancellationToken))
        {
            all.Add(record);
        }

        return all;
    }

    /// <summary>The contiguous records <paramref name="first"/>..<paramref name="last"/> of the chain.</summary>
    private async Task<List<AuditRecord>> SegmentAsync(long first, long last, CancellationToken cancellationToken)
    {
        var segment = new List<AuditRecord>();
        await foreach (var record in AuditRecordsAsync(new AuditQuery(), first - 1, cancellationToken))
        {
            if (record.Sequence > last)
            {
                break;
            }

            segment.Add(record);
            if (record.Sequence == last)
            {
                break; // no read of the page after the last record
            }
        }

        return segment;
    }

    public async Task<EvidenceBundleInfo> WriteEvidenceBundleAsync(string modelName, string version, Stream destination, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(modelName);
        var semver = SemanticVersion.Parse(Guard.NotEmpty(version));
        Guard.NotNull(destination);
        if (!destination.CanWrite)
        {
            throw Guard.Invalid(nameof(destination), "The destination stream is not writable.");
        }

        var actor = await AuthorizeAsync(ComplianceRoles.Viewer, modelName, "export evidence bundles", cancellationToken);
        var (model, current) = await LoadVersionAsync(modelName, semver, cancellationToken);
        var now = _clock.Now();
        var card = await BuildModelCardAsync(model, current, actor, now, cancellationToken);
        var records = await AllAuditAsync(new AuditQuery { Subject = AuditData.VersionSubject(model.Name, current.Version) }, cancellationToken);

        // Anchor the records: the first stored checkpoint at or after the last one, or a new one when a key is configured.
        AuditCheckpoint? checkpoint = null;
        List<AuditRecord> segment = [];
        if (records.Count > 0)
        {
            checkpoint = await _anchor.FindCoveringAsync(records[^1].Sequence, cancellationToken);
            if (checkpoint is null && _anchor.Enabled)
            {
                checkpoint = await _anchor.CreateAsync(actor, automatic: false, cancellationToken);
            }

            if (checkpoint is not null)
            {
                segment = await SegmentAsync(records[0].Sequence, checkpoint.Sequence, cancellationToken);
            }
        }

        var files = new List<(string Path, byte[] Content)>
        {
            ("model-card.md", Encoding.UTF8.GetBytes(card.ToMarkdown())),
            ("model-card.json", Encoding.UTF8.GetBytes(card.ToJson())),
            ("compliance/check-results.json", Json(card.Compliance)),
            ("approvals.json", Json(card.Approvals)),
            ("audit/records.jsonl", await JsonLinesAsync(records, cancellationToken)),
        };
        if (checkpoint is not null)
        {
            files.Add(("audit/chain.jsonl", await JsonLinesAsync(segment, cancellationToken)));
            files.Add(("audit/checkpoint.json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(checkpoint, ComplianceJson.Indented))));
        }

        files.Add(("lineage/lineage.json", await LineageExportAsync(model, current, cancellationToken)));
        files.Add(("metrics/summary.json", Json(new { versionMetrics = current.Metrics, window = card.PerformanceWindow, observed = card.Performance, evaluations = card.Evaluations, groupComparisons = card.GroupComparisons, observedGroupComparisons = card.ObservedGroupComparisons })));
        files.Add(("VERIFY.md", Encoding.UTF8.GetBytes(VerifyText)));

        var listed = files.Select(f => new EvidenceFile(f.Path, Convert.ToHexStringLower(SHA256.HashData(f.Content)), f.Content.LongLength)).ToList();
        var manifest = new EvidenceManifest(EvidenceManifest.CurrentFormat, model.Name, current.Version, current.ContentHash, now, actor, checkpoint, records.Count, listed);
        using (var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files.Append((EvidenceManifest.Path, Json(manifest))))
            {
                var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = now;
                await using var stream = await entry.OpenAsync(cancellationToken);
                await stream.WriteAsync(content, cancellationToken);
            }
        }

        await destination.FlushAsync(cancellationToken);
        return new EvidenceBundleInfo(model.Name, current.Version, listed, checkpoint, records.Count);
    }

    private async Task<byte[]> LineageExportAsync(RegisteredModel model, ModelVersion version, CancellationToken cancellationToken)
    {
        var lineage = Lineage;
        if (lineage is null)
        {
            return Json(new { available = false, reason = "No lineage tracker is registered." });
        }

        try
        {
            var graph = await lineage.GetLineageAsync(LineageNodeIds.Version(model.Name, version.Version), new LineageQuery { MaxDepth = LineageQuery.MaxAllowedDepth }, cancellationToken);
            await using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            await lineage.ExportAsync(writer, LineageExportFormat.Json, graph, cancellationToken);
            return Encoding.UTF8.GetBytes(writer.ToString());
        }
        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return Json(new { available = false, reason = "The version has no lineage recorded." });
        }
    }

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ComplianceJson.Indented);

    private static async Task<byte[]> JsonLinesAsync(IEnumerable<AuditRecord> records, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        foreach (var record in records)
        {
            await WriteJsonLineAsync(buffer, record, cancellationToken);
        }

        return buffer.ToArray();
    }

    private const string VerifyText = """
        # Verifying this evidence bundle

        1. `manifest.json` lists every other file with its SHA-256 and size; check them with any SHA-256 tool
           (`sha256sum model-card.md`) and make sure no file is missing or extra.
        2. `audit/records.jsonl` holds the audit records about this version, one JSON object per line.
           `audit/chain.jsonl` holds every record from the first of them to the checkpoint's record, so their hashes and
           links can be recomputed: each record's `hash` is SHA-256 over its canonical form (see AuditChain in the
           ModelRegistry library) and each `previousHash` equals the hash of the record before.
        3. `audit/checkpoint.json` is the signed checkpoint: the hash of the last record of `audit/chain.jsonl` must
           equal its `headHash`, and its `signature` is HMAC-SHA256 under the registry's checkpoint key.

        With the ModelRegistry library all of this is one call:
        `await EvidenceBundle.VerifyAsync(File.OpenRead("bundle.zip"), checkpointKey)`.
        """;
}

/// <summary>The manifest of an evidence bundle (<c>manifest.json</c>).</summary>
internal sealed record EvidenceManifest(
    string Format,
    string ModelName,
    SemanticVersion Version,
    string ContentHash,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    AuditCheckpoint? Checkpoint,
    int AuditRecordCount,
    IReadOnlyList<EvidenceFile> Files)
{
    public const string CurrentFormat = "modelregistry-evidence-v1";
    public const string Path = "manifest.json";
}
