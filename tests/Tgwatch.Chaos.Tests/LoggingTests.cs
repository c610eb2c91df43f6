using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class LoggingTests
{
    [Fact(Timeout = 20_000)]
    public async Task FaultChanges_AreLoggedOnceEach_WithTheirPredecessor()
    {
        using var logs = new CollectingLoggerProvider();
        await using var echo = new EchoServer();
        await using (var proxy = FaultProxy.Start(echo.EndPoint, logger: logs.CreateLogger("chaos")))
        {
            proxy.SetFault(ProxyFault.Stall);
            proxy.SetFault(ProxyFault.Latency(20));
            proxy.SetFault(ProxyFault.Pass);
        }

        var changes = logs.Entries.Where(e => e.EventId.Id == 7002).Select(e => e.Message).ToArray();
        Assert.Equal(3, changes.Length);
        Assert.EndsWith("Stall (was Pass)", changes[0], StringComparison.Ordinal);
        Assert.EndsWith("Latency(20ms) (was Stall)", changes[1], StringComparison.Ordinal);
        Assert.EndsWith("Pass (was Latency(20ms))", changes[2], StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 7001 && e.Level == LogLevel.Information);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact(Timeout = 20_000)]
    public async Task UnreachableUpstream_IsOneWarningPerConnection_NotAnError()
    {
        using var logs = new CollectingLoggerProvider();
        await using var proxy = FaultProxy.Start(
            new IPEndPoint(IPAddress.Loopback, Bytes.ClosedLoopbackPort()), logger: logs.CreateLogger("chaos"));

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<SocketException>(async () =>
            {
                using var client = await Net.ConnectAsync(proxy.Port);
                await client.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Net.Deadline);
            });
        }

        await Eventually.TrueAsync(() => logs.Entries.Count(e => e.EventId.Id == 7004) == 3, "three lines 7004");
        Assert.All(logs.Entries.Where(e => e.EventId.Id == 7004), e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(3, proxy.Stats.UpstreamConnectFailures);
    }
}
