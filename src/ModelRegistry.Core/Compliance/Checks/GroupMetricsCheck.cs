using ModelRegistry.Compliance.Internal;
using ModelRegistry.Performance;
using ModelRegistry.Performance.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Compliance.Checks;

/// <summary>
/// The shared part of the fairness and bias checks: gather per-group results from the evaluations on record and from
/// the performance tracker's observed points, report what is missing, cite what was read, and hand each comparison of
/// at least two groups whose values are fractions to the check's own rule.
/// </summary>
/// <remarks>
/// Protected groups come from <see cref="ComplianceFields.ProtectedGroupsPrefix"/> tags and from the group metric names
/// in the evaluations; for each attribute, metric and group the tracker is asked for the metric's points with the
/// dimension <c>attribute=group</c> over <see cref="ComplianceOptions.ObservedMetricsWindow"/>.
/// </remarks>
internal abstract class GroupMetricsCheck(ComplianceOptions options) : IComplianceCheck
{
    protected const double Tolerance = 1e-9;

    protected ComplianceOptions Options { get; } = options;

    public abstract string Name { get; }

    public string Version => "1.1";

    public IReadOnlyCollection<RiskTier> RiskTiers => CheckScope.LimitedAndAbove;

    public IReadOnlyCollection<ModelStage> TargetStages => CheckScope.GatedStages;

    /// <summary>The per-group metrics the check compares (<see cref="GroupMetrics"/> names).</summary>
    protected abstract IReadOnlyList<string> Metrics { get; }

    /// <summary>What the results are called in messages (<c>selection rates</c>).</summary>
    protected abstract string ResultsName { get; }

    /// <summary>Judges one comparison of at least two groups whose values are all in [0, 1].</summary>
    protected abstract void Judge(GroupComparison comparison, string where, CheckFindings findings);

    public async ValueTask<ComplianceEvaluation> EvaluateAsync(ComplianceContext context, CancellationToken cancellationToken)
    {
        var f = new CheckFindings();
        var evaluations = await context.GetEvaluationsAsync(cancellationToken);
        var declared = DeclaredGroups(context, f);
        var attributes = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (attribute, groups) in declared)
        {
            attributes[attribute] = new SortedSet<string>(groups, StringComparer.Ordinal);
        }

        foreach (var c in GroupAnalysis.Compare(evaluations))
        {
            if (!attributes.TryGetValue(c.Attribute, out var set))
            {
                attributes[c.Attribute] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(c.Groups.Keys);
        }

        var evaluated = GroupAnalysis.Compare(evaluations, Metrics);
        foreach (var c in evaluated)
        {
            foreach (var (group, value) in c.Groups)
            {
                f.Evidence(c.Source, GroupMetrics.Name(c.Metric, c.Attribute, group), value);
            }
        }

        var observed = await ObserveAsync(context, attributes, f, cancellationToken);
        var comparisons = evaluated.Concat(observed).ToList();
        if (comparisons.Count == 0)
        {
            f.Evidence("evaluations", $"{string.Join("|", Metrics)}[attribute=group]", null);
            f.Add(
                context.Model.RiskTier >= Options.GroupResultsRequiredFrom ? FindingSeverity.Error : FindingSeverity.Warning,
                $"{Name}.no_group_results",
                $"No per-group {ResultsName} are on record for version {context.Version.Version}. Record an evaluation with metrics named like {GroupMetrics.Name(Metrics[0], "gender", "female")} (GroupMetrics.Name) for every protected group, "
                + $"or observe them: record {ObservedMetrics.KeyOf(Metrics[0])} points with the dimension gender=female for the groups declared in '{ComplianceFields.ProtectedGroupsPrefix}gender' tags."
                + (context.Lineage is null ? " No lineage tracker is registered, so evaluation nodes could not be read." : string.Empty));
            return f.Build();
        }

        foreach (var c in comparisons)
        {
            var where = $"{c.Metric} by '{c.Attribute}' in {c.Source}";
            if (c.Groups.Count < 2)
            {
                f.Warning($"{Name}.single_group", $"Only one group has results for {where}; add the other groups to compare them.");
            }
            else if (c.Groups.Values.Any(v => v is < 0 or > 1))
            {
                f.Error($"{Name}.not_a_rate", $"The values for {where} are not all fractions in [0, 1] ({GroupAnalysis.Describe(c.Groups)}).");
            }
            else
            {
                Judge(c, where, f);
            }
        }

        foreach (var (attribute, groups) in declared)
        {
            var covered = comparisons.Where(c => string.Equals(c.Attribute, attribute, StringComparison.Ordinal)).SelectMany(c => c.Groups.Keys).ToHashSet(StringComparer.Ordinal);
            foreach (var missing in groups.Where(g => !covered.Contains(g)))
            {
                f.Warning($"{Name}.group_missing", $"The protected group {attribute}={missing} is declared in '{ComplianceFields.ProtectedGroupsPrefix}{attribute}' but has no {ResultsName} in any evaluation or observation; evaluate or observe it.");
            }
        }

        context.AddObservedGroupComparisons(observed);
        return f.Build();
    }

    /// <summary>Reads the <c>compliance.protected_groups.&lt;attribute&gt;</c> tags (a version tag overrides the model's for its attribute).</summary>
    private Dictionary<string, IReadOnlyList<string>> DeclaredGroups(ComplianceContext context, CheckFindings f)
    {
        var declared = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var keys = context.Model.Tags.Keys.Concat(context.Version.Tags.Keys)
            .Where(k => k.StartsWith(ComplianceFields.ProtectedGroupsPrefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var value = context.GetField(key);
            f.Evidence(context.GetFieldSource(key) ?? "version.tags|model.tags", key, value);
            var attribute = key[ComplianceFields.ProtectedGroupsPrefix.Length..];
            var groups = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
            if (!MetricValidation.IsDimensionKey(attribute) || groups.Count == 0 || groups.Any(g => g.Length > 256))
            {
                f.Error($"{Name}.protected_groups_invalid", $"The tag '{key}' = '{value}' does not declare protected groups; the attribute after the prefix must be a dimension key (letters, digits, _ . -; up to 64) and the value a comma-separated list of groups (female, male).");
                continue;
            }

            declared[attribute] = groups;
        }

        return declared;
    }

    /// <summary>Asks the performance tracker for each metric, attribute and group; returns the comparisons it could build.</summary>
    private async Task<List<GroupComparison>> ObserveAsync(ComplianceContext context, IReadOnlyDictionary<string, SortedSet<string>> attributes, CheckFindings f, CancellationToken cancellationToken)
    {
        var comparisons = new List<GroupComparison>();
        if (attributes.Count == 0)
        {
            return comparisons;
        }

        var missingSeverity = Options.ObservedMetricsRequiredFor.Contains(context.TargetStage) ? FindingSeverity.Warning : FindingSeverity.Info;
        var window = ObservedMetrics.Window(context, Options);
        var source = ObservedMetrics.Source(window);
        var metrics = string.Join(", ", Metrics.Select(ObservedMetrics.KeyOf));
        if (context.Performance is not { } tracker)
        {
            f.Evidence(source, metrics, null);
            f.Add(missingSeverity, $"{Name}.observed_unavailable", $"No performance tracker is registered, so observed per-group {ResultsName} ({metrics}) could not be read.");
            return comparisons;
        }

        foreach (var metric in Metrics)
        {
            var key = ObservedMetrics.KeyOf(metric);
            foreach (var (attribute, groups) in attributes)
            {
                var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
                long points = 0;
                foreach (var group in groups)
                {
                    var o = await ObservedMetrics.ReadAsync(context, tracker, key, window, new Dictionary<string, string> { [attribute] = group }, cancellationToken);
                    points += o.Statistics.Count;
                    if (o.Statistics.IsEmpty)
                    {
                        continue;
                    }

                    var item = GroupMetrics.Name(metric, attribute, group);
                    f.Evidence(source, item, ObservedMetrics.Describe(o.Statistics));
                    if (o.Statistics.Count < Options.MinimumObservedSamples)
                    {
                        f.Warning($"{Name}.too_few_samples", $"Only {o.Statistics.Count} {key} points with {attribute}={group} were observed in {window}, fewer than the {Options.MinimumObservedSamples} needed (MinimumObservedSamples); the group is left out of the observed comparison.");
                        continue;
                    }

                    values[group] = o.Statistics.Mean;
                }

                f.Evidence(source, $"{key} by {attribute} ({string.Join(", ", groups)})", $"{points} points");
                if (values.Count > 0)
                {
                    var max = values.Values.Max();
                    var min = values.Values.Min();
                    comparisons.Add(new GroupComparison(source, metric, attribute, values, max - min, max > 0 ? min / max : null));
                }
            }
        }

        if (comparisons.Count == 0)
        {
            f.Add(missingSeverity, $"{Name}.observed_missing",
                $"No per-group {ResultsName} were observed for version {context.Version.Version} in {window}: record {metrics} points with a protected-group dimension ({string.Join(", ", attributes.Keys.Select(a => $"{a}=<group>"))}), at least {Options.MinimumObservedSamples} per group.");
        }

        return comparisons;
    }
}
