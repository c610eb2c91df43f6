using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Media;

/// <summary>The media downloads' log events (stable ids).</summary>
internal static partial class MediaLog
{
    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Media download of {Key} failed ({Fault}: {Reason}), attempt {Attempt} of {Attempts}; next in {Wait}")]
    public static partial void Retrying(ILogger logger, string key, FaultKind fault, string reason, int attempt, int attempts, string wait);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Error, Message = "Media download of {Key} failed for good: {Reason}")]
    public static partial void Failed(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Error, Message = "MEDIA DOWNLOADS PAUSED: the disk of {Directory} is full or not writable ({Reason}); messages go on, downloads resume when there is room")]
    public static partial void Paused(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 3033, Level = LogLevel.Information, Message = "Media downloads resumed after {Paused} (there is room in {Directory} again)")]
    public static partial void Resumed(ILogger logger, string paused, string directory);

    [LoggerMessage(EventId = 3034, Level = LogLevel.Warning, Message = "Media downloads: the loop failed ({Fault}); it goes on")]
    public static partial void LoopFailed(ILogger logger, FaultKind fault, Exception exception);
}
