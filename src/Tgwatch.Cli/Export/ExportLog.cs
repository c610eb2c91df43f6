using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Export;

/// <summary>The export command's log events (ids 8300–8319).</summary>
internal static partial class ExportLog
{
    [LoggerMessage(8301, LogLevel.Information, "{Line}")]
    public static partial void Progress(ILogger logger, string line);

    [LoggerMessage(8302, LogLevel.Information, "--restart: {Stream} starts over from the beginning of its range (messages a sink has are not written to it again)")]
    public static partial void Restarting(ILogger logger, string stream);
}
