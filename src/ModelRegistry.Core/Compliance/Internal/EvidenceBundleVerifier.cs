using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelRegistry.Audit;
using ModelRegistry.Internal;

namespace ModelRegistry.Compliance.Internal;

/// <summary>Offline verification of an evidence bundle; needs nothing but the zip (and optionally the checkpoint key).</summary>
internal static class EvidenceBundleVerifier
{
    public static async Task<EvidenceBundleVerification> VerifyAsync(Stream bundle, byte[]? checkpointKey, CancellationToken cancellationToken)
    {
        Guard.NotNull(bundle);
        if (!bundle.CanRead)
        {
            throw Guard.Invalid(nameof(bundle), "The bundle stream is not readable.");
        }

        var problems = new List<string>();
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries)
            {
                await using var stream = await entry.OpenAsync(cancellationToken);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken);
                if (!contents.TryAdd(entry.FullName, buffer.ToArray()))
                {
                    problems.Add($"The zip holds '{entry.FullName}' twice.");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return new EvidenceBundleVerification(false, [$"The bundle is not a readable zip ({ex.Message})."], 0, 0, false);
        }

        if (!contents.TryGetValue(EvidenceManifest.Path, out var manifestBytes))
        {
            return new EvidenceBundleVerification(false, ["The bundle has no manifest.json."], 0, 0, false);
        }

        EvidenceManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<EvidenceManifest>(manifestBytes, ComplianceJson.Compact) ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            return new EvidenceBundleVerification(false, [$"manifest.json cannot be read ({ex.Message})."], 0, 0, false);
        }

        if (!string.Equals(manifest.Format, EvidenceManifest.CurrentFormat, StringComparison.Ordinal))
        {
            problems.Add($"manifest.json has format '{manifest.Format}', not '{EvidenceManifest.CurrentFormat}'.");
        }

        var filesVerified = 0;
        foreach (var file in manifest.Files ?? [])
        {
            if (!contents.TryGetValue(file.Path, out var bytes))
            {
                problems.Add($"'{file.Path}' is listed in the manifest but missing from the bundle.");
                continue;
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(hash, file.Sha256, StringComparison.Ordinal) || bytes.LongLength != file.Size)
            {
                problems.Add($"'{file.Path}' does not match the manifest (SHA-256 {hash[..16]}…, {bytes.LongLength} bytes; listed {Short(file.Sha256)}, {file.Size} bytes); it was changed.");
                continue;
            }

            filesVerified++;
        }

        foreach (var path in contents.Keys.Where(p => p != EvidenceManifest.Path && !(manifest.Files ?? []).Any(f => f.Path == p)))
        {
            problems.Add($"'{path}' is in the bundle but not in the manifest.");
        }

        var recordsVerified = 0;
        var signatureVerified = false;
        var records = ReadLines(contents, "audit/records.jsonl", problems);
        if (manifest.Checkpoint is { } checkpoint)
        {
            var chain = ReadLines(contents, "audit/chain.jsonl", problems);
            recordsVerified = VerifyChain(chain, checkpoint, problems);
            var inChain = chain.ToDictionary(r => r.Sequence);
            foreach (var r in records.Where(r => !inChain.TryGetValue(r.Sequence, out var c) || c != r))
            {
                problems.Add($"Audit record {r.Sequence} of the version is not part of the anchored chain segment, or differs from it.");
            }

            if (checkpointKey is not null)
            {
                signatureVerified = checkpoint.VerifySignature(checkpointKey);
                if (!signatureVerified)
                {
                    problems.Add($"The checkpoint's signature does not verify with the key given (key id '{checkpoint.KeyId}'); the checkpoint was altered, or the key is wrong.");
                }
            }
        }
        else
        {
            foreach (var r in records.Where(r => AuditChain.ComputeHash(r) != r.Hash))
            {
                problems.Add($"Audit record {r.Sequence} does not match its hash; it was edited.");
            }

            recordsVerified = records.Count(r => AuditChain.ComputeHash(r) == r.Hash);
        }

        if (records.Count != manifest.AuditRecordCount)
        {
            problems.Add($"audit/records.jsonl holds {records.Count} records; the manifest says {manifest.AuditRecordCount}.");
        }

        return new EvidenceBundleVerification(problems.Count == 0, problems, filesVerified, recordsVerified, signatureVerified);
    }

    private static int VerifyChain(List<AuditRecord> chain, AuditCheckpoint checkpoint, List<string> problems)
    {
        if (chain.Count == 0)
        {
            problems.Add("audit/chain.jsonl is empty, so the records cannot be tied to the checkpoint.");
            return 0;
        }

        var verified = 0;
        for (var i = 0; i < chain.Count; i++)
        {
            var r = chain[i];
            if (i > 0 && (r.Sequence != chain[i - 1].Sequence + 1 || r.PreviousHash != chain[i - 1].Hash))
            {
                problems.Add($"Audit record {r.Sequence} does not follow record {chain[i - 1].Sequence} in the chain segment; records were removed, inserted or reordered.");
                return verified;
            }

            if (AuditChain.ComputeHash(r) != r.Hash)
            {
                problems.Add($"Audit record {r.Sequence} does not match its hash; it was edited.");
                return verified;
            }

            verified++;
        }

        if (chain[^1].Sequence != checkpoint.Sequence || chain[^1].Hash != checkpoint.HeadHash)
        {
            problems.Add($"The chain segment ends at record {chain[^1].Sequence} with hash {Short(chain[^1].Hash)}, but the checkpoint vouches for record {checkpoint.Sequence} with hash {Short(checkpoint.HeadHash)}.");
        }

        return verified;
    }

    private static List<AuditRecord> ReadLines(Dictionary<string, byte[]> contents, string path, List<string> problems)
    {
        var list = new List<AuditRecord>();
        if (!contents.TryGetValue(path, out var bytes))
        {
            problems.Add($"'{path}' is missing.");
            return list;
        }

        var lineNumber = 0;
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                list.Add(JsonSerializer.Deserialize<AuditRecord>(line, ComplianceJson.Compact) ?? throw new JsonException("empty"));
            }
            catch (JsonException ex)
            {
                problems.Add($"Line {lineNumber} of '{path}' is not an audit record ({ex.Message}).");
            }
        }

        return list;
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash.Length > 16 ? hash[..16] + "…" : hash;
}
