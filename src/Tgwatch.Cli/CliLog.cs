using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli;

/// <summary>The program's own log events (ids 9100–9199).</summary>
internal static partial class CliLog
{
    [LoggerMessage(9101, LogLevel.Information, "SIGHUP: reopening the sinks' files (log rotation)")]
    public static partial void Reopening(ILogger logger);

    [LoggerMessage(9102, LogLevel.Warning, "SIGHUP: {Sink} could not reopen its file: {Reason}; its next write tries again")]
    public static partial void ReopenFailed(ILogger logger, string sink, string reason);

    [LoggerMessage(9103, LogLevel.Error, "SIGHUP: {Sink} failed unexpectedly while reopening its file")]
    public static partial void ReopenBug(ILogger logger, string sink, Exception exception);

    [LoggerMessage(9104, LogLevel.Warning, "{Source}{Old} is deprecated, read as {New} = {Value}; rename it (the old name will stop being read)")]
    private static partial void RenamedSetting(ILogger logger, string source, string old, string @new, string? value);

    /// <summary>One line for each setting read under its old name (<see cref="Run.RenamedSettings"/>).</summary>
    public static void RenamedSettings(ILogger logger, IEnumerable<Run.RenamedSetting> renamed)
    {
        foreach (var r in renamed) RenamedSetting(logger, r.Source, r.Old, r.New, r.Value);
    }
}
