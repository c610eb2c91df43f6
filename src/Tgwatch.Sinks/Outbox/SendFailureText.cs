using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using Tgwatch.Faults;
using Tgwatch.Formatting;

namespace Tgwatch.Sinks.Outbox;

/// <summary>How an outbox sender names a failed request in its log line: the exception's type, the HTTP error and the socket's, and no address.</summary>
internal static class SendFailureText
{
    /// <summary>
    /// <paramref name="e"/>'s type, the first <see cref="HttpRequestException.HttpRequestError"/> and <see cref="SocketException.SocketErrorCode"/>
    /// in its chain, and for a request that ran out of time how long it was given and that <paramref name="goesAgain"/>. A socket
    /// aborted by the request's own cancellation (a timeout) is not named: it is the time-out, not a second cause.
    /// </summary>
    public static string Of(Exception e, Fault fault, TimeSpan requestTimeout, string goesAgain)
    {
        var text = new StringBuilder(e.GetType().Name);
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http)
            {
                text.Append(' ').Append(http.HttpRequestError);
                break;
            }
        }
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is not SocketException socket) continue;
            if (!(e is OperationCanceledException && socket.SocketErrorCode == SocketError.OperationAborted))
                text.Append(" (").Append(socket.SocketErrorCode).Append(')');
            break;
        }
        if (fault.Kind == FaultKind.Timeout && e is OperationCanceledException)
            text.Append(" after ").Append(Duration.Format(requestTimeout)).Append(" (the request timeout; ").Append(goesAgain).Append(')');
        return text.ToString();
    }
}
