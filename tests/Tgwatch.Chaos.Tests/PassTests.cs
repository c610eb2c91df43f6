using System.Net.Sockets;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class PassTests
{
    [Fact(Timeout = 20_000)]
    public async Task Pass_EchoesBytesExactly()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        var data = Bytes.Random(1000, seed: 1);

        var echoed = await Net.EchoAsync(client, data);

        Assert.Equal(data, echoed);
        Assert.Equal(ProxyFault.Pass, proxy.CurrentFault);
        // A chunk is counted once its send has returned, which may be just after the echo arrived.
        await Eventually.TrueAsync(() => proxy.Stats is { BytesToUpstream: 1000, BytesToClients: 1000 }, "1000 bytes each way");
        var counters = proxy.Stats;
        Assert.Equal(1, counters.ConnectionsAccepted);
        Assert.Equal(1, counters.ConnectionsActive);
        Assert.Equal(0, counters.ConnectionsReset);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pass_EchoesTenMegabytesExactly()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        var data = Bytes.Random(10 * 1024 * 1024, seed: 2);

        var echoed = await Net.EchoAsync(client, data);

        Assert.True(data.AsSpan().SequenceEqual(echoed), "The echoed bytes differ from the bytes sent.");
        await Eventually.TrueAsync(() => proxy.Stats.BytesToUpstream == data.Length && proxy.Stats.BytesToClients == data.Length, "every byte each way");
    }

    [Fact(Timeout = 20_000)]
    public async Task Pass_HttpAnswersArriveWhole()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = Net.HttpClient();

        var hello = await client.GetStringAsync(Net.Url(proxy.Port, "/hello"));
        var body = await client.GetByteArrayAsync(Net.Url(proxy.Port, "/bytes/300000"));

        Assert.Equal("hello", hello);
        Assert.Equal(HttpServer.Body(300_000), body);
        Assert.Equal(2, server.Requests);
    }

    [Fact(Timeout = 20_000)]
    public async Task Pass_ClientHalfCloseReachesUpstreamAndItsCloseComesBack()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        var data = Bytes.Random(5000, seed: 3);

        await Net.SendAllAsync(client, data);
        client.Shutdown(SocketShutdown.Send);
        var echoed = await Net.ReceiveExactlyAsync(client, data.Length);
        var end = await client.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Net.Deadline);

        Assert.Equal(data, echoed);
        Assert.Equal(0, end);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0, "no connection open");
        Assert.Equal(0, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task Pass_UpstreamDown_ClientIsReset()
    {
        var closedPort = Bytes.ClosedLoopbackPort();
        await using var proxy = FaultProxy.Start(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, closedPort));

        // The reset may come before the client's connect completes, or at its first read.
        var thrown = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = await Net.ConnectAsync(proxy.Port);
            await client.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Net.Deadline);
        });

        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
        Assert.Equal(Tgwatch.Faults.FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(1, proxy.Stats.UpstreamConnectFailures);
    }
}
