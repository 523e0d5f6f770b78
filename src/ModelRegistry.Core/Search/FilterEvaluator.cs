using ModelRegistry.Registry;

namespace ModelRegistry.Search;

/// <summary>
/// Evaluates filter trees in memory. This is the reference semantics that every storage adapter must reproduce
/// (the conformance suite compares adapters with it).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A comparison, <c>LIKE</c> or <c>IN</c> on a missing value is false; <c>IS NULL</c> is true exactly when the
/// value is missing (for collections: when there are no elements).</item>
/// <item>Logic is two-valued: <c>NOT</c> negates the operand's result, so <c>NOT (tags.team = 'x')</c> matches items
/// without the tag while <c>tags.team != 'x'</c> does not.</item>
/// <item>Collection fields (<c>owner</c>, <c>provider</c>) match when any element matches, so <c>owner != 'a'</c> is
/// true when some owner is not <c>a</c>.</item>
/// <item>Strings compare by code point (ordinal); numbers numerically; timestamps by instant; versions by SemVer
/// precedence (build metadata ignored); enum members by integer value. <c>LIKE</c>/<c>ILIKE</c> follow
/// <see cref="LikePattern"/>.</item>
/// <item>On versions, <c>name</c> is the model name; <c>description</c>, <c>tags.*</c>, <c>created_at</c> and
/// <c>updated_at</c> are the version's own; <c>owner</c>, <c>risk_tier</c> and <c>status</c> are the owning
/// model's.</item>
/// <item>A literal whose type does not fit the field (only possible in hand-built trees) never matches.</item>
/// </list>
/// </remarks>
internal static class FilterEvaluator
{
    /// <summary>Whether a model satisfies a filter; <see langword="null"/> matches everything.</summary>
    public static bool Matches(FilterNode? filter, RegisteredModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return filter is null || Evaluate(filter, null, model);
    }

    /// <summary>Whether a version satisfies a filter; <paramref name="model"/> supplies owner, risk tier and status.</summary>
    public static bool Matches(FilterNode? filter, ModelVersion version, RegisteredModel model)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(model);
        return filter is null || Evaluate(filter, version, model);
    }

    private static bool Evaluate(FilterNode node, ModelVersion? version, RegisteredModel model)
    {
        switch (node)
        {
            case AndFilter and:
                foreach (var operand in and.Operands)
                {
                    if (!Evaluate(operand, version, model))
                    {
                        return false;
                    }
                }

                return true;
            case OrFilter or:
                foreach (var operand in or.Operands)
                {
                    if (Evaluate(operand, version, model))
                    {
                        return true;
                    }
                }

                return false;
            case NotFilter not:
                return !Evaluate(not.Operand, version, model);
            case IsNullFilter isNull:
                return HasValue(isNull.Field, version, model) == isNull.Negated;
            case ComparisonFilter or LikeFilter or InFilter:
                return EvaluatePredicate(node, version, model);
            default:
                throw new ArgumentException($"Unknown filter node {node.GetType().Name}.", nameof(node));
        }
    }

    private static bool HasValue(FieldRef field, ModelVersion? version, RegisteredModel model)
        => SearchFields.IsCollection(field.Field)
            ? SearchValues.GetElements(field, version, model).Count > 0
            : Get(field, version, model) is not null;

    private static bool EvaluatePredicate(FilterNode node, ModelVersion? version, RegisteredModel model)
    {
        var field = node switch
        {
            ComparisonFilter c => c.Field,
            LikeFilter l => l.Field,
            _ => ((InFilter)node).Field,
        };

        if (SearchFields.IsCollection(field.Field))
        {
            foreach (var element in SearchValues.GetElements(field, version, model))
            {
                if (Test(node, element))
                {
                    return true;
                }
            }

            return false;
        }

        var value = Get(field, version, model);
        return value is not null && Test(node, value);
    }

    private static object? Get(FieldRef field, ModelVersion? version, RegisteredModel model)
        => version is null ? SearchValues.Get(field, model) : SearchValues.Get(field, version, model);

    private static bool Test(FilterNode node, object value)
    {
        switch (node)
        {
            case ComparisonFilter comparison:
                return Compare(value, comparison.Operator, comparison.Value);
            case LikeFilter like:
                return value is string text && like.Pattern is not null && LikePattern.IsMatch(text, like.Pattern, like.CaseInsensitive);
            default:
                foreach (var candidate in ((InFilter)node).Values)
                {
                    if (Compare(value, ComparisonOperator.Equal, candidate))
                    {
                        return true;
                    }
                }

                return false;
        }
    }

    private static bool Compare(object value, ComparisonOperator op, FilterValue literal)
    {
        var other = literal is null ? null : SearchValues.FromLiteral(literal);
        if (other is null || SearchValues.Compare(value, other) is not { } c)
        {
            return false;
        }

        return op switch
        {
            ComparisonOperator.Equal => c == 0,
            ComparisonOperator.NotEqual => c != 0,
            ComparisonOperator.LessThan => c < 0,
            ComparisonOperator.LessThanOrEqual => c <= 0,
            ComparisonOperator.GreaterThan => c > 0,
            ComparisonOperator.GreaterThanOrEqual => c >= 0,
            _ => false,
        };
    }
}
