namespace Tgwatch.Chaos.Tests;

public sealed class FaultTests
{
    [Fact]
    public void Faults_CompareByContent_AndPrintTheirParameter()
    {
        Assert.Equal(Fault.Latency(150), Fault.Latency(TimeSpan.FromMilliseconds(150)));
        Assert.NotEqual(Fault.Latency(150), Fault.Latency(151));
        Assert.NotEqual(Fault.Refuse, Fault.RefuseAndReset);
        Assert.Equal(FaultType.Refuse, Fault.RefuseAndReset.Type);
        Assert.Equal("Latency(150ms)", Fault.Latency(150).ToString());
        Assert.Equal("Bandwidth(1000B/s)", Fault.Bandwidth(1000).ToString());
        Assert.Equal("ResetAfterBytes(12)", Fault.ResetAfterBytes(12).ToString());
        Assert.Equal("RefuseAndReset", Fault.RefuseAndReset.ToString());
        Assert.Equal("HalfOpen", Fault.HalfOpen.ToString());
    }

    [Fact]
    public void Faults_RejectNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.Latency(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.Bandwidth(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.ResetAfterBytes(-1));
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
