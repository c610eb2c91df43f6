using System.Runtime.InteropServices;

namespace Tgwatch.Storage;

/// <summary>
/// Files only their owner may read and write (0600), in directories only their owner may enter (0700, see
/// <see cref="PrivateDirectory"/>), ARCHITECTURE §2 (invariant 6): state databases, sink files, TDLib sessions. Files Tgwatch creates
/// itself are made so whatever the umask (<see cref="EnsureFile"/>); files another library creates are made so by the
/// umask (<see cref="RestrictNewFiles"/>) or tightened afterwards (<see cref="Tighten"/>, <see cref="Restrict"/>).
/// Nothing of this applies on Windows.
/// </summary>
public static partial class PrivateFiles
{
    /// <summary>Owner read and write (rw-------).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const uint PrivateUmask = 0b000_111_111; // 077

    /// <summary>Sets the process umask to 077 (for every file the process creates from now on); returns the previous one. Nothing on Windows.</summary>
    /// <returns>The umask before the call (0 on Windows).</returns>
    public static uint RestrictNewFiles() => OperatingSystem.IsWindows() ? 0 : umask(PrivateUmask);

    /// <summary>Creates the missing directories of <paramref name="path"/> (0700) and the empty file (0600) when it does not exist; an existing file keeps its mode.</summary>
    /// <param name="path">The file.</param>
    public static void EnsureFile(string path) => _ = Make(path);

    /// <summary>
    /// <see cref="EnsureFile"/>, and when it made the file, its directory forced to the disk too (Linux): a file whose
    /// contents are forced to the disk may still be gone after a power loss while its name is not.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="IOException">The directory cannot be forced to the disk.</exception>
    public static void EnsureFileDurably(string path)
    {
        if (Make(path) && OperatingSystem.IsLinux()) NativeFiles.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>What <see cref="EnsureFile"/> does; whether it made the file.</summary>
    private static bool Make(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory) PrivateDirectory.Create(directory);
        if (File.Exists(path)) return false;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Mode;
            using (new FileStream(path, options)) { }
        }
        catch (IOException) when (File.Exists(path))
        {
            return false; // another process created it first: it is that process's file
        }
        // The umask may have taken bits away (even the owner's write bit): set the mode itself.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, Mode);
        return true;
    }

    /// <summary>Sets <paramref name="path"/> to 0600 if it is a file with another mode; one that does not exist (or vanishes meanwhile) is left alone. Nothing on Windows.</summary>
    /// <param name="path">The file.</param>
    public static void Tighten(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        SetMode(new FileInfo(path), Mode);
    }

    /// <summary>
    /// Makes <paramref name="directory"/> and every directory below it 0700 and every file 0600; symbolic links are left
    /// alone, and entries removed while it runs (a library working in the directory) are skipped. Nothing on Windows.
    /// </summary>
    /// <param name="directory">The root; nothing happens when it does not exist.</param>
    public static void Restrict(string directory)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(directory)) return;
        var root = new DirectoryInfo(directory);
        SetMode(root, PrivateDirectory.Mode);
        foreach (var entry in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            SetMode(entry, entry is DirectoryInfo ? PrivateDirectory.Mode : Mode);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void SetMode(FileSystemInfo entry, UnixFileMode mode)
    {
        try
        {
            if (entry.UnixFileMode != mode) entry.UnixFileMode = mode;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Removed since it was listed (a journal, a WAL at close, a binlog being rewritten): nothing to tighten.
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint umask(uint mask);
}
