using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Chaos;

/// <summary>The accept loop both fault proxies run: each accepted socket to <c>onAccepted</c>, a failed accept (out of descriptors or the like) waited out briefly rather than spun, until stopped.</summary>
internal static class AcceptLoop
{
    public static async Task RunAsync(Socket listener, Action<Socket> onAccepted, ILogger logger, int port, TimeProvider time, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (stop.IsCancellationRequested || e is ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException e)
                {
                    Log.AcceptFailed(logger, port, e.SocketErrorCode.ToString());
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, stop).ConfigureAwait(false);
                    continue;
                }
                onAccepted(client);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.Unexpected(logger, "accept loop", e);
        }
    }
}
