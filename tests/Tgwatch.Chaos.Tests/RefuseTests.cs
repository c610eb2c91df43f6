using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;

namespace Tgwatch.Chaos.Tests;

public sealed class RefuseTests
{
    [Fact(Timeout = 20_000)]
    public async Task Refuse_NewConnectionsAreRefused_OpenOnesKeepGoing_ThenTheSamePortAcceptsAgain()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        var port = proxy.Port;
        using var open = await Net.ConnectAsync(port);
        await Net.EchoAsync(open, [1]);

        proxy.SetFault(ProxyFault.Refuse);

        Assert.False(proxy.IsListening);
        var thrown = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal([4, 5, 6], await Net.EchoAsync(open, [4, 5, 6]));

        proxy.SetFault(ProxyFault.Pass);

        Assert.True(proxy.IsListening);
        Assert.Equal(port, proxy.Port);
        using var again = await Net.ConnectAsync(port);
        Assert.Equal([7, 8], await Net.EchoAsync(again, [7, 8]));
        Assert.Equal([9], await Net.EchoAsync(open, [9]));
        Assert.Equal(1, proxy.Stats.RefusePeriods);
        Assert.Equal(0, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task RefuseAndReset_ResetsOpenConnectionsToo()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var open = await Net.ConnectAsync(proxy.Port);
        await Net.EchoAsync(open, [1]);
        var pending = open.ReceiveAsync(new byte[16], SocketFlags.None);

        proxy.SetFault(ProxyFault.RefuseAndReset);

        var reset = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Net.Deadline));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
        var refused = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(proxy.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(1, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task Refuse_HttpClient_GetsConnectionErrorWithRefusedCause()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint, new FaultProxyOptions { InitialFault = ProxyFault.Refuse });
        using var client = Net.HttpClient();

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(Net.Url(proxy.Port, "/hello")));

        Assert.Equal(HttpRequestError.ConnectionError, thrown.HttpRequestError);
        Assert.Equal(SocketError.ConnectionRefused, Verdict.SocketCause(thrown)?.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));

        proxy.SetFault(ProxyFault.Pass);
        Assert.Equal("hello", await client.GetStringAsync(Net.Url(proxy.Port, "/hello")));
    }

    [Fact(Timeout = 30_000)]
    public async Task Refuse_SwitchedOnAndOffManyTimes_KeepsThePortAndAlternates()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        var port = proxy.Port;

        for (var round = 0; round < 25; round++)
        {
            proxy.SetFault(ProxyFault.Refuse);
            var thrown = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(port));
            Assert.Equal(SocketError.ConnectionRefused, thrown.SocketErrorCode);

            proxy.SetFault(ProxyFault.Pass);
            using var client = await Net.ConnectAsync(port);
            Assert.Equal([(byte)round], await Net.EchoAsync(client, [(byte)round]));
        }

        Assert.Equal(25, proxy.Stats.RefusePeriods);
        Assert.Equal(port, proxy.Port);
    }

    [Fact(Timeout = 20_000)]
    public async Task Refuse_SetTwice_CountsOnePeriod()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);

        proxy.SetFault(ProxyFault.Refuse);
        proxy.SetFault(ProxyFault.RefuseAndReset);
        proxy.SetFault(ProxyFault.Stall);

        Assert.True(proxy.IsListening);
        Assert.Equal(1, proxy.Stats.RefusePeriods);
        Assert.Equal(3, proxy.Stats.FaultsApplied);
    }
}
