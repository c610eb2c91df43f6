using Microsoft.Extensions.Logging;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Logging;

/// <summary>The sandbox's own log events (never with a token: bots are named by their id).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9201, Level = LogLevel.Information, Message = "Bot API sandbox listening on {BaseUrl} for {Bots} bot(s)")]
    public static partial void Started(ILogger logger, Uri baseUrl, int bots);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Debug, Message = "{HttpMethod} bot<redacted>/{Method} answered {StatusCode}")]
    public static partial void Answered(ILogger logger, string httpMethod, string method, int statusCode);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Information, Message = "Fault {Kind} on {Method}")]
    public static partial void FaultApplied(ILogger logger, SandboxFaultKind kind, string method);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Information, Message = "Fault armed: {Kind}, {Count} request(s), until {Until}, method {Method}")]
    public static partial void FaultArmed(ILogger logger, SandboxFaultKind kind, int? count, DateTimeOffset? until, string? method);

    [LoggerMessage(EventId = 9205, Level = LogLevel.Debug, Message = "Injected {Kind} for bot {BotId}: chat {ChatId}, message {MessageId}, update {UpdateId}")]
    public static partial void Injected(ILogger logger, string kind, long botId, long chatId, int messageId, int? updateId);

    [LoggerMessage(EventId = 9206, Level = LogLevel.Information, Message = "Injected {Count} messages in bulk for bot {BotId}: updates {First} to {Last}")]
    public static partial void InjectedBulk(ILogger logger, int count, long botId, int? first, int? last);

    [LoggerMessage(EventId = 9207, Level = LogLevel.Information, Message = "Bot API sandbox stopped after {Requests} request(s), {Faults} fault(s)")]
    public static partial void Stopped(ILogger logger, long requests, long faults);
}
