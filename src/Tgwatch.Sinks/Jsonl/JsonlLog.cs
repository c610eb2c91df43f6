using Microsoft.Extensions.Logging;
using Tgwatch.Faults;
using Tgwatch.Formatting;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>The JSONL sink's log events (ids 3100–3199).</summary>
internal static partial class JsonlLog
{
    [LoggerMessage(3101, LogLevel.Information,
        "{Sink}: cut a torn last line ({Bytes} bytes) left by an interrupted write; its message will be written again")]
    public static partial void TornLineCut(ILogger logger, string sink, long bytes);

    [LoggerMessage(3102, LogLevel.Information,
        "{Sink}: accounted for {Lines} lines written before the last stop could record them")]
    public static partial void LinesRecovered(ILogger logger, string sink, int lines);

    [LoggerMessage(3103, LogLevel.Warning,
        "{Sink}: {Lines} complete lines past the recorded offset are not records; kept as they are (first at byte {Offset}: {Reason})")]
    public static partial void UnparsableLines(ILogger logger, string sink, int lines, long offset, string reason);

    [LoggerMessage(3104, LogLevel.Warning,
        "{Sink}: the file is shorter ({Length} bytes) than recorded ({Offset} bytes), so it was truncated or rotated; continuing at its end, messages already written are not written again")]
    public static partial void FileShrunk(ILogger logger, string sink, long length, long offset);

    [LoggerMessage(3105, LogLevel.Warning,
        "{Sink}: a write failed ({Fault}: {Reason}); the file is checked and repaired before the next one")]
    private static partial void WriteFailed(ILogger logger, string sink, FaultKind fault, string reason, Exception? exception);

    /// <summary>A failed write, in one line; with its stack trace only when it is a bug (a full disk needs none).</summary>
    public static void WriteFailed(ILogger logger, string sink, Exception exception)
    {
        var fault = FaultClassifier.Default.Classify(exception).Kind;
        WriteFailed(logger, sink, fault, $"{exception.GetType().Name}: {TextLines.FirstLine(exception.Message)}", fault == FaultKind.Bug ? exception : null);
    }

    [LoggerMessage(3106, LogLevel.Information,
        "{Sink}: the file was moved away or replaced (log rotation); going on in the file at {Path}")]
    public static partial void FileReplaced(ILogger logger, string sink, string path);

    [LoggerMessage(3107, LogLevel.Warning,
        "{Sink}: the file was readable or writable by others ({Mode}); made it {Private}")]
    public static partial void MadePrivate(ILogger logger, string sink, string mode, string @private);

    [LoggerMessage(3108, LogLevel.Warning,
        "{Sink}: the file ended in an unfinished line ({Bytes} bytes) this sink did not write; kept it and ended it with a line end")]
    public static partial void ForeignLineEnded(ILogger logger, string sink, long bytes);
}
