using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ModelRegistry.Registry;

/// <summary>
/// A Semantic Versioning 2.0.0 version (<c>MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]</c>).
/// Ordering and equality follow SemVer precedence: build metadata is kept and printed but ignored
/// when comparing, so <c>1.0.0+a</c> and <c>1.0.0+b</c> are the same version of a model.
/// </summary>
public sealed class SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
{
    private const int MaxLength = 256;
    private readonly string[] _preRelease;
    private readonly string _text;

    private SemanticVersion(long major, long minor, long patch, string[] preRelease, string? build)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        _preRelease = preRelease;
        BuildMetadata = build;
        var sb = new StringBuilder();
        sb.Append(major).Append('.').Append(minor).Append('.').Append(patch);
        if (preRelease.Length > 0)
        {
            sb.Append('-').AppendJoin('.', preRelease);
        }

        if (build is not null)
        {
            sb.Append('+').Append(build);
        }

        _text = sb.ToString();
        SortKey = BuildSortKey();
    }

    /// <summary>The major version.</summary>
    public long Major { get; }

    /// <summary>The minor version.</summary>
    public long Minor { get; }

    /// <summary>The patch version.</summary>
    public long Patch { get; }

    /// <summary>The dot-separated pre-release identifiers (empty for a release).</summary>
    public IReadOnlyList<string> PreRelease => _preRelease;

    /// <summary>The build metadata after <c>+</c>, or <see langword="null"/>.</summary>
    public string? BuildMetadata { get; }

    /// <summary><see langword="true"/> when the version has pre-release identifiers.</summary>
    public bool IsPreRelease => _preRelease.Length > 0;

    /// <summary>
    /// A string whose ordinal (byte-wise) order equals SemVer precedence. Storage adapters index and sort on it;
    /// it is not meant for display.
    /// </summary>
    public string SortKey { get; }

    /// <summary>Creates a release version.</summary>
    /// <param name="major">Major version (≥ 0).</param>
    /// <param name="minor">Minor version (≥ 0).</param>
    /// <param name="patch">Patch version (≥ 0).</param>
    /// <returns>The version.</returns>
    public static SemanticVersion Create(long major, long minor, long patch)
    {
        if (major < 0 || minor < 0 || patch < 0)
        {
            throw new ModelRegistryException(ErrorCode.InvalidArgument, $"Version numbers cannot be negative ({major}.{minor}.{patch}).");
        }

        return new SemanticVersion(major, minor, patch, [], null);
    }

    /// <summary>Parses a SemVer 2.0.0 string; throws <see cref="ModelRegistryException"/> with <see cref="ErrorCode.InvalidArgument"/> when it is not one.</summary>
    /// <param name="text">The version text, for example <c>2.1.0-rc.1+build.5</c>.</param>
    /// <returns>The parsed version.</returns>
    public static SemanticVersion Parse(string text)
        => TryParse(text, out var version, out var error)
            ? version
            : throw new ModelRegistryException(ErrorCode.InvalidArgument, $"'{Truncate(text)}' is not a semantic version: {error} Use MAJOR.MINOR.PATCH, for example 1.4.0 or 2.0.0-rc.1.") { ParameterName = "version" };

    /// <summary>Tries to parse a SemVer 2.0.0 string.</summary>
    /// <param name="text">The version text.</param>
    /// <param name="version">The parsed version when successful.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a valid semantic version.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SemanticVersion? version)
        => TryParse(text, out version, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version, out string error)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty.";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"it is longer than {MaxLength} characters.";
            return false;
        }

        string? build = null;
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        var core = text;
        if (plus >= 0)
        {
            build = text[(plus + 1)..];
            core = text[..plus];
            if (!ValidIdentifiers(build, numericRules: false))
            {
                error = "the build metadata must be dot-separated non-empty identifiers of [0-9A-Za-z-].";
                return false;
            }
        }

        string[] pre = [];
        var dash = core.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            var preText = core[(dash + 1)..];
            core = core[..dash];
            if (!ValidIdentifiers(preText, numericRules: true))
            {
                error = "the pre-release must be dot-separated non-empty identifiers of [0-9A-Za-z-], numeric ones without leading zeros.";
                return false;
            }

            pre = preText.Split('.');
        }

        var parts = core.Split('.');
        if (parts.Length != 3)
        {
            error = "it needs exactly three numbers, MAJOR.MINOR.PATCH.";
            return false;
        }

        var numbers = new long[3];
        for (var i = 0; i < 3; i++)
        {
            if (!IsNumeric(parts[i]) || (parts[i].Length > 1 && parts[i][0] == '0') ||
                !long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = $"'{Truncate(parts[i])}' is not a number without leading zeros.";
                return false;
            }
        }

        version = new SemanticVersion(numbers[0], numbers[1], numbers[2], pre, build);
        error = string.Empty;
        return true;
    }

    private static bool ValidIdentifiers(string text, bool numericRules)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var id in text.Split('.'))
        {
            if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }

            if (numericRules && IsNumeric(id) && id.Length > 1 && id[0] == '0')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNumeric(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private static string Truncate(string? s) => s is null ? string.Empty : s.Length > 64 ? s[..64] + "…" : s;

    /// <summary>The next version for an increment: patch bumps patch, minor resets patch, major resets minor and patch.</summary>
    /// <param name="increment">Which part to increment.</param>
    /// <returns>A release version without pre-release or build metadata.</returns>
    public SemanticVersion Next(VersionIncrement increment) => increment switch
    {
        // 1.2.3-rc.1 is before 1.2.3, so its next patch is the release itself (as npm and NuGet do).
        VersionIncrement.Patch => IsPreRelease ? Create(Major, Minor, Patch) : Create(Major, Minor, Patch + 1),
        VersionIncrement.Minor => Create(Major, Minor + 1, 0),
        VersionIncrement.Major => Create(Major + 1, 0, 0),
        _ => throw new ModelRegistryException(ErrorCode.InvalidArgument, $"Unknown version increment {increment}."),
    };

    /// <inheritdoc />
    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Major.CompareTo(other.Major);
        if (c != 0)
        {
            return c;
        }

        c = Minor.CompareTo(other.Minor);
        if (c != 0)
        {
            return c;
        }

        c = Patch.CompareTo(other.Patch);
        if (c != 0)
        {
            return c;
        }

        // A release has higher precedence than any of its pre-releases.
        if (_preRelease.Length == 0 || other._preRelease.Length == 0)
        {
            return other._preRelease.Length.CompareTo(_preRelease.Length) switch { 0 => 0, var x => x };
        }

        for (var i = 0; i < Math.Min(_preRelease.Length, other._preRelease.Length); i++)
        {
            c = ComparePreRelease(_preRelease[i], other._preRelease[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _preRelease.Length.CompareTo(other._preRelease.Length);
    }

    private static int ComparePreRelease(string a, string b)
    {
        bool an = IsNumeric(a), bn = IsNumeric(b);
        if (an && bn)
        {
            // Numeric identifiers have no leading zeros, so length orders them before digits do.
            var byLength = a.Length.CompareTo(b.Length);
            return byLength != 0 ? byLength : string.CompareOrdinal(a, b);
        }

        if (an != bn)
        {
            return an ? -1 : 1;
        }

        return Math.Sign(string.CompareOrdinal(a, b));
    }

    private string BuildSortKey()
    {
        // Fixed-width numbers, then '1' for a release (sorts after '0' = pre-release), then each
        // pre-release identifier: numeric as '0' + 3-digit length + digits, alphanumeric as '1' + text,
        // separated by '!' which is below every identifier character, so a shorter list sorts first.
        var sb = new StringBuilder(64);
        sb.Append(Major.ToString("D19", CultureInfo.InvariantCulture)).Append('.')
          .Append(Minor.ToString("D19", CultureInfo.InvariantCulture)).Append('.')
          .Append(Patch.ToString("D19", CultureInfo.InvariantCulture));
        if (_preRelease.Length == 0)
        {
            return sb.Append('1').ToString();
        }

        sb.Append('0');
        for (var i = 0; i < _preRelease.Length; i++)
        {
            if (i > 0)
            {
                sb.Append('!');
            }

            var id = _preRelease[i];
            if (IsNumeric(id))
            {
                sb.Append('0').Append(id.Length.ToString("D3", CultureInfo.InvariantCulture)).Append(id);
            }
            else
            {
                sb.Append('1').Append(id);
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(SemanticVersion? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SemanticVersion v && Equals(v);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(SortKey);

    /// <summary>The version as written, including build metadata.</summary>
    /// <returns>The version text.</returns>
    public override string ToString() => _text;

    /// <summary>Precedence comparison.</summary>
    public static bool operator <(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) < 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator <=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) <= 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator >(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) > 0;

    /// <summary>Precedence comparison.</summary>
    public static bool operator >=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) >= 0;

    /// <summary>Precedence equality (build metadata ignored).</summary>
    public static bool operator ==(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) == 0;

    /// <summary>Precedence inequality (build metadata ignored).</summary>
    public static bool operator !=(SemanticVersion? left, SemanticVersion? right) => Compare(left, right) != 0;

    private static int Compare(SemanticVersion? a, SemanticVersion? b)
        => a is null ? (b is null ? 0 : -1) : a.CompareTo(b);
}

/// <summary>Which part of the highest existing version to increment when creating a version without an explicit number.</summary>
public enum VersionIncrement
{
    /// <summary>1.2.3 → 1.2.4.</summary>
    Patch,

    /// <summary>1.2.3 → 1.3.0.</summary>
    Minor,

    /// <summary>1.2.3 → 2.0.0.</summary>
    Major,
}
