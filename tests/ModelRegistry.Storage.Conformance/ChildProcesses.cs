using System.Diagnostics;
using System.Reflection;

namespace ModelRegistry.Storage.Conformance;

/// <summary>
/// Starts a test assembly as a child process (<c>dotnet &lt;assembly&gt; args</c>), for tests that need a real second
/// process: the multi-process, crash and lock tests. Starting the already-built test assembly is faster than building
/// and starting a separate console project.
/// </summary>
public static class ChildProcesses
{
    /// <summary>Starts <paramref name="assembly"/> with <paramref name="args"/>, standard streams redirected.</summary>
    /// <param name="assembly">An executable test assembly (one with a <c>Main</c>).</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The started process.</returns>
    public static Process Start(Assembly assembly, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var info = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the child process.");
    }

    /// <summary>The <c>dotnet</c> host running the tests (so the child uses the same runtime).</summary>
    /// <returns>Its path, or <c>dotnet</c> from the PATH.</returns>
    public static string DotNetHost()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? current : "dotnet";
    }
}
