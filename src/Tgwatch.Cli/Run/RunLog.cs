using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Run;

/// <summary>The run command's log events (ids 8000–8099). Webhooks are named by their safe names only (no path, query or user info).</summary>
internal static partial class RunLog
{
    [LoggerMessage(8001, LogLevel.Information, "Stopped: {Received} received, {Written} written, {Duplicates} duplicates skipped, {DeadLetters} dead letters")]
    public static partial void Stopped(ILogger logger, long received, long written, long duplicates, long deadLetters);

    [LoggerMessage(8002, LogLevel.Warning, "{Count} records wait for {Old}, a webhook this run does not send to (its address changed?); send them to the new one with: tgwatch outbox move --from '{Old}' --to {To}, or drop them with: tgwatch outbox drop --from '{Old}'")]
    public static partial void OldOutbox(ILogger logger, long count, string old, string to);

    [LoggerMessage(8003, LogLevel.Information, "{Sink} is new to this state store: it gets the messages from now on; the {Processed} processed before reach it when they come again, as an import of what another sink wrote does: {Hint}")]
    public static partial void NewSink(ILogger logger, string sink, long processed, string hint);

    [LoggerMessage(8010, LogLevel.Information, "{Line}")]
    public static partial void Heartbeat(ILogger logger, string line);

    [LoggerMessage(8004, LogLevel.Information, "HTTP: serving {Paths} on {Url}")]
    public static partial void HttpServing(ILogger logger, string paths, string url);

    [LoggerMessage(8005, LogLevel.Critical, "HTTP: cannot listen on {Url}: {Reason}")]
    public static partial void HttpCannotListen(ILogger logger, string url, string reason);
}
