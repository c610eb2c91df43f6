using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.BotApi;

/// <summary>The Bot API connector's log events: state changes and once-per-kind notices, never one line per fault.</summary>
internal static partial class BotApiLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Bot API: connected as @{Username} (id {BotId}), polling {Url}")]
    public static partial void Connected(ILogger logger, string? username, long botId, string url);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Bot API: connection down since {Since:HH:mm:ss}Z ({Fault}: {Reason}); retrying with backoff")]
    public static partial void Down(ILogger logger, DateTime since, FaultKind fault, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Bot API: up again after {Downtime}, {Updates} update(s) waiting were fetched")]
    public static partial void Up(ILogger logger, string downtime, int updates);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Bot API: {Drops} short drop(s) in the last {Window}, all recovered within {Grace}")]
    public static partial void ShortDrops(ILogger logger, int drops, string window, string grace);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Bot API: rate limited, waiting {Wait} {Why}")]
    public static partial void RateLimited(ILogger logger, string wait, string why);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "Bot API: getUpdates conflicts with a webhook or another poller of this bot ({Description}); remove the webhook (deleteWebhook) or stop the other poller; retrying with backoff")]
    public static partial void Conflict(ILogger logger, string description);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Bot API: skipping updates of kind {Kind} (not monitored); counted from now on")]
    public static partial void SkippedKind(ILogger logger, string kind);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Bot API: {Reason}; skipped, the rest of the batch goes on (malformed updates counted from now on)")]
    public static partial void Malformed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "Bot API: unexpected answer ({Fault}); retrying with backoff")]
    public static partial void Unexpected(ILogger logger, FaultKind fault, Exception exception);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Bot API: update ids start again at {UpdateId}, below {Last} (Telegram numbers the next update at random after a week without updates); positions go on in a new epoch")]
    public static partial void NewEpoch(ILogger logger, long updateId, long last);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Bot API: an answer of getUpdates is longer than {MaxBytes} bytes; asking for one update at a time until it is past")]
    public static partial void AnswerTooLarge(ILogger logger, long maxBytes);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Bot API: update {UpdateId} alone is longer than {MaxBytes} bytes (Telegram's messages are at most 4096 characters); skipped, the stream goes on")]
    public static partial void UpdateTooLarge(ILogger logger, long updateId, long maxBytes);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Bot API: {Updates} update(s) received before the last stop and not yet committed are delivered again from {Path}")]
    public static partial void Replaying(ILogger logger, int updates, string path);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Bot API: {Bytes} byte(s) at the end of {Path} are a record cut short by a stop (its updates were never confirmed to Telegram, which sends them again); written over")]
    public static partial void JournalCutShort(ILogger logger, long bytes, string path);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Error, Message = "Bot API: {Path} cannot be written ({Fault}: {Reason}); updates are confirmed to Telegram only once committed until it can (said once until it works again)")]
    public static partial void JournalFailed(ILogger logger, string path, FaultKind fault, string reason);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning, Message = "Bot API: an answer of {Bytes} bytes kept in {Path} cannot be read ({Reason}); passed over (an answer that could not be read was never confirmed: Telegram sends its updates again)")]
    public static partial void KeptAnswerUnreadable(ILogger logger, int bytes, string path, string reason);
}
