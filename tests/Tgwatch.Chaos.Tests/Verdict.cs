using System.Net.Sockets;
using Tgwatch.Faults;

namespace Tgwatch.Chaos.Tests;

/// <summary>What Core's classifier makes of the exceptions clients really get.</summary>
internal static class Verdict
{
    public static FaultKind Of(Exception exception, CancellationToken callerToken = default) =>
        FaultClassifier.Default.Classify(exception, callerToken).Kind;

    /// <summary>The first <see cref="SocketException"/> in the inner-exception chain, the exception itself included.</summary>
    public static SocketException? SocketCause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }
}
