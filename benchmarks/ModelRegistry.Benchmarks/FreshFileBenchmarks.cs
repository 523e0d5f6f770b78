using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Data;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// A registry/raw pair that writes: every iteration gets a fresh file (opened in the iteration setup, deleted in the
/// cleanup), so each measured invocation starts from the same state. The pair's benchmark methods are named
/// <c>Registry</c> and <c>Raw</c>.
/// </summary>
/// <typeparam name="TRaw">The engine's raw baseline.</typeparam>
public abstract class FreshFileBenchmarks<TRaw>
    where TRaw : class, IDisposable
{
    private string _file = string.Empty;

    /// <summary>The registry of the current iteration (set for the <c>Registry</c> benchmark).</summary>
    protected ModelRegistryServices? Services { get; private set; }

    /// <summary>The raw baseline of the current iteration (set for the <c>Raw</c> benchmark).</summary>
    protected TRaw? RawStore { get; private set; }

    /// <summary>File name prefix and extension for this engine.</summary>
    protected abstract (string Prefix, string Extension) FileKind { get; }

    /// <summary>Opens the registry on <paramref name="file"/> and seeds what the measured loop needs.</summary>
    protected abstract ModelRegistryServices OpenRegistry(string file);

    /// <summary>Creates the raw baseline's file, seeds it and opens it.</summary>
    protected abstract TRaw OpenRaw(string file);

    [IterationSetup(Target = "Registry")]
    public void SetUpRegistry()
    {
        _file = BenchData.NewFile(FileKind.Prefix, FileKind.Extension);
        Services = OpenRegistry(_file);
    }

    [IterationSetup(Target = "Raw")]
    public void SetUpRaw()
    {
        _file = BenchData.NewFile(FileKind.Prefix + "-raw", FileKind.Extension);
        RawStore = OpenRaw(_file);
    }

    [IterationCleanup]
    public void CleanUp()
    {
        Services?.Dispose();
        Services = null;
        RawStore?.Dispose();
        RawStore = null;
        BenchData.DeleteFiles(_file);
    }
}
