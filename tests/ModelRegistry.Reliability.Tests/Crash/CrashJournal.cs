using System.Globalization;
using System.Text;
using ModelRegistry.Audit;

namespace ModelRegistry.Reliability.Tests.Crash;

/// <summary>
/// The side log of the crash child. Every entry is written with one <c>write</c> call and flushed to the operating
/// system before the next call starts, so a SIGKILL loses at most the entry being written (never a byte of one
/// already acknowledged). Lines:
/// <code>
/// R lastAuditSequence                  the store opened
/// B n description / S0 n key fp        operation n is about to run; fingerprints of its slices before
/// A n outcome / S n key fp / H seq hash / E n   operation n returned (ok or refused), slices after, its audit records
/// </code>
/// </summary>
public sealed class CrashJournal : IDisposable
{
    private readonly FileStream _stream;

    public CrashJournal(string path) => _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);

    public void Ready(long lastSequence) => Write($"R {lastSequence}\n");

    public void Begin(int n, string description, IEnumerable<(string Key, string Fingerprint)> before)
        => Write(new StringBuilder().Append(CultureInfo.InvariantCulture, $"B {n} {description}\n")
            .AppendJoin(string.Empty, before.Select(b => $"S0 {n} {b.Key} {b.Fingerprint}\n")).ToString());

    public void Acknowledge(int n, string outcome, IEnumerable<(string Key, string Fingerprint)> after, IEnumerable<AuditRecord> audit)
        => Write(new StringBuilder().Append(CultureInfo.InvariantCulture, $"A {n} {outcome}\n")
            .AppendJoin(string.Empty, after.Select(a => $"S {n} {a.Key} {a.Fingerprint}\n"))
            .AppendJoin(string.Empty, audit.Select(r => $"H {r.Sequence} {r.Hash}\n"))
            .Append(CultureInfo.InvariantCulture, $"E {n}\n").ToString());

    private void Write(string text)
    {
        _stream.Write(Encoding.UTF8.GetBytes(text));
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>What a journal says after the child was killed.</summary>
    public sealed record Contents(long? ReadySequence, IReadOnlyList<Entry> Acknowledged, Entry? InFlight);

    /// <summary>One operation as the journal recorded it.</summary>
    public sealed class Entry(int number, string description)
    {
        public int Number { get; } = number;

        public string Description { get; } = description;

        public string Outcome { get; set; } = "";

        public Dictionary<string, string> Before { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> After { get; } = new(StringComparer.Ordinal);

        public List<(long Sequence, string Hash)> Audit { get; } = [];
    }

    /// <summary>Reads a journal; a torn last line (no newline) is ignored.</summary>
    public static Contents Read(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var complete = text.LastIndexOf('\n') is var end and >= 0 ? text[..(end + 1)] : "";
        long? ready = null;
        var acknowledged = new List<Entry>();
        Entry? open = null;
        foreach (var line in complete.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            switch (parts[0])
            {
                case "R":
                    ready = long.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                case "B":
                    open = new Entry(int.Parse(parts[1], CultureInfo.InvariantCulture), line[(parts[0].Length + parts[1].Length + 2)..]);
                    break;
                case "S0":
                    open!.Before[parts[2]] = parts[3];
                    break;
                case "A":
                    open!.Outcome = line[(parts[0].Length + parts[1].Length + 2)..];
                    break;
                case "S":
                    open!.After[parts[2]] = parts[3];
                    break;
                case "H":
                    open!.Audit.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]));
                    break;
                case "E":
                    acknowledged.Add(open!);
                    open = null;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected journal line '{line}'.");
            }
        }

        if (open is not null)
        {
            // Killed after B and maybe part of the way through the acknowledgement block (which is one write, so
            // either all of it is there or none): the call may or may not have been applied.
            open.After.Clear();
            open.Audit.Clear();
        }

        return new Contents(ready, acknowledged, open);
    }
}
