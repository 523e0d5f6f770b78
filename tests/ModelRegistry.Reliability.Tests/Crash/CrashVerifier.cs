using System.Globalization;
using ModelRegistry.Reliability.Tests.Support;

namespace ModelRegistry.Reliability.Tests.Crash;

/// <summary>What the parent checks on a store file after the child writing it was killed.</summary>
public static class CrashVerifier
{
    /// <summary>The outcome of one check.</summary>
    /// <param name="Fingerprints">The current fingerprint of every slice this run touched.</param>
    /// <param name="InFlightApplied">Whether the operation in flight at the kill was applied (wholly).</param>
    /// <param name="AuditRecords">The audit records in the store.</param>
    public sealed record Report(IReadOnlyDictionary<string, string> Fingerprints, bool InFlightApplied, long AuditRecords);

    /// <summary>Opens the store the killed child left and checks it against the child's journal.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="file">The store file.</param>
    /// <param name="journal">What the child acknowledged.</param>
    /// <param name="earlier">Fingerprints of slices written by earlier children, to prove they are still intact (or null to skip).</param>
    /// <param name="previousTotal">The audit records the store held before this child started.</param>
    public static async Task<Report> VerifyAsync(Backend backend, string file, CrashJournal.Contents journal, long previousTotal, IReadOnlyDictionary<string, string>? earlier)
    {
        Report report;
        var context = $"{backend} {file}";
        await using (var services = Stores.Open(backend, file))
        {
            var verification = await services.AuditTrail.VerifyAsync();
            verification.IsValid.Should().BeTrue("the audit chain verifies after a kill ({0}): {1}", context, verification.Problem);
            var total = verification.RecordsChecked;

            journal.ReadySequence.GetValueOrDefault(previousTotal).Should().Be(previousTotal, "the child found the store as the last check left it");
            var start = previousTotal;
            var records = (await ChildEntry.AuditAfterAsync(services.AuditTrail, 0)).ToDictionary(r => r.Sequence, r => r.Hash);
            records.Should().HaveCount((int)total);

            // Every acknowledged operation's audit records are there, unchanged.
            var lastKnown = start;
            foreach (var entry in journal.Acknowledged)
            {
                foreach (var (sequence, hash) in entry.Audit)
                {
                    records.Should().ContainKey(sequence, "operation {0} ({1}) was acknowledged with this audit record", entry.Number, entry.Description);
                    records[sequence].Should().Be(hash, "operation {0} ({1})", entry.Number, entry.Description);
                    lastKnown = Math.Max(lastKnown, sequence);
                }
            }

            var beyond = total - lastKnown;

            // The state each acknowledged operation left (its last acknowledgement per slice wins).
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in journal.Acknowledged)
            {
                foreach (var (key, fingerprint) in entry.After)
                {
                    expected[key] = fingerprint;
                }
            }

            var current = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in expected.Keys.Concat((IEnumerable<string>?)journal.InFlight?.Before.Keys ?? []).Distinct())
            {
                current[key] = await StateProbe.FingerprintAsync(services, key);
            }

            var applied = false;
            if (journal.InFlight is { } inFlight)
            {
                var changed = inFlight.Before.Where(b => current[b.Key] != b.Value).Select(b => b.Key).ToList();
                applied = changed.Count > 0;
                if (inFlight.Description.StartsWith("metrics", StringComparison.Ordinal))
                {
                    beyond.Should().Be(0, "a metric batch writes no audit record ({0})", context);
                    foreach (var key in changed)
                    {
                        long.Parse(current[key], CultureInfo.InvariantCulture).Should().Be(
                            long.Parse(inFlight.Before[key], CultureInfo.InvariantCulture) + Workload.MetricBatchSize,
                            "a metric batch is stored whole or not at all ({0}: {1})", inFlight.Description, context);
                    }
                }
                else
                {
                    (beyond > 0).Should().Be(applied,
                        "the operation in flight ({0}) has its audit record exactly when its state change is there ({1}; {2} records beyond the last acknowledged one, changed slices: {3})",
                        inFlight.Description, context, beyond, string.Join(", ", changed));
                }
            }
            else
            {
                beyond.Should().Be(0, "no audit record appears without an operation ({0})", context);
            }

            foreach (var (key, fingerprint) in expected)
            {
                if (journal.InFlight?.Before.ContainsKey(key) == true)
                {
                    // The in-flight operation may have changed it; its "before" is the last acknowledged state.
                    (current[key] == fingerprint || applied).Should().BeTrue("slice {0} keeps its acknowledged state unless the in-flight operation was applied ({1})", key, context);
                    journal.InFlight.Before[key].Should().Be(fingerprint, "nothing changed {0} between its acknowledgement and the next operation", key);
                }
                else
                {
                    current[key].Should().Be(fingerprint, "slice {0} keeps its acknowledged state ({1})", key, context);
                }
            }

            if (earlier is not null)
            {
                foreach (var (key, fingerprint) in earlier)
                {
                    (await StateProbe.FingerprintAsync(services, key)).Should().Be(fingerprint, "a later child changes nothing written by an earlier one ({0})", key);
                }
            }

            report = new Report(current, applied, total);
        }

        Stores.CheckEngineIntegrity(backend, file);
        return report;
    }
}
