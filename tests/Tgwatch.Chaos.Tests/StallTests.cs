using System.Diagnostics;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class StallTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    [Fact(Timeout = 20_000)]
    public async Task Stall_HttpClientWithTimeout300ms_FailsWithATimeout()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = Net.HttpClient(TimeSpan.FromMilliseconds(300));
        using var caller = new CancellationTokenSource();
        proxy.SetFault(ProxyFault.Stall);
        var clock = Stopwatch.StartNew();

        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(
            () => client.GetStringAsync(Net.Url(proxy.Port, "/hello"), caller.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.IsType<TimeoutException>(thrown.InnerException);
        Assert.Equal(FaultKind.Timeout, Verdict.Of(thrown, caller.Token));
        Assert.Equal(0, server.Requests);
    }

    [Fact(Timeout = 20_000)]
    public async Task Stall_KeptAliveHttpConnection_TimesOut_ThenAnswersAfterPass()
    {
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var handler = Net.Handler();
        using var patient = Net.HttpClient(handler);
        using var hasty = Net.HttpClient(handler, TimeSpan.FromMilliseconds(300));
        Assert.Equal("hello", await patient.GetStringAsync(Net.Url(proxy.Port, "/hello")));

        proxy.SetFault(ProxyFault.Stall);
        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(() => hasty.GetStringAsync(Net.Url(proxy.Port, "/hello")));
        Assert.Equal(FaultKind.Timeout, Verdict.Of(thrown));
        Assert.Equal(1, proxy.Stats.ConnectionsAccepted);

        proxy.SetFault(ProxyFault.Pass);
        Assert.Equal("hello", await patient.GetStringAsync(Net.Url(proxy.Port, "/hello")));
    }

    [Fact(Timeout = 20_000)]
    public async Task Stall_HoldsBytesWhileConnectionsStayOpen_ThenDeliversThemInOrder()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.EchoAsync(client, [1]);
        await Eventually.TrueAsync(() => proxy.Stats.BytesToUpstream == 1, "the byte upstream");

        proxy.SetFault(ProxyFault.Stall);
        var data = Bytes.Random(10_000, seed: 4);
        await Net.SendAllAsync(client, data);
        var receiving = Net.ReceiveExactlyAsync(client, data.Length);
        // A real socket: nothing may come through for a while (a stall has no event to wait for).
        await Task.Delay(Quiet);

        Assert.False(receiving.IsCompleted);
        Assert.Equal(1, proxy.Stats.BytesToUpstream);
        Assert.Equal(1, proxy.Stats.ConnectionsActive);

        proxy.SetFault(ProxyFault.Pass);
        Assert.Equal(data, await receiving);
    }

    [Fact(Timeout = 20_000)]
    public async Task Stall_SocketReceiveTimeout_FiresAsTimedOut()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        client.ReceiveTimeout = 300;
        proxy.SetFault(ProxyFault.Stall);
        client.Send([1, 2, 3]);

        // A synchronous receive with SO_RCVTIMEO: the client's own timeout is what ends the wait.
        var thrown = await Task.Run(() => Assert.Throws<SocketException>(() => client.Receive(new byte[3]))).WaitAsync(Net.Deadline);

        Assert.Equal(SocketError.TimedOut, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Timeout, Verdict.Of(thrown));
    }
}
