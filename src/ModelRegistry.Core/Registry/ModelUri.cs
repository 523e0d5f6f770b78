namespace ModelRegistry.Registry;

/// <summary>What a model URI names.</summary>
public enum ModelUriKind
{
    /// <summary><c>models:/name/1.2.0</c></summary>
    Version,

    /// <summary><c>models:/name@alias</c></summary>
    Alias,

    /// <summary><c>models:/name/production</c> (any stage name; for stages with several versions, the highest).</summary>
    Stage,

    /// <summary><c>models:/name/latest</c>: the highest version.</summary>
    Latest,
}

/// <summary>A parsed model URI: <c>models:/name/version</c>, <c>models:/name@alias</c>, <c>models:/name/stage</c> or <c>models:/name/latest</c>.</summary>
public sealed record ModelUri
{
    private const string Scheme = "models:/";

    private ModelUri(string modelName, ModelUriKind kind) => (ModelName, Kind) = (modelName, kind);

    /// <summary>The model name.</summary>
    public string ModelName { get; }

    /// <summary>What the URI names.</summary>
    public ModelUriKind Kind { get; }

    /// <summary>The version, for <see cref="ModelUriKind.Version"/>.</summary>
    public SemanticVersion? Version { get; private init; }

    /// <summary>The alias, for <see cref="ModelUriKind.Alias"/>.</summary>
    public string? Alias { get; private init; }

    /// <summary>The stage, for <see cref="ModelUriKind.Stage"/>.</summary>
    public ModelStage? Stage { get; private init; }

    /// <summary>Parses a model URI.</summary>
    /// <param name="text">The URI text.</param>
    /// <returns>The parsed URI.</returns>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.InvalidArgument"/> when the text is not a model URI.</exception>
    public static ModelUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || text.Length > 512)
        {
            throw Invalid(text, "it must start with 'models:/'");
        }

        var rest = text[Scheme.Length..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var name = ModelRegistry.Internal.Validation.ModelName(rest[..at], "modelUri");
            var alias = rest[(at + 1)..];
            if (alias.Length == 0 || alias.Contains('/', StringComparison.Ordinal))
            {
                throw Invalid(text, "the alias after '@' is empty or contains '/'");
            }

            return new ModelUri(name, ModelUriKind.Alias) { Alias = alias };
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw Invalid(text, "it names no version, alias, stage or 'latest'");
        }

        var modelName = ModelRegistry.Internal.Validation.ModelName(rest[..slash], "modelUri");
        var selector = rest[(slash + 1)..];
        if (string.Equals(selector, "latest", StringComparison.OrdinalIgnoreCase))
        {
            return new ModelUri(modelName, ModelUriKind.Latest);
        }

        if (SemanticVersion.TryParse(selector, out var version))
        {
            return new ModelUri(modelName, ModelUriKind.Version) { Version = version };
        }

        if (Enum.TryParse<ModelStage>(selector, ignoreCase: true, out var stage) && !int.TryParse(selector, out _))
        {
            return new ModelUri(modelName, ModelUriKind.Stage) { Stage = stage };
        }

        throw Invalid(text, $"'{ModelRegistry.Internal.Validation.Show(selector)}' is not a semantic version, a stage or 'latest'");
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ModelUriKind.Version => $"{Scheme}{ModelName}/{Version}",
        ModelUriKind.Alias => $"{Scheme}{ModelName}@{Alias}",
        ModelUriKind.Stage => $"{Scheme}{ModelName}/{Stage!.Value.ToString().ToLowerInvariant()}",
        _ => $"{Scheme}{ModelName}/latest",
    };

    private static ModelRegistryException Invalid(string text, string why)
        => new(ErrorCode.InvalidArgument, $"'{ModelRegistry.Internal.Validation.Show(text)}' is not a model URI: {why}. Use models:/name/1.2.0, models:/name@alias, models:/name/production or models:/name/latest.") { ParameterName = "modelUri" };
}
