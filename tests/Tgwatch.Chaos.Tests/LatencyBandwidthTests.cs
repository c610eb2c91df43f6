using System.Diagnostics;

namespace Tgwatch.Chaos.Tests;

public sealed class LatencyBandwidthTests
{
    [Fact(Timeout = 20_000)]
    public async Task Latency_DelaysEachDirection()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { InitialFault = ProxyFault.Latency(150) });
        using var client = await Net.ConnectAsync(proxy.Port);
        var data = Bytes.Random(100, seed: 6);
        var clock = Stopwatch.StartNew();

        var echoed = await Net.EchoAsync(client, data);

        Assert.Equal(data, echoed);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));

        proxy.SetFault(ProxyFault.Pass);
        // The fastest of three echoes: a loaded machine may hold one up, latency still applied would hold up all (>= 300 ms).
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            clock.Restart();
            await Net.EchoAsync(client, data);
            if (clock.Elapsed < fastest) fastest = clock.Elapsed;
        }
        Assert.True(fastest < TimeSpan.FromMilliseconds(250), $"The fastest of three echoes without latency took {fastest}.");
    }

    [Fact(Timeout = 20_000)]
    public async Task Bandwidth_LimitsThroughput()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { InitialFault = ProxyFault.Bandwidth(200_000) });
        using var client = await Net.ConnectAsync(proxy.Port);
        var data = Bytes.Random(200_000, seed: 7);
        var clock = Stopwatch.StartNew();

        var echoed = await Net.EchoAsync(client, data);

        // One second's worth; the first tenth of a second goes at once (a chunk is sent, then paid for).
        Assert.Equal(data, echoed);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(850), TimeSpan.FromSeconds(5));
    }
}
