namespace Tgwatch.Storage;

/// <summary>
/// Directories for state, sessions and sink files: each one created is owner-only (0700 by default), whatever the
/// umask, and so is each missing parent created on the way; an existing one keeps its mode.
/// </summary>
public static class PrivateDirectory
{
    /// <summary>Owner read, write and search.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> and its missing parents with <paramref name="mode"/> unless it exists.</summary>
    public static void Create(string path, UnixFileMode mode = Mode)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        var missing = new List<string>();
        for (var d = Path.GetFullPath(path); !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d)) missing.Add(d);
        for (var i = missing.Count - 1; i >= 0; i--)
        {
            if (Directory.Exists(missing[i])) continue; // made by someone else in between: theirs
            Directory.CreateDirectory(missing[i], mode);
            // mkdir applies the umask, which may take bits away: set the mode itself.
            File.SetUnixFileMode(missing[i], mode);
        }
    }
}
