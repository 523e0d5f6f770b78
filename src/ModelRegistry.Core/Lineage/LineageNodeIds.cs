using ModelRegistry.Internal;
using ModelRegistry.Registry;

namespace ModelRegistry.Lineage;

/// <summary>
/// Builds lineage node ids, <c>prefix:key</c>, so that the registry, the tracker and callers agree on them.
/// Ids are compared case-insensitively (ordinal).
/// </summary>
public static class LineageNodeIds
{
    /// <summary>The id of a dataset: <c>dataset:{name}</c>.</summary>
    /// <param name="name">The dataset's key (for example <c>customers-2026</c>).</param>
    /// <returns>The node id.</returns>
    public static string Dataset(string name) => Build(LineageNodeKind.Dataset, name);

    /// <summary>The id of a registered model: <c>model:{name}</c>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <returns>The node id.</returns>
    public static string Model(string modelName) => Build(LineageNodeKind.Model, modelName);

    /// <summary>
    /// The id of a model version: <c>version:{model}/{version}</c>. Build metadata is dropped, because the registry
    /// does not distinguish versions by it (<c>1.2.0+b7</c> is <c>1.2.0</c>).
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The semantic version text.</param>
    /// <returns>The node id.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when the version is not a semantic version.</exception>
    public static string Version(string modelName, string version)
    {
        Guard.NotEmpty(modelName);
        if (!SemanticVersion.TryParse(version, out var parsed))
        {
            throw Guard.Invalid(nameof(version), $"'{version}' is not a semantic version (for example 1.2.0).");
        }

        return Version(modelName, parsed);
    }

    /// <summary>The id of a model version: <c>version:{model}/{version}</c>, without build metadata.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version.</param>
    /// <returns>The node id.</returns>
    public static string Version(string modelName, SemanticVersion version)
    {
        Guard.NotEmpty(modelName);
        Guard.NotNull(version);
        var text = version.ToString();
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        return Build(LineageNodeKind.ModelVersion, $"{modelName}/{(plus < 0 ? text : text[..plus])}");
    }

    /// <summary>The id of a training run: <c>run:{runId}</c>.</summary>
    /// <param name="runId">The run's id.</param>
    /// <returns>The node id.</returns>
    public static string TrainingRun(string runId) => Build(LineageNodeKind.TrainingRun, runId);

    /// <summary>The id of an evaluation: <c>evaluation:{name}</c>.</summary>
    /// <param name="name">The evaluation's key.</param>
    /// <returns>The node id.</returns>
    public static string Evaluation(string name) => Build(LineageNodeKind.Evaluation, name);

    /// <summary>The id of a deployment: <c>deployment:{name}</c>.</summary>
    /// <param name="name">The deployment's key.</param>
    /// <returns>The node id.</returns>
    public static string Deployment(string name) => Build(LineageNodeKind.Deployment, name);

    /// <summary>The id of a consumer: <c>consumer:{name}</c>.</summary>
    /// <param name="name">The consumer's key.</param>
    /// <returns>The node id.</returns>
    public static string Consumer(string name) => Build(LineageNodeKind.Consumer, name);

    /// <summary>The id of a custom node: <c>{customKind}:{key}</c>.</summary>
    /// <param name="customKind">The custom kind's name (<c>^[a-z][a-z0-9-]{0,63}$</c>, not a built-in prefix).</param>
    /// <param name="key">The node's key.</param>
    /// <returns>The node id.</returns>
    public static string Custom(string customKind, string key)
    {
        LineageValidator.CustomKindName(customKind, nodes: true);
        Guard.NotEmpty(key);
        return $"{customKind}:{key}";
    }

    /// <summary>The id prefix of a built-in kind (<c>dataset</c>, <c>version</c>, <c>model</c>, <c>run</c>, <c>evaluation</c>, <c>deployment</c>, <c>consumer</c>).</summary>
    /// <param name="kind">A built-in kind (not <see cref="LineageNodeKind.Custom"/>).</param>
    /// <returns>The prefix, without the colon.</returns>
    public static string PrefixOf(LineageNodeKind kind) => kind switch
    {
        LineageNodeKind.ModelVersion => "version",
        LineageNodeKind.Model => "model",
        LineageNodeKind.Dataset => "dataset",
        LineageNodeKind.TrainingRun => "run",
        LineageNodeKind.Evaluation => "evaluation",
        LineageNodeKind.Deployment => "deployment",
        LineageNodeKind.Consumer => "consumer",
        LineageNodeKind.Custom => throw Guard.Invalid(nameof(kind), "Custom nodes use their custom kind's name as the prefix; call Custom(customKind, key)."),
        _ => throw Guard.Invalid(nameof(kind), $"'{nameof(kind)}' has the undefined value {kind}."),
    };

    private static string Build(LineageNodeKind kind, string key, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(key))] string? name = null)
    {
        Guard.NotEmpty(key, name);
        return $"{PrefixOf(kind)}:{key}";
    }
}
