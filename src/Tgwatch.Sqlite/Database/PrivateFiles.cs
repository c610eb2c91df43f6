namespace Tgwatch.Sqlite.Database;

/// <summary>
/// Creates database files 0600 and the directories it creates for them 0700 (DESIGN §2.6), before
/// SQLite opens them, and tightens SQLite's side files (<c>-wal</c>, <c>-shm</c>) to 0600.
/// </summary>
internal static class PrivateFiles
{
    /// <summary>rw------- for files.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>rwx------ for directories.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>SQLite's side files of a database in WAL mode.</summary>
    public static readonly string[] SideFileSuffixes = ["-wal", "-shm"];

    /// <summary>Creates the missing directories of <paramref name="path"/> (0700) and the empty file (0600) when it does not exist.</summary>
    public static void EnsureFile(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory) EnsureDirectory(directory);
        if (File.Exists(path)) return;
        try
        {
            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
            using (new FileStream(path, options)) { }
        }
        catch (IOException) when (File.Exists(path))
        {
            return; // another process created it first: it is that process's file
        }
        // The umask may have taken bits away (even the owner's write bit): set the mode itself.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, FileMode);
    }

    /// <summary>Sets the side files that exist to 0600.</summary>
    public static void TightenSideFiles(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var suffix in SideFileSuffixes)
        {
            var side = path + suffix;
            try
            {
                if (File.Exists(side) && File.GetUnixFileMode(side) != FileMode) File.SetUnixFileMode(side, FileMode);
            }
            catch (FileNotFoundException)
            {
                // removed by SQLite in between: nothing to tighten
            }
        }
    }

    private static void EnsureDirectory(string directory) => Storage.PrivateDirectory.Create(directory, DirectoryMode);
}
