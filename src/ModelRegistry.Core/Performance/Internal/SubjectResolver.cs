using System.Collections.Concurrent;
using System.Globalization;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Performance.Internal;

/// <summary>A registered version as the performance path needs it: canonical names and provider bindings.</summary>
internal sealed class ResolvedVersion(RegisteredModel model, ModelVersion version)
{
    public RegisteredModel Model { get; } = model;

    public ModelVersion Version { get; } = version;

    /// <summary>The registered model name, as stored with every point.</summary>
    public string ModelName => Model.Name;

    /// <summary>The registered version text, as stored with every point.</summary>
    public string VersionText { get; } = version.Version.ToString();

    public ProviderBinding? Binding(string? id)
    {
        if (id is null)
        {
            return null;
        }

        foreach (var b in Version.ProviderBindings)
        {
            if (string.Equals(b.Id, id, StringComparison.Ordinal))
            {
                return b;
            }
        }

        return null;
    }
}

/// <summary>
/// Looks up the model versions that points name, through the registry store's read path only (never its write path),
/// with a short cache so a stream of points costs one lookup per version every <see cref="PerformanceOptions.RegistryCacheDuration"/>.
/// Versions that do not exist are never cached, so a version created a moment ago is found at once; a binding missing
/// from a cached version causes one fresh read before it is reported missing.
/// </summary>
internal sealed class SubjectResolver(IRegistryStore store, TimeProvider time, TimeSpan cacheDuration)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<(string Model, string Version), (ResolvedVersion Value, long ExpiresAt)> _cache = new();

    /// <summary>The version, or <see langword="null"/> when the model or version does not exist.</summary>
    public async ValueTask<ResolvedVersion?> FindAsync(string modelName, string version, CancellationToken cancellationToken, bool fresh = false)
    {
        var key = (modelName, version);
        var now = time.GetUtcNow().UtcTicks;
        if (!fresh && _cache.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
        {
            return entry.Value;
        }

        var model = await store.FindModelAsync(modelName, cancellationToken);
        if (model is null || !SemanticVersion.TryParse(version, out var semver))
        {
            return null;
        }

        var found = await store.FindVersionAsync(model.Name, semver, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var resolved = new ResolvedVersion(model, found);
        if (cacheDuration > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxEntries)
            {
                _cache.Clear();
            }

            _cache[key] = (resolved, now + cacheDuration.Ticks);
        }

        return resolved;
    }

    /// <summary>The version, checked to have <paramref name="bindingId"/> when one is named; <see cref="ErrorCode.NotFound"/> otherwise.</summary>
    public async ValueTask<ResolvedVersion> RequireAsync(string modelName, string version, string? bindingId, string where, CancellationToken cancellationToken)
    {
        var resolved = await FindAsync(modelName, version, cancellationToken);
        if (resolved is not null && bindingId is not null && resolved.Binding(bindingId) is null)
        {
            resolved = await FindAsync(modelName, version, cancellationToken, fresh: true);
        }

        if (resolved is null)
        {
            var model = await store.FindModelAsync(modelName, cancellationToken);
            throw model is null
                ? new ModelRegistryException(ErrorCode.NotFound, $"{where} names the model '{modelName}', which is not registered; register it first or check the name. Nothing was recorded.", $"model:{modelName}")
                : new ModelRegistryException(ErrorCode.NotFound, $"{where} names version {version} of '{model.Name}', which does not exist; create the version first or check the version. Nothing was recorded.", $"version:{model.Name}/{version}");
        }

        if (bindingId is not null && resolved.Binding(bindingId) is null)
        {
            var known = resolved.Version.ProviderBindings.Count == 0 ? "it has none" : $"it has {string.Join(", ", resolved.Version.ProviderBindings.Select(b => $"'{b.Id}'"))}";
            throw new ModelRegistryException(
                ErrorCode.NotFound,
                string.Create(CultureInfo.InvariantCulture, $"{where} names the provider binding '{bindingId}' of version {resolved.VersionText} of '{resolved.ModelName}', which does not exist ({known}). Nothing was recorded."),
                $"version:{resolved.ModelName}/{resolved.VersionText}");
        }

        return resolved;
    }

    /// <summary>
    /// The names a query subject is stored under: the registered model name and version text when the version exists,
    /// else the names as given (normalised SemVer text), which match the points of a deleted model.
    /// </summary>
    public async ValueTask<(string Model, string Version)> CanonicalAsync(MetricSubject subject, CancellationToken cancellationToken)
    {
        var resolved = await FindAsync(subject.ModelName, subject.Version, cancellationToken);
        return resolved is not null ? (resolved.ModelName, resolved.VersionText) : (subject.ModelName, SemanticVersion.Parse(subject.Version).ToString());
    }
}
