using System.Net;
using System.Net.Http;

namespace Tgwatch.Faults;

/// <summary>Maps HTTP status codes and <see cref="HttpRequestError"/> values to fault kinds.</summary>
internal static class HttpFaults
{
    /// <summary>
    /// 429 asks us to slow down; 401, 403 and 407 reject our credentials; 408 and 504 report a timeout;
    /// every other 5xx (500 included) is the server's own failure, unavailable for now: <see cref="FaultKind.Network"/>,
    /// retried, not a bug of ours. Everything else is a <see cref="FaultKind.Bug"/>: a request we got wrong, worth a loud line.
    /// </summary>
    public static FaultKind FromStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => FaultKind.RateLimited,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.ProxyAuthenticationRequired => FaultKind.Auth,
        HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => FaultKind.Timeout,
        >= HttpStatusCode.InternalServerError and <= (HttpStatusCode)599 => FaultKind.Network,
        _ => FaultKind.Bug,
    };

    /// <summary>
    /// Connection, name resolution, TLS, proxy and protocol failures, responses cut short and responses that are not HTTP
    /// (a captive portal or a proxy in the way answering <c>&lt;!DOCTYPE HTML&gt;</c> as its status line) are
    /// <see cref="FaultKind.Network"/>; failed authentication to a server or proxy is <see cref="FaultKind.Auth"/>;
    /// a refused version or a configured limit is a <see cref="FaultKind.Bug"/> (usually a wrong address or setting).
    /// <see cref="HttpRequestError.Unknown"/> gives <see langword="null"/>.
    /// </summary>
    public static FaultKind? FromError(HttpRequestError error) => error switch
    {
        HttpRequestError.ConnectionError
            or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError
            or HttpRequestError.ResponseEnded
            or HttpRequestError.HttpProtocolError
            or HttpRequestError.InvalidResponse => FaultKind.Network,
        HttpRequestError.UserAuthenticationError => FaultKind.Auth,
        HttpRequestError.ExtendedConnectNotSupported
            or HttpRequestError.VersionNegotiationError
            or HttpRequestError.ConfigurationLimitExceeded => FaultKind.Bug,
        _ => null,
    };
}
