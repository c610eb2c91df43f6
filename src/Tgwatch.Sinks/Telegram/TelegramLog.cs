using Microsoft.Extensions.Logging;

namespace Tgwatch.Sinks.Telegram;

/// <summary>The Telegram alert sink's own log events (ids 3300–3399; those every outbox sender shares are <see cref="Outbox.OutboxLog"/>).</summary>
internal static partial class TelegramLog
{
    [LoggerMessage(3301, LogLevel.Error, "{Sink}: Telegram refused an alert to {Chat} ({Code} {Description}){Hint}; moved to dead letters (stage {Stage}), and so is every alert it refuses until one goes through, without another line; tgwatch deadletters replay sends them again")]
    public static partial void Refused(ILogger logger, string sink, string chat, int code, string description, string hint, string stage);

    [LoggerMessage(3302, LogLevel.Information, "{Sink}: Telegram takes alerts to {Chat} again, after refusing {Count}")]
    public static partial void RefusalsOver(ILogger logger, string sink, string chat, long count);

    [LoggerMessage(3303, LogLevel.Warning, "{Sink}: Telegram would not forward {Key} ({Code} {Description}); it went as the alert text instead, and so does every message it will not forward, without another line")]
    public static partial void NotForwarded(ILogger logger, string sink, string key, int code, string description);
}
