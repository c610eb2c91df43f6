namespace Tgwatch.Cli.Hosting;

/// <summary>Where Tgwatch keeps its state: the data directory (private, 0700) and the state store in it.</summary>
internal static class DataPaths
{
    /// <summary><c>$XDG_DATA_HOME/tgwatch</c>, else <c>~/.local/share/tgwatch</c>.</summary>
    public static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "tgwatch");
    }

    /// <summary>The data directory: <paramref name="dataDirectory"/> when given, else the default; created 0700.</summary>
    public static string DataDirectory(string? dataDirectory)
    {
        var dir = string.IsNullOrEmpty(dataDirectory) ? DefaultDataDirectory() : Path.GetFullPath(dataDirectory);
        CreatePrivate(dir);
        return dir;
    }

    /// <summary>
    /// The state store's path: <paramref name="state"/> when given, else <c>tgwatch.db</c> in the data directory (created 0700).
    /// A directory given as the state store is one line, exit code 2.
    /// </summary>
    public static string StatePath(string? state, string? dataDirectory)
    {
        if (!string.IsNullOrEmpty(state))
        {
            var path = Path.GetFullPath(state);
            if (Directory.Exists(path))
                throw new CliException(ExitCodes.Usage, $"state store {state} is a directory, not a state store's file (give a file, such as {Path.Combine(state, "tgwatch.db")}, or --data-dir {state})");
            return path;
        }
        var dir = string.IsNullOrEmpty(dataDirectory) ? DefaultDataDirectory() : Path.GetFullPath(dataDirectory);
        CreatePrivate(dir);
        return Path.Combine(dir, "tgwatch.db");
    }

    /// <summary>Creates <paramref name="directory"/> (0700) unless it exists; one that cannot be created (a file in the way, no permission) is one line, exit code 2.</summary>
    public static void CreatePrivate(string directory)
    {
        try
        {
            Storage.PrivateDirectory.Create(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot create the directory {directory}: {e.Message.FirstLine()}");
        }
    }
}
