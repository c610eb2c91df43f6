using System.Net;
using System.Net.Sockets;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class Socks5FaultProxyTests
{
    private static readonly IPEndPoint TelegramDc1 = new(IPAddress.Parse("149.154.175.50"), 443);
    private static readonly byte[] Succeeded = [5, 0, 0, 1, 0, 0, 0, 0, 0, 0];

    [Fact(Timeout = 20_000)]
    public async Task Refuse_ConnectsAreRefused_ThenTheSamePortListensAgain()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.Refuse });
        var port = proxy.Port;

        Assert.False(proxy.IsListening);
        var refused = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        proxy.SetMode(Socks5Mode.HandshakeThenReset);
        Assert.True(proxy.IsListening);
        using (var client = await Net.ConnectAsync(port))
        {
            Assert.Equal([5, 0], await Socks5Client.GreetAsync(client, 0));
        }

        proxy.SetMode(Socks5Mode.Refuse);
        refused = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(port, proxy.Port);
        Assert.Equal(1, proxy.Stats.RefusePeriods);
        Assert.Equal(1, proxy.Stats.ConnectionsAccepted);
    }

    [Fact(Timeout = 20_000)]
    public async Task Reset_EveryConnectionIsResetBeforeAnyByteIsRead()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.Reset });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ConnectAndReadToEndAsync(proxy.Port));
        }

        var counters = proxy.Stats;
        Assert.Equal(3, counters.ConnectionsAccepted);
        Assert.Equal(3, counters.ConnectionsReset);
        Assert.Equal(0, counters.Greetings);
        Assert.Equal(0, counters.ConnectionsActive);
    }

    [Fact(Timeout = 20_000)]
    public async Task Stall_TheGreetingIsCountedButNeverAnswered_TheConnectionStaysOpen()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.Stall });
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.SendAllAsync(client, (byte[])[5, 1, 0]);

        var read = client.ReceiveAsync(new byte[2].AsMemory(), SocketFlags.None).AsTask();
        await Eventually.TrueAsync(() => proxy.Stats.Greetings == 1, "the greeting");
        // A real socket: no answer may come for a while (a stall has no event to wait for).
        await Task.Delay(300);
        Assert.False(read.IsCompleted);
        Assert.Equal(1, proxy.Stats.ConnectionsActive);

        client.Shutdown(SocketShutdown.Send);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0, "no connection open");
        Assert.Equal(0, await read.WaitAsync(Net.Deadline));
        Assert.Equal(0, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task HandshakeThenReset_AnswersGreetingAndConnectPerRfc1928_ThenResetsOnTheFirstTunnelledByte()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.HandshakeThenReset });
        using var client = await Net.ConnectAsync(proxy.Port);

        Assert.Equal([5, 0], await Socks5Client.GreetAsync(client, 0));
        Assert.Equal(Succeeded, await Socks5Client.RequestAsync(client, Socks5Client.Connect(TelegramDc1)));
        await Net.SendAllAsync(client, (byte[])[0xef]);

        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ReadToEndAsync(client));
        var counters = proxy.Stats;
        Assert.Equal(1, counters.Greetings);
        Assert.Equal(1, counters.ConnectRequests);
        Assert.Equal(new Dictionary<string, long> { ["149.154.175.50:443"] = 1 }, counters.ConnectTargets);
        Assert.Equal(1, counters.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task HandshakeThenRefuse_RepliesConnectionRefused_AndRecordsIpv6AndDomainTargets()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.HandshakeThenRefuse });
        byte[][] requests =
        [
            Socks5Client.Connect(new IPEndPoint(IPAddress.Parse("2001:b28:f23d:f001::a"), 443)),
            Socks5Client.Connect("example.org", 80),
        ];
        foreach (var request in requests)
        {
            using var client = await Net.ConnectAsync(proxy.Port);
            Assert.Equal([5, 0], await Socks5Client.GreetAsync(client, 2, 0));
            Assert.Equal([5, 5, 0, 1, 0, 0, 0, 0, 0, 0], await Socks5Client.RequestAsync(client, request));
            Assert.Equal(SocketError.Success, await Socks5Client.ReadToEndAsync(client));
        }

        Assert.Equal(
            new Dictionary<string, long> { ["[2001:b28:f23d:f001::a]:443"] = 1, ["example.org:80"] = 1 },
            proxy.Stats.ConnectTargets);
        Assert.Equal(0, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task AGreetingWithoutNoAuthentication_GetsNoAcceptableMethods_AndTheConnectionCloses()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.HandshakeThenReset });
        using var client = await Net.ConnectAsync(proxy.Port);

        Assert.Equal([5, 0xFF], await Socks5Client.GreetAsync(client, 2));
        Assert.Equal(SocketError.Success, await Socks5Client.ReadToEndAsync(client));
        Assert.Equal(0, proxy.Stats.ConnectRequests);
    }

    [Fact(Timeout = 20_000)]
    public async Task NotSocks5_IsReset()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.HandshakeThenReset });
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.SendAllAsync(client, "GET / HTTP/1.1\r\n\r\n"u8.ToArray());

        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ReadToEndAsync(client));
        Assert.Equal(0, proxy.Stats.Greetings);
    }

    [Fact(Timeout = 20_000)]
    public async Task ALoopbackTarget_IsNeverDialled()
    {
        await using var echo = new EchoServer();
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.HandshakeThenReset });
        using var client = await Net.ConnectAsync(proxy.Port);

        Assert.Equal([5, 0], await Socks5Client.GreetAsync(client, 0));
        Assert.Equal(Succeeded, await Socks5Client.RequestAsync(client, Socks5Client.Connect(echo.EndPoint)));
        await Net.SendAllAsync(client, (byte[])[1]);

        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ReadToEndAsync(client));
        Assert.Equal(0, echo.Accepted);
        Assert.Equal(1, proxy.Stats.ConnectTargets[$"127.0.0.1:{echo.EndPoint.Port}"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task SwitchingTheMode_AppliesToNewConnections_OpenOnesGoOnAsTheyBegan()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.Stall });
        using var stalled = await Net.ConnectAsync(proxy.Port);
        await Net.SendAllAsync(stalled, (byte[])[5, 1, 0]);
        await Eventually.TrueAsync(() => proxy.Stats.Greetings == 1, "the greeting");

        proxy.SetMode(Socks5Mode.Reset);
        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ConnectAndReadToEndAsync(proxy.Port));

        proxy.SetMode(Socks5Mode.HandshakeThenReset);
        using (var answered = await Net.ConnectAsync(proxy.Port))
        {
            Assert.Equal([5, 0], await Socks5Client.GreetAsync(answered, 0));
        }

        Assert.Equal(Socks5Mode.HandshakeThenReset, proxy.Mode);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 1, "the stalled connection alone open");
        Assert.Equal(3, proxy.Stats.ConnectionsAccepted);
        // Real sockets: the stalled connection stays open a while longer (no event says it will not close).
        await Task.Delay(100);
        Assert.Equal(1, proxy.Stats.ConnectionsActive);
    }

    [Fact(Timeout = 20_000)]
    public async Task ASlowHandshake_IsResetAfterTheHandshakeTimeout()
    {
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions
        {
            InitialMode = Socks5Mode.HandshakeThenReset,
            HandshakeTimeout = TimeSpan.FromMilliseconds(200),
        });
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.SendAllAsync(client, (byte[])[5]);

        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ReadToEndAsync(client));
        Assert.Equal(1, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task Dispose_ResetsOpenConnections_AndFreesThePort()
    {
        var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = Socks5Mode.Stall });
        var port = proxy.Port;
        using var client = await Net.ConnectAsync(port);
        await Net.SendAllAsync(client, (byte[])[5, 1, 0]);
        await Eventually.TrueAsync(() => proxy.Stats.Greetings == 1, "the greeting");

        await proxy.DisposeAsync();

        Assert.Equal(SocketError.ConnectionReset, await Socks5Client.ReadToEndAsync(client));
        Assert.Equal(0, proxy.Stats.ConnectionsActive);
        var refused = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Throws<ObjectDisposedException>(() => proxy.SetMode(Socks5Mode.Reset));
    }
}
