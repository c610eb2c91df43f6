namespace Tgwatch.Chaos.Tests;

public sealed class ProxyFaultTests
{
    [Fact]
    public void Faults_CompareByContent_AndPrintTheirParameter()
    {
        Assert.Equal(ProxyFault.Latency(150), ProxyFault.Latency(TimeSpan.FromMilliseconds(150)));
        Assert.NotEqual(ProxyFault.Latency(150), ProxyFault.Latency(151));
        Assert.NotEqual(ProxyFault.Refuse, ProxyFault.RefuseAndReset);
        Assert.Equal(ProxyFaultKind.Refuse, ProxyFault.RefuseAndReset.Kind);
        Assert.Equal("Latency(150ms)", ProxyFault.Latency(150).ToString());
        Assert.Equal("Bandwidth(1000B/s)", ProxyFault.Bandwidth(1000).ToString());
        Assert.Equal("ResetAfterBytes(12)", ProxyFault.ResetAfterBytes(12).ToString());
        Assert.Equal("RefuseAndReset", ProxyFault.RefuseAndReset.ToString());
        Assert.Equal("HalfOpen", ProxyFault.HalfOpen.ToString());
    }

    [Fact]
    public void Faults_RejectNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyFault.Latency(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyFault.Bandwidth(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyFault.ResetAfterBytes(-1));
    }

    [Fact]
    public async Task Start_RejectsBadOptions()
    {
        await using var echo = new EchoServer();
        Assert.Throws<ArgumentNullException>(() => FaultProxy.Start(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { BufferSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { Port = 70000 }));
    }

    [Fact]
    public async Task Start_OnAGivenPort_ListensThere()
    {
        await using var echo = new EchoServer();
        var port = Bytes.ClosedLoopbackPort();

        await using var proxy = FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { Port = port });

        Assert.Equal(port, proxy.Port);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), proxy.EndPoint);
        using var client = await Net.ConnectAsync(port);
        Assert.Equal([5], await Net.EchoAsync(client, [5]));
    }
}
