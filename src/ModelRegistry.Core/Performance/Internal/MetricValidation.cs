using System.Globalization;
using System.Text.RegularExpressions;
using ModelRegistry.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Performance.Internal;

/// <summary>
/// The input rules of the performance path, checked before anything is written. The value rules per kind are the ones
/// documented on <see cref="MetricKind"/>:
/// <list type="bullet">
/// <item>every value is finite and at most <see cref="MaxMagnitude"/> in magnitude (beyond it a value is an overflow in
/// practice, and it would leave the quantile sketch's indexable range);</item>
/// <item>Latency, Cost, Throughput and Drift are ≥ 0 (every common drift score — PSI, KL divergence, Wasserstein — is);</item>
/// <item>Accuracy, ErrorRate and OodRate are fractions in [0, 1]: accuracy is a share of correct answers by definition,
/// and accepting 93 next to 0.93 would silently corrupt every mean;</item>
/// <item>Quality and Custom take any finite value (hosts score on their own scales).</item>
/// </list>
/// Parameter names and messages are composed only when a rule fails, so checking a large batch stays cheap.
/// </summary>
internal static partial class MetricValidation
{
    public const double MaxMagnitude = 1e300;
    public const int MaxBatchSize = 100_000;
    public const int MaxDimensions = 16;
    public const int MaxDimensionValueLength = 256;
    public const int MaxRequestIdLength = 256;
    public const int MaxUnitLength = 32;
    public const int MaxErrorKindLength = 128;

    [GeneratedRegex("^[A-Za-z0-9_.:/-]{1,128}$")]
    private static partial Regex CustomNameRegex();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex DimensionKeyRegex();

    /// <summary>Whether <paramref name="name"/> is a valid custom metric name (compliance checks validate declarations with it).</summary>
    public static bool IsCustomName(string? name) => name is not null && CustomNameRegex().IsMatch(name);

    /// <summary>Whether <paramref name="key"/> is a valid dimension key.</summary>
    public static bool IsDimensionKey(string? key) => key is not null && DimensionKeyRegex().IsMatch(key);

    /// <summary>The inclusive range a value of <paramref name="kind"/> must lie in.</summary>
    public static (double Min, double Max) Range(MetricKind kind) => kind switch
    {
        MetricKind.Latency or MetricKind.Cost or MetricKind.Throughput or MetricKind.Drift => (0, MaxMagnitude),
        MetricKind.Accuracy or MetricKind.ErrorRate or MetricKind.OodRate => (0, 1),
        _ => (-MaxMagnitude, MaxMagnitude),
    };

    public static void Validate(MetricPoint? point, string parameter = "point") => Validate(point, parameter, subjectChecked: false);

    private static void Validate(MetricPoint? point, string parameter, bool subjectChecked)
    {
        if (point is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        if (!subjectChecked)
        {
            Subject(point.ModelName, point.Version, point.BindingId, parameter);
        }

        Guard.Defined(point.Kind, $"{parameter}.Kind");
        CustomName(point.Kind, point.CustomName, parameter, "CustomName");
        Value(point.Kind, point.Value, parameter, "Value");
        Text(point.Unit, MaxUnitLength, parameter, "Unit");
        Text(point.RequestId, MaxRequestIdLength, parameter, "RequestId");
        Dimensions(point.Dimensions, parameter);
    }

    /// <summary>Validates every point before any is written; the error names the first bad point's index.</summary>
    public static void ValidateBatch(IReadOnlyList<MetricPoint>? points)
    {
        if (points is null)
        {
            throw Guard.Invalid("points", "'points' is required (pass an empty list to record nothing).");
        }

        if (points.Count > MaxBatchSize)
        {
            throw Guard.Invalid("points", string.Create(CultureInfo.InvariantCulture, $"A batch holds at most {MaxBatchSize:N0} points; {points.Count:N0} were given. Split it into smaller batches."));
        }

        // Batches are long runs of one subject; its name and SemVer checks (most of the cost) run once per run.
        MetricPoint? previous = null;
        for (var i = 0; i < points.Count; i++)
        {
            try
            {
                var point = points[i];
                var same = previous is not null && point is not null
                    && string.Equals(point.ModelName, previous.ModelName, StringComparison.Ordinal)
                    && string.Equals(point.Version, previous.Version, StringComparison.Ordinal)
                    && string.Equals(point.BindingId, previous.BindingId, StringComparison.Ordinal);
                Validate(point, "point", subjectChecked: same);
                previous = point;
            }
            catch (ModelRegistryException ex)
            {
                var member = ex.ParameterName is { } p && p.StartsWith("point", StringComparison.Ordinal) ? p["point".Length..] : string.Empty;
                throw new MetricBatchValidationException(
                    i,
                    $"Point {i} of the batch is invalid: {ex.Message} Nothing was recorded; fix or remove the point and send the batch again.",
                    $"points[{i}]{member}",
                    ex);
            }
        }
    }

    public static void Validate(InferenceRecord? record, string parameter = "record")
    {
        if (record is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        Subject(record.ModelName, record.Version, record.BindingId, parameter);
        Value(MetricKind.Latency, record.LatencyMs, parameter, "LatencyMs");
        if (record.InputTokens < 0 || record.OutputTokens < 0)
        {
            var member = record.InputTokens < 0 ? "InputTokens" : "OutputTokens";
            throw Guard.Invalid($"{parameter}.{member}", $"'{parameter}.{member}' is {(record.InputTokens < 0 ? record.InputTokens : record.OutputTokens)}; token counts are ≥ 0.");
        }

        if (record.Succeeded && record.ErrorKind is not null)
        {
            throw Guard.Invalid($"{parameter}.ErrorKind", $"'{parameter}.ErrorKind' is '{record.ErrorKind}' but the request is marked as succeeded; set Succeeded = false for a failed request.");
        }

        Text(record.ErrorKind, MaxErrorKindLength, parameter, "ErrorKind");
        if (record.QualityScore is { } q)
        {
            Value(MetricKind.Quality, q, parameter, "QualityScore");
        }

        if (record.DriftScore is { } d)
        {
            Value(MetricKind.Drift, d, parameter, "DriftScore");
        }

        if (record.Cost is < 0m)
        {
            throw Guard.Invalid($"{parameter}.Cost", $"'{parameter}.Cost' is {record.Cost.Value.ToString(CultureInfo.InvariantCulture)}; a cost is ≥ 0.");
        }

        Text(record.RequestId, MaxRequestIdLength, parameter, "RequestId");
        Dimensions(record.Dimensions, parameter);
    }

    /// <summary>Checks a metric key; returns it for chaining.</summary>
    public static MetricKey Key(MetricKey? key, string parameter)
    {
        if (key is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        if (!Enum.IsDefined(key.Kind))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' has the undefined kind {(int)key.Kind}.");
        }

        CustomName(key.Kind, key.CustomName, parameter, member: null);
        return key;
    }

    public static void Value(MetricKind kind, double value, string parameter, string? member = null)
    {
        if (double.IsFinite(value))
        {
            var (min, max) = Range(kind);
            if (value >= min && value <= max)
            {
                return;
            }
        }

        parameter = Name(parameter, member);
        if (!double.IsFinite(value))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {value.ToString(CultureInfo.InvariantCulture)}; only finite numbers are accepted.");
        }

        var shown = value.ToString("R", CultureInfo.InvariantCulture);
        throw kind switch
        {
            MetricKind.Accuracy or MetricKind.ErrorRate or MetricKind.OodRate =>
                Guard.Invalid(parameter, $"'{parameter}' is {shown}; a {kind} value is a fraction in [0, 1] (send 0.05 for 5 %)."),
            MetricKind.Latency or MetricKind.Cost or MetricKind.Throughput or MetricKind.Drift when value < 0 =>
                Guard.Invalid(parameter, $"'{parameter}' is {shown}; a {kind} value is ≥ 0."),
            _ => Guard.Invalid(parameter, $"'{parameter}' is {shown}; values beyond ±1e300 are not accepted (they are an overflow in practice)."),
        };
    }

    public static void Subject(string? modelName, string? version, string? bindingId, string parameter)
    {
        try
        {
            Validation.ModelName(modelName);
        }
        catch (ModelRegistryException ex)
        {
            throw Guard.Invalid($"{parameter}.ModelName", ex.Message);
        }

        if (!SemanticVersion.TryParse(version, out _))
        {
            throw Guard.Invalid($"{parameter}.Version", $"'{version}' is not a semantic version (such as 1.2.0); '{parameter}.Version' names the model version the values belong to.");
        }

        if (bindingId is not null)
        {
            try
            {
                Validation.BindingId(bindingId);
            }
            catch (ModelRegistryException ex)
            {
                throw Guard.Invalid($"{parameter}.BindingId", ex.Message);
            }
        }
    }

    public static void Subject(MetricSubject? subject, string parameter)
    {
        if (subject is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        Subject(subject.ModelName, subject.Version, subject.BindingId, parameter);
    }

    public static MetricWindow Window(MetricWindow? window, string parameter)
    {
        if (window is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        if (window.To <= window.From)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {window}; its end must be later than its start (the window is [From, To)).");
        }

        return window;
    }

    private static void CustomName(MetricKind kind, string? name, string parameter, string? member)
    {
        if (kind == MetricKind.Custom ? name is not null && CustomNameRegex().IsMatch(name) : name is null)
        {
            return;
        }

        parameter = Name(parameter, member);
        throw kind == MetricKind.Custom
            ? Guard.Invalid(parameter, $"'{name}' is not a valid custom metric name: a Custom metric needs a name of 1–128 letters, digits, '_', '.', '-', '/' or ':'.")
            : Guard.Invalid(parameter, $"A {kind} metric takes no custom name ('{name}' was given); use MetricKind.Custom for a named metric.");
    }

    private static string Name(string parameter, string? member) => member is null ? parameter : $"{parameter}.{member}";

    private static void Text(string? value, int max, string parameter, string member)
    {
        if (value is not null && (value.Length > max || !Validation.IsWellFormed(value)))
        {
            Validation.Text(value, $"{parameter}.{member}", max);
        }
    }

    private static void Dimensions(IReadOnlyDictionary<string, string>? dimensions, string parameter)
    {
        if (dimensions is null || dimensions.Count == 0)
        {
            return;
        }

        if (dimensions.Count > MaxDimensions)
        {
            throw Guard.Invalid($"{parameter}.Dimensions", $"'{parameter}.Dimensions' has {dimensions.Count} entries; at most {MaxDimensions} are allowed (dimensions are small labels, not payloads).");
        }

        foreach (var (key, value) in dimensions)
        {
            if (key is null || !DimensionKeyRegex().IsMatch(key))
            {
                throw Guard.Invalid($"{parameter}.Dimensions", $"'{key}' is not a valid dimension key: use 1–64 letters, digits, '_', '.' or '-'.");
            }

            if (value is null)
            {
                throw Guard.Invalid($"{parameter}.Dimensions", $"Dimension '{key}' has no value.");
            }

            if (value.Length > MaxDimensionValueLength || !Validation.IsWellFormed(value))
            {
                Validation.Text(value, $"{parameter}.Dimensions[{key}]", MaxDimensionValueLength);
            }
        }
    }
}
