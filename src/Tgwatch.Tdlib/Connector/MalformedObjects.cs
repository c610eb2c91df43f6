using Microsoft.Extensions.Logging;

namespace Tgwatch.Tdlib.Connector;

/// <summary>Objects from TDLib that could not be read: every one counted, the first one told (one line for the connector's life).</summary>
internal sealed class MalformedObjects(TdlibConnectorStats stats, ILogger logger)
{
    private int _logged;

    public void Count(string type, string reason)
    {
        Interlocked.Increment(ref stats.malformed);
        if (Interlocked.Exchange(ref _logged, 1) == 0) TdlibLog.Malformed(logger, type, reason);
    }
}
