using System.Net;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Chaos;

/// <summary>The fault proxy's log events.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Fault proxy on {Endpoint} forwards to {Upstream}")]
    public static partial void Started(ILogger logger, IPEndPoint endpoint, IPEndPoint upstream);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Fault proxy on port {Port}: {Fault} (was {Previous})")]
    public static partial void FaultSet(ILogger logger, int port, ProxyFault fault, ProxyFault previous);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Fault proxy connection {Id}: {Side} side failed ({Error}); resetting both sides")]
    public static partial void SideFailed(ILogger logger, long id, string side, string error);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Fault proxy connection {Id}: upstream {Upstream} unreachable ({Error}); client reset")]
    public static partial void UpstreamUnreachable(ILogger logger, long id, IPEndPoint upstream, string error);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "Fault proxy cannot listen on port {Port} again ({Error}); retrying")]
    public static partial void ListenFailed(ILogger logger, int port, string error);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Fault proxy on port {Port}: accept failed ({Error})")]
    public static partial void AcceptFailed(ILogger logger, int port, string error);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Error, Message = "Fault proxy: unexpected failure in {Task}")]
    public static partial void Unexpected(ILogger logger, string task, Exception exception);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Fault proxy on port {Port}: {Connections} connection(s) or the accept loop still running {Timeout} after disposal began")]
    public static partial void DisposeTimedOut(ILogger logger, int port, int connections, TimeSpan timeout);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Information, Message = "Fault proxy listens on port {Port} again")]
    public static partial void ListeningAgain(ILogger logger, int port);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "SOCKS5 fault proxy on {Endpoint}: {Mode}")]
    public static partial void Socks5Started(ILogger logger, IPEndPoint endpoint, Socks5Mode mode);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "SOCKS5 fault proxy on port {Port}: {Mode} (was {Previous})")]
    public static partial void Socks5ModeSet(ILogger logger, int port, Socks5Mode mode, Socks5Mode previous);
}
