namespace Tgwatch.Storage;

/// <summary>Directories for state and sessions: created owner-only (0700) when missing; an existing one keeps its mode.</summary>
public static class PrivateDirectory
{
    /// <summary>Owner read, write and search.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) unless it exists.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, Mode);
    }
}
