using System.Diagnostics;

namespace ModelRegistry.Reliability.Tests.Support;

/// <summary>
/// A small tmpfs mounted for one test, to make a disk really full or a file system really read-only (file permissions
/// do not stop root, which CI runs as). Needs the right to mount: tests that need it use
/// <see cref="MountTheoryAttribute"/>, which reports them as skipped where this process may not mount.
/// </summary>
public sealed class ScratchMount : IDisposable
{
    private ScratchMount(string path, bool available)
    {
        Path = path;
        Available = available;
    }

    public string Path { get; }

    public bool Available { get; }

    private static readonly Lazy<bool> Mountable = new(() =>
    {
        using var probe = Create(sizeKb: 64);
        return probe.Available;
    });

    /// <summary>Whether this process may mount a scratch file system (probed once).</summary>
    public static bool CanMount => Mountable.Value;

    public static ScratchMount Create(int sizeKb)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mr-mount-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var available = OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", $"size={sizeKb}k", "tmpfs", path);
        return new ScratchMount(path, available);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Remounts read-only (or writable again).</summary>
    public void SetReadOnly(bool readOnly)
        => Run("mount", "-o", readOnly ? "remount,ro" : "remount,rw", Path).Should().BeTrue("the scratch file system can be remounted");

    public void Dispose()
    {
        if (Available)
        {
            Run("umount", "-l", Path);
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool Run(string program, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return false;
            }

            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A theory that needs <see cref="ScratchMount"/>; reported as skipped (not passed) where mounting is not allowed.</summary>
public sealed class MountTheoryAttribute : TheoryAttribute
{
    public MountTheoryAttribute()
    {
        if (!ScratchMount.CanMount)
        {
            Skip = "Needs the right to mount a tmpfs scratch file system (root on Linux).";
        }
    }
}
