using Microsoft.Extensions.Logging;

namespace Tgwatch.Tdlib.Connector;

/// <summary>The TDLib connector's log events: state changes and once-per-kind notices, never one line per fault.</summary>
internal static partial class TdlibLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "TDLib: watching {What}; {Chats} chat(s) catching up from their last position")]
    public static partial void Watching(ILogger logger, string what, int chats);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "TDLib: connection down since {Since:HH:mm:ss}Z ({Reason}); TDLib keeps reconnecting")]
    public static partial void Down(ILogger logger, DateTime since, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "TDLib: up again after {Downtime}; every chat catches up from its last position")]
    public static partial void Up(ILogger logger, string downtime);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "TDLib: {Drops} short drop(s) in the last {Window}, all recovered within {Grace}")]
    public static partial void ShortDrops(ILogger logger, int drops, string window, string grace);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "TDLib: rate limited while {What}, waiting {Wait} {Why}")]
    public static partial void RateLimited(ILogger logger, string what, string wait, string why);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "TDLib: chat {Chat} was not found (or is not visible to this account); it is not watched")]
    public static partial void ChatNotFound(ILogger logger, string chat);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "TDLib: chat {Chat} could not be opened; its updates may come late")]
    public static partial void ChatNotOpened(ILogger logger, string chat);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "TDLib: {Type} could not be read ({Reason}); skipped, the stream goes on (malformed objects counted from now on)")]
    public static partial void Malformed(ILogger logger, string type, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "TDLib: {What} refused (error {Code}: {TdMessage}); not retried")]
    public static partial void Refused(ILogger logger, string what, int code, string tdMessage);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "TDLib: {What} failed ({Error}, attempt {Attempt}); retrying in {Seconds:0.#} s")]
    public static partial void Retrying(ILogger logger, string what, string error, int attempt, double seconds);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug, Message = "TDLib: {What} timed out; retrying in {Seconds:0.#} s")]
    public static partial void RetryingQuietly(ILogger logger, string what, double seconds);
}
