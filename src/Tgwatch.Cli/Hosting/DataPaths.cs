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
        Storage.PrivateDirectory.Create(dir);
        return dir;
    }

    /// <summary>The state store's path: <paramref name="state"/> when given, else <c>tgwatch.db</c> in the data directory (created 0700).</summary>
    public static string StatePath(string? state, string? dataDirectory)
    {
        if (!string.IsNullOrEmpty(state)) return Path.GetFullPath(state);
        var dir = string.IsNullOrEmpty(dataDirectory) ? DefaultDataDirectory() : Path.GetFullPath(dataDirectory);
        Storage.PrivateDirectory.Create(dir);
        return Path.Combine(dir, "tgwatch.db");
    }
}
