using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class ResourceTests
{
    [Fact(Timeout = 60_000)]
    public async Task ThousandShortConnections_LeaveNoOpenSockets()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        await RunConnectionsAsync(proxy.Port, 20); // Warm-up: the runtime's own descriptors (epoll, pipes) exist afterwards.
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0 && echo.Open == 0, "every connection closed, both sides");
        var before = Net.OpenDescriptors();

        await RunConnectionsAsync(proxy.Port, 1000);

        await Eventually.ValueAsync(() => (Proxied: proxy.Stats.ConnectionsActive, Upstream: echo.Open), open => open == (0, 0), "every connection closed, both sides (open: proxied, upstream)");
        var after = Net.OpenDescriptors();
        Assert.InRange(after, 0, before + 8);
        Assert.Equal(1020, proxy.Stats.ConnectionsAccepted);
        Assert.Equal(0, proxy.Stats.ConnectionsReset);
        Assert.Equal(1020 * 8, proxy.Stats.BytesToClients);
    }

    [Fact(Timeout = 60_000)]
    public async Task ThousandResetConnections_LeaveNoOpenSockets()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        await RunConnectionsAsync(proxy.Port, 20);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0 && echo.Open == 0, "every connection closed, both sides");
        var before = Net.OpenDescriptors();
        proxy.SetFault(ProxyFault.ResetAfterBytes(4));

        var failures = await RunConnectionsAsync(proxy.Port, 1000, expectFailure: true);

        Assert.Equal(1000, failures);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsActive == 0 && echo.Open == 0, "every connection closed, both sides");
        Assert.InRange(Net.OpenDescriptors(), 0, before + 8);
        Assert.Equal(1000, proxy.Stats.ConnectionsReset);
    }

    [Fact(Timeout = 20_000)]
    public async Task Dispose_WithOpenConnections_ReturnsWithinOneSecond_AndClientsSeeTheEnd()
    {
        await using var echo = new EchoServer();
        var proxy = FaultProxy.Start(echo.EndPoint);
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var client = await Net.ConnectAsync(proxy.Port);
                clients.Add(client);
                await Net.EchoAsync(client, [(byte)i]);
            }

            proxy.SetFault(ProxyFault.Stall);
            foreach (var client in clients.Take(10))
            {
                await Net.SendAllAsync(client, new byte[100]);
            }

            var pending = clients.Select(c => c.ReceiveAsync(new byte[256], SocketFlags.None)).ToArray();
            var clock = Stopwatch.StartNew();

            await proxy.DisposeAsync();

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Disposal took {clock.Elapsed}.");
            foreach (var read in pending)
            {
                var thrown = await Assert.ThrowsAsync<SocketException>(() => read.WaitAsync(Net.Deadline));
                Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
            }

            await Eventually.TrueAsync(() => echo.Open == 0, "every upstream connection closed");
            await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(proxy.Port));
            await proxy.DisposeAsync();
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Dispose_WithHalfOpenConnectionsAndChunksWaitingOutLatency_ReturnsWithinOneSecond()
    {
        await using var echo = new EchoServer();
        var proxy = FaultProxy.Start(echo.EndPoint);
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                clients.Add(await Net.ConnectAsync(proxy.Port));
            }

            proxy.SetFault(ProxyFault.Latency(10_000));
            foreach (var client in clients)
            {
                await Net.SendAllAsync(client, new byte[10]);
            }

            // Real sockets: time for the proxy to read the chunks, which then wait out their latency.
            await Task.Delay(100);
            proxy.SetFault(ProxyFault.HalfOpen);
            for (var i = 0; i < 10; i++)
            {
                var client = await Net.ConnectAsync(proxy.Port);
                clients.Add(client);
                await Net.SendAllAsync(client, new byte[10]);
            }

            await Eventually.TrueAsync(() => proxy.Stats.BytesDiscarded >= 100 && proxy.Stats.ConnectionsActive == 20, "100 bytes discarded, 20 connections open");
            Assert.Equal(20, proxy.Stats.ConnectionsHalfOpened);
            var clock = Stopwatch.StartNew();

            await proxy.DisposeAsync();

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Disposal took {clock.Elapsed}.");
            Assert.Equal(0, proxy.Stats.ConnectionsActive);
            Assert.Equal(20, proxy.Stats.ConnectionsReset);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task FaultsSwitchedFromManyThreadsWhileTrafficFlows_NothingEscapes_AndEverythingDrains()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            using var logs = new CollectingLoggerProvider();
            await using var echo = new EchoServer();
            await using var proxy = FaultProxy.Start(echo.EndPoint, logger: logs.CreateLogger("chaos"));
            var verdicts = new ConcurrentDictionary<FaultKind, int>();
            var succeeded = 0;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            ProxyFault[] faults =
            [
                ProxyFault.Pass, ProxyFault.Reset, ProxyFault.Refuse, ProxyFault.RefuseAndReset, ProxyFault.Stall, ProxyFault.HalfOpen,
                ProxyFault.Latency(5), ProxyFault.Bandwidth(100_000), ProxyFault.ResetAfterBytes(100),
            ];

            var switchers = Enumerable.Range(0, 2).Select(seed => Task.Run(async () =>
            {
                var random = new Random(seed);
                while (!stop.IsCancellationRequested)
                {
                    proxy.SetFault(faults[random.Next(faults.Length)]);
                    // Faults switch at random moments under real traffic: what the soak is made of.
                    await Task.Delay(random.Next(1, 15));
                }
            })).ToArray();
            var clients = Enumerable.Range(0, 4).Select(seed => Task.Run(async () =>
            {
                var data = Bytes.Random(2000, seed);
                while (!stop.IsCancellationRequested)
                {
                    Socket? client = null;
                    Task<byte[]>? receiving = null;
                    try
                    {
                        client = await Net.ConnectAsync(proxy.Port);
                        receiving = Net.ReceiveExactlyAsync(client, data.Length);
                        await Net.SendAllAsync(client, data);
                        var echoed = await receiving.WaitAsync(TimeSpan.FromMilliseconds(300));
                        Assert.Equal(data, echoed);
                        Interlocked.Increment(ref succeeded);
                    }
                    catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                    {
                        verdicts.AddOrUpdate(Verdict.Of(e), 1, (_, n) => n + 1);
                    }
                    finally
                    {
                        client?.Dispose();
                        if (receiving is not null)
                        {
                            await Task.WhenAny(receiving); // Observed: its failure after the dispose is expected.
                            _ = receiving.Exception;
                        }
                    }
                }
            })).ToArray();

            await Task.WhenAll([.. switchers, .. clients]).WaitAsync(TimeSpan.FromSeconds(30));
            proxy.SetFault(ProxyFault.Pass);

            Assert.All(verdicts.Keys, kind => Assert.Contains(kind, new[] { FaultKind.Network, FaultKind.Timeout }));
            Assert.True(succeeded > 0, "No echo ever succeeded.");
            using (var client = await Net.ConnectAsync(proxy.Port))
            {
                Assert.Equal([1, 2, 3], await Net.EchoAsync(client, [1, 2, 3]));
            }

            await Eventually.ValueAsync(() => (Proxied: proxy.Stats.ConnectionsActive, Upstream: echo.Open), open => open == (0, 0), "every connection closed, both sides (open: proxied, upstream)");
            Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        }
        finally
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.DoesNotContain(unobserved, e => e.ToString().Contains("Tgwatch.Chaos.", StringComparison.Ordinal)
            && !e.ToString().Contains("Tgwatch.Chaos.Tests", StringComparison.Ordinal));
    }

    /// <summary>Runs <paramref name="count"/> short connections, eight at a time, each echoing 8 bytes; returns how many failed.</summary>
    private static async Task<int> RunConnectionsAsync(int port, int count, bool expectFailure = false)
    {
        var next = -1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                using var client = await Net.ConnectAsync(port);
                try
                {
                    Assert.Equal(8, (await Net.EchoAsync(client, new byte[8])).Length);
                    if (expectFailure)
                    {
                        await client.ReceiveAsync(new byte[8], SocketFlags.None).WaitAsync(Net.Deadline);
                    }
                }
                catch (Exception e) when (expectFailure && e is SocketException or EndOfStreamException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        return failures;
    }
}
