using System.Globalization;
using ModelRegistry.Internal;

namespace ModelRegistry.Performance.Internal;

/// <summary>Checks the queries, requests and options of <see cref="IPerformanceTracker"/> before anything is read or written.</summary>
internal static class RequestValidation
{
    public const int MaxComparedSubjects = 20;
    public const int MaxComparedMetrics = 20;
    public const int MinPsiBins = 2;
    public const int MaxPsiBins = 100;

    public static MetricQuery Query(MetricQuery? query, string parameter = "query")
    {
        if (query is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        MetricValidation.Subject(query.Subject, $"{parameter}.Subject");
        MetricValidation.Key(query.Metric, $"{parameter}.Metric");
        MetricValidation.Window(query.Window, $"{parameter}.Window");
        DimensionFilter(query.Dimensions, $"{parameter}.Dimensions");
        return query;
    }

    public static TimeBucketSize BucketSize(TimeBucketSize size) => Guard.Defined(size, "bucketSize");

    public static ModelComparisonRequest Comparison(ModelComparisonRequest? request)
    {
        if (request is null)
        {
            throw Guard.Invalid("request", "'request' is required.");
        }

        if (request.Subjects is null || request.Subjects.Count < 2 || request.Subjects.Count > MaxComparedSubjects)
        {
            throw Guard.Invalid("request.Subjects", $"A comparison needs 2 to {MaxComparedSubjects} subjects; {request.Subjects?.Count ?? 0} were given.");
        }

        for (var i = 0; i < request.Subjects.Count; i++)
        {
            MetricValidation.Subject(request.Subjects[i], $"request.Subjects[{i}]");
        }

        if (request.Subjects.Select(Normalize).Distinct().Count() != request.Subjects.Count)
        {
            throw Guard.Invalid("request.Subjects", "A comparison lists each subject once; remove the duplicate.");
        }

        if (request.Metrics is null || request.Metrics.Count < 1 || request.Metrics.Count > MaxComparedMetrics)
        {
            throw Guard.Invalid("request.Metrics", $"A comparison needs 1 to {MaxComparedMetrics} metrics; {request.Metrics?.Count ?? 0} were given.");
        }

        for (var i = 0; i < request.Metrics.Count; i++)
        {
            MetricValidation.Key(request.Metrics[i], $"request.Metrics[{i}]");
        }

        if (request.Metrics.Distinct().Count() != request.Metrics.Count)
        {
            throw Guard.Invalid("request.Metrics", "A comparison lists each metric once; remove the duplicate.");
        }

        MetricValidation.Window(request.Window, "request.Window");
        foreach (var (key, direction) in request.Directions ?? new Dictionary<MetricKey, MetricDirection>())
        {
            MetricValidation.Key(key, "request.Directions");
            if (!Enum.IsDefined(direction))
            {
                throw Guard.Invalid("request.Directions", $"The direction of {key} has the undefined value {(int)direction}.");
            }
        }

        return request;
    }

    /// <summary>Checks the request and resolves its options and the metric's direction.</summary>
    public static (AbTestRequest Request, AbTestOptions Options, MetricDirection Direction) AbTest(AbTestRequest? request)
    {
        if (request is null)
        {
            throw Guard.Invalid("request", "'request' is required.");
        }

        MetricValidation.Subject(request.A, "request.A");
        MetricValidation.Subject(request.B, "request.B");
        if (Normalize(request.A) == Normalize(request.B))
        {
            throw Guard.Invalid("request.B", $"Both arms are {request.A}; an A/B test compares two different versions or bindings.");
        }

        MetricValidation.Window(request.Window, "request.Window");
        var options = request.Options ?? AbTestOptions.Default;
        MetricValidation.Key(options.Metric, "request.Options.Metric");
        if (!(options.SignificanceLevel > 0 && options.SignificanceLevel <= 0.5))
        {
            throw Guard.Invalid("request.Options.SignificanceLevel", $"'SignificanceLevel' is {Show(options.SignificanceLevel)}; it must be in (0, 0.5] (0.05 is usual).");
        }

        if (options.MinimumSampleSizePerArm < 2)
        {
            throw Guard.Invalid("request.Options.MinimumSampleSizePerArm", $"'MinimumSampleSizePerArm' is {options.MinimumSampleSizePerArm}; it must be at least 2 (a variance needs two values).");
        }

        if (options.Direction is { } d)
        {
            Guard.Defined(d, "request.Options.Direction");
        }

        var direction = options.Direction ?? options.Metric.DefaultDirection
            ?? throw Guard.Invalid("request.Options.Direction", $"The custom metric '{options.Metric.CustomName}' has no default direction; set Options.Direction to say whether higher or lower is better.");
        return (request, options, direction);
    }

    public static CostQuery Cost(CostQuery? query, string parameter = "query")
    {
        if (query is null)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is required.");
        }

        if (query.Version is not null && query.ModelName is null)
        {
            throw Guard.Invalid($"{parameter}.Version", "A version filter needs the model name too (set ModelName).");
        }

        if (query.BindingId is not null && query.Version is null)
        {
            throw Guard.Invalid($"{parameter}.BindingId", "A binding filter needs the model name and version too (set ModelName and Version).");
        }

        if (query.ModelName is not null)
        {
            MetricValidation.Subject(query.ModelName, query.Version ?? "0.0.0", query.BindingId, parameter);
        }

        if (query.Provider is not null && (string.IsNullOrWhiteSpace(query.Provider) || query.Provider.Length > 128))
        {
            throw Guard.Invalid($"{parameter}.Provider", "'Provider' must be a provider name of 1–128 characters.");
        }

        MetricValidation.Window(query.Window, $"{parameter}.Window");
        return query;
    }

    public static DriftQuery Drift(DriftQuery? query)
    {
        if (query is null)
        {
            throw Guard.Invalid("query", "'query' is required.");
        }

        MetricValidation.Key(query.Metric, "query.Metric");
        MetricValidation.Subject(query.Subject, "query.Subject");
        if (query.ReferenceSubject is not null)
        {
            MetricValidation.Subject(query.ReferenceSubject, "query.ReferenceSubject");
        }

        MetricValidation.Window(query.CurrentWindow, "query.CurrentWindow");
        MetricValidation.Window(query.ReferenceWindow, "query.ReferenceWindow");
        if (query.Bins < MinPsiBins || query.Bins > MaxPsiBins)
        {
            throw Guard.Invalid("query.Bins", $"'Bins' is {query.Bins}; it must be between {MinPsiBins} and {MaxPsiBins} (10 is usual).");
        }

        return query;
    }

    public static RollbackTriggerOptions Rollback(RollbackTriggerOptions? options, string parameter = "options")
    {
        options ??= RollbackTriggerOptions.Default;
        if (options.Window <= TimeSpan.Zero)
        {
            throw Guard.Invalid($"{parameter}.Window", $"'Window' is {options.Window}; it must be longer than zero.");
        }

        if (options.CoolDown < TimeSpan.Zero)
        {
            throw Guard.Invalid($"{parameter}.CoolDown", $"'CoolDown' is {options.CoolDown}; it cannot be negative.");
        }

        Fraction(options.ErrorRateThreshold, $"{parameter}.ErrorRateThreshold");
        Fraction(options.OodRateThreshold, $"{parameter}.OodRateThreshold");
        Positive(options.LatencyDegradationThreshold, $"{parameter}.LatencyDegradationThreshold");
        Positive(options.DriftThreshold, $"{parameter}.DriftThreshold");
        MinimumSamples(options.ErrorRateMinimumSamples, $"{parameter}.ErrorRateMinimumSamples");
        MinimumSamples(options.LatencyMinimumSamples, $"{parameter}.LatencyMinimumSamples");
        MinimumSamples(options.OodRateMinimumSamples, $"{parameter}.OodRateMinimumSamples");
        MinimumSamples(options.DriftMinimumSamples, $"{parameter}.DriftMinimumSamples");
        return options;
    }

    /// <summary>A subject's identity for duplicate checks: model names are case-insensitive, versions compare as SemVer.</summary>
    public static (string Model, string Version, string? Binding) Normalize(MetricSubject subject)
        => (subject.ModelName.ToUpperInvariant(), Registry.SemanticVersion.Parse(subject.Version).SortKey, subject.BindingId);

    private static void DimensionFilter(IReadOnlyDictionary<string, string>? dimensions, string parameter)
    {
        if (dimensions is not null && dimensions.Count > MetricValidation.MaxDimensions)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' has {dimensions.Count} entries; at most {MetricValidation.MaxDimensions} are allowed.");
        }

        foreach (var (key, value) in dimensions ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(key) || value is null)
            {
                throw Guard.Invalid(parameter, $"'{parameter}' needs a key and a value for every entry.");
            }
        }
    }

    private static void Fraction(double? value, string parameter)
    {
        if (value is { } v && !(v > 0 && v < 1))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {Show(v)}; it must be a fraction in (0, 1) such as 0.05, or null to disable the trigger.");
        }
    }

    private static void Positive(double? value, string parameter)
    {
        if (value is { } v && !(v > 0 && double.IsFinite(v)))
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {Show(v)}; it must be a finite number greater than 0, or null to disable the trigger.");
        }
    }

    private static void MinimumSamples(int value, string parameter)
    {
        if (value < 1)
        {
            throw Guard.Invalid(parameter, $"'{parameter}' is {value}; it must be at least 1.");
        }
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
