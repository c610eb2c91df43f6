using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Login;

/// <summary>The login command's log events (ids 8100–8199): the link to Telegram while the login waits for it.</summary>
internal static partial class LoginLog
{
    [LoggerMessage(8101, LogLevel.Warning, "connecting to Telegram… ({Hint})")]
    public static partial void Connecting(ILogger logger, string hint);

    [LoggerMessage(8102, LogLevel.Information, "connected to Telegram after {Downtime}")]
    public static partial void Connected(ILogger logger, string downtime);
}
