using System.Runtime.InteropServices;

namespace Tgwatch.Tdlib;

/// <summary>
/// Keeps TDLib's session files private to the user. TDLib creates its files and directories itself, with modes
/// taken from the process umask; <see cref="RestrictNewFiles"/> sets that umask to 077 before TDLib creates any
/// (files 0600, directories 0700), and <see cref="Restrict"/> tightens what already exists.
/// </summary>
public static partial class PrivateFiles
{
    private const uint PrivateUmask = 0b000_111_111; // 077

    /// <summary>Sets the process umask to 077 (for every file the process creates from now on); returns the previous one. Nothing on Windows.</summary>
    public static uint RestrictNewFiles() => OperatingSystem.IsWindows() ? 0 : umask(PrivateUmask);

    /// <summary>Makes <paramref name="directory"/> and every directory below it 0700 and every file 0600; symbolic links are left alone, and entries removed while it runs (TDLib works in the directory) are skipped. Nothing on Windows.</summary>
    public static void Restrict(string directory)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(directory)) return;
        var root = new DirectoryInfo(directory);
        root.UnixFileMode = Storage.PrivateDirectory.Mode;
        foreach (var entry in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            try
            {
                entry.UnixFileMode = entry is DirectoryInfo ? Storage.PrivateDirectory.Mode : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // TDLib removed it since it was listed (a journal, a binlog being rewritten, a WAL at close): nothing to restrict.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint umask(uint mask);
}
