using Microsoft.Extensions.Logging;

namespace Tgwatch.Tdlib.Connector.Export;

/// <summary>The export's log events (ids 5101–5119, beside the TDLib connector's).</summary>
internal static partial class ExportLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Exporting chat {Chat} ({Stream}): messages {Start} message {From} up to message {End}")]
    public static partial void Range(ILogger logger, string chat, string stream, string start, long from, long end);
}
