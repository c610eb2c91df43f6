using Tgwatch.Formatting;

namespace Tgwatch.Cli.Hosting;

/// <summary>Where Tgwatch keeps its state: the data directory (private, 0700) and the state store in it.</summary>
internal static class DataPaths
{
    /// <summary>
    /// <c>$XDG_DATA_HOME/tgwatch</c>, else <c>$HOME/.local/share/tgwatch</c> (each only when it is an absolute path). Without
    /// either there is no default (it is not guessed, nor put under the current directory): one line, exit code 2.
    /// </summary>
    public static string DefaultDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg))
            return Path.Combine(xdg, "tgwatch");
        if (Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home && Path.IsPathFullyQualified(home))
            return Path.Combine(home, ".local", "share", "tgwatch");
        throw new CliException(ExitCodes.Usage,
            "HOME is not set, so there is no default data directory: give --data-dir DIR (or --state PATH), or set HOME or XDG_DATA_HOME");
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
        if (PostgresState.Is(state))
        {
            PostgresState.Target(state); // read now: a bad one is one line at start, and its password a secret from here on
            return state;
        }
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

    /// <summary>What the Bot API's received journal of a state store on this machine is named after: <c>STATE.received-botID</c>.</summary>
    public const string ReceivedJournalInfix = ".received-bot";

    /// <summary>
    /// The Bot API's received journal of the bot of <paramref name="token"/> beside the state store at <paramref name="statePath"/>;
    /// none for one in PostgreSQL, which a standby on another machine may take over (it could not read a journal here).
    /// </summary>
    public static string? ReceivedJournal(string statePath, string token) =>
        PostgresState.Is(statePath) ? null : $"{statePath}{ReceivedJournalInfix}{Secrets.BotToken.IdOf(token)}";

    /// <summary>Creates <paramref name="directory"/> and its missing parents (0700, whatever the umask) unless it exists; one that cannot be created (a file in the way, no permission) is one line, exit code 2.</summary>
    public static void CreatePrivate(string directory)
    {
        try
        {
            Storage.PrivateDirectory.Create(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot create the directory {directory}: {TextLines.FirstLine(e.Message)}");
        }
    }
}
