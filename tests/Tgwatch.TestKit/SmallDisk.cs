using System.Diagnostics;

namespace Tgwatch.TestKit;

/// <summary>
/// A small file system of its own (a tmpfs mount, Linux, as root) that a test can fill up and free again:
/// a full disk for real, with the errors the kernel gives (ENOSPC), not a simulation.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private const string Filler = ".filler";

    private SmallDisk(string directory) => Directory = directory;

    /// <summary>The mount point (an empty directory at first).</summary>
    public string Directory { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> on a fresh temp directory.</summary>
    public static SmallDisk Mount(long bytes)
    {
        var directory = Some.TempDirectory("tgwatch-small-disk");
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes},mode=0700", "tmpfs", directory);
        return new SmallDisk(directory);
    }

    /// <summary>Takes every free byte with a filler file (until the kernel says ENOSPC).</summary>
    public void Fill()
    {
        using var file = new FileStream(Path.Combine(Directory, Filler), FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1);
        var chunk = new byte[4096];
        try
        {
            while (true) file.Write(chunk);
        }
        catch (IOException)
        {
            // Full: that was the point.
        }
    }

    /// <summary>Gives the space back (deletes the filler file).</summary>
    public void Free() => File.Delete(Path.Combine(Directory, Filler));

    /// <summary>Unmounts the file system and deletes the mount point.</summary>
    public void Dispose()
    {
        Run("umount", "-l", Directory);
        System.IO.Directory.Delete(Directory);
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Trim()} (a small disk needs Linux and root)");
    }
}
