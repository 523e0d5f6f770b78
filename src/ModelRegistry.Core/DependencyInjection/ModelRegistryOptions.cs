namespace ModelRegistry;

/// <summary>Options of the registry, validated at start-up.</summary>
public sealed class ModelRegistryOptions
{
    /// <summary>Actor recorded when the host does not replace <see cref="IActorAccessor"/> (default <c>system</c>).</summary>
    public string DefaultActor { get; set; } = "system";

    /// <summary>Versions kept per model by retention when a request does not say (1–10; default 3).</summary>
    public int DefaultRetentionKeepLast { get; set; } = 3;

    /// <summary>Largest accepted JSON metadata or tag/parameter payload of one entity, in bytes (1 KiB–1 MiB; default 64 KiB).</summary>
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>Default search page size (1–1,000; default 100).</summary>
    public int DefaultPageSize { get; set; } = 100;
}

/// <summary>Who is performing the current operation. Replace it to map the host's identity system (for example the HTTP user).</summary>
public interface IActorAccessor
{
    /// <summary>The current actor's identifier; never empty.</summary>
    string CurrentActor { get; }
}
