using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class ResetTests
{
    [Fact(Timeout = 20_000)]
    public async Task Reset_OpenConnection_PendingReadGetsConnectionReset()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.EchoAsync(client, [1, 2, 3]);
        var pending = client.ReceiveAsync(new byte[16], SocketFlags.None);

        proxy.SetFault(ProxyFault.Reset);

        var thrown = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Net.Deadline));
        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        await Eventually.TrueAsync(() => echo.Ended == 1, "the upstream side closed");
        Assert.Equal(1, proxy.Stats.ConnectionsReset);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0, "no connection open");
    }

    [Fact(Timeout = 20_000)]
    public async Task Reset_OpenConnection_StreamWriteThenReadGetsIOExceptionWithResetCause()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.EchoAsync(client, [1]);
        await using var stream = new NetworkStream(client, ownsSocket: false);

        proxy.SetFault(ProxyFault.Reset);

        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await stream.WriteAsync(new byte[8]).AsTask().WaitAsync(Net.Deadline);
            await stream.ReadExactlyAsync(new byte[8]).AsTask().WaitAsync(Net.Deadline);
        });
        Assert.Equal(SocketError.ConnectionReset, Verdict.SocketCause(thrown)?.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
    }

    [Fact(Timeout = 20_000)]
    public async Task Reset_NewConnection_IsAcceptedThenResetWithoutReachingUpstream()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        proxy.SetFault(ProxyFault.Reset);

        // The kernel completes the handshake before the proxy accepts, so the reset comes at connect or at the first read.
        var thrown = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = await Net.ConnectAsync(proxy.Port);
            await client.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Net.Deadline);
        });

        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(0, echo.Accepted);
        await Eventually.TrueAsync(() => proxy.Stats is { ConnectionsAccepted: 1, ConnectionsReset: 1, ConnectionsActive: 0 }, "one connection accepted and reset");
    }

    [Fact(Timeout = 20_000)]
    public async Task Reset_HttpClient_GetsHttpRequestExceptionWithNetworkCause_ThenWorksAfterPass()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = Net.HttpClient();
        proxy.SetFault(ProxyFault.Reset);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync(Net.Url(proxy.Port, "/hello")));

        AssertHttpClientSawAReset(thrown);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(0, server.Requests);

        proxy.SetFault(ProxyFault.Pass);
        Assert.Equal("hello", await client.GetStringAsync(Net.Url(proxy.Port, "/hello")));
    }

    [Fact(Timeout = 20_000)]
    public async Task Reset_KeptAliveHttpConnection_NextRequestFailsAsNetwork()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = Net.HttpClient();
        Assert.Equal("hello", await client.GetStringAsync(Net.Url(proxy.Port, "/hello")));

        // Reset the kept-alive connection, and every new one while the fault holds (HttpClient may retry on a new one).
        proxy.SetFault(ProxyFault.Reset);
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync(Net.Url(proxy.Port, "/hello")));

        AssertHttpClientSawAReset(thrown);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(1, server.Requests);
    }

    /// <summary>
    /// HttpClient reports a reset as an <see cref="HttpRequestException"/> caused by ConnectionReset; but when the reset
    /// beats it to reading the new socket's peer address right after connecting, .NET lets that bare
    /// <see cref="SocketException"/> (NotConnected) through unwrapped. Both are real outcomes of a reset.
    /// </summary>
    private static void AssertHttpClientSawAReset(Exception thrown)
    {
        switch (thrown)
        {
            case HttpRequestException http:
                Assert.Null(http.StatusCode);
                Assert.Equal(SocketError.ConnectionReset, Verdict.SocketCause(http)?.SocketErrorCode);
                break;
            case SocketException socket:
                Assert.Equal(SocketError.NotConnected, socket.SocketErrorCode);
                break;
            default:
                Assert.Fail($"Unexpected {thrown}");
                break;
        }
    }
}
