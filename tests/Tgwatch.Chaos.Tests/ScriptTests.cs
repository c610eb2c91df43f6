using System.Diagnostics;
using System.Net.Sockets;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class ScriptTests
{
    [Fact(Timeout = 20_000)]
    public async Task Script_SwitchesFaultsWhenTheClockSaysSo()
    {
        // The clock moves only once the script really waits on it: moving it between the script's reading of the time and
        // the start of its wait would leave that wait due two seconds later than the test thinks, and never over.
        var time = new SteppedClock(DateTimeOffset.UnixEpoch) { Steps = due => due >= TimeSpan.FromMilliseconds(500) };
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint, time: time);

        var script = proxy.RunScriptAsync(
        [
            (TimeSpan.FromSeconds(1), ProxyFault.Refuse),
            (TimeSpan.FromSeconds(2), ProxyFault.Stall),
            (TimeSpan.FromSeconds(1), ProxyFault.Latency(50)),
        ]);

        Assert.Equal(TimeSpan.FromSeconds(1), await time.NextWaitAsync());
        Assert.Equal(ProxyFault.Refuse, proxy.CurrentFault);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(ProxyFault.Refuse, proxy.CurrentFault);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromSeconds(2), await time.NextWaitAsync());
        Assert.Equal(ProxyFault.Stall, proxy.CurrentFault);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(ProxyFault.Stall, proxy.CurrentFault);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), await time.NextWaitAsync());
        Assert.Equal(ProxyFault.Latency(50), proxy.CurrentFault);
        Assert.False(script.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await script.WaitAsync(Net.Deadline);
        Assert.Equal(ProxyFault.Pass, proxy.CurrentFault);
        Assert.True(proxy.IsListening);
        Assert.Equal(4, proxy.Stats.FaultsApplied);
        Assert.Equal(1, proxy.Stats.RefusePeriods);
    }

    [Fact(Timeout = 20_000)]
    public async Task Script_OnTheRealClock_ClientsSeeEachStepInTurn()
    {
        var step = TimeSpan.FromMilliseconds(1500); // long enough for a connection that lands in a SYN retry when the port comes back
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        var switches = new List<(TimeSpan At, ProxyFault Fault)>();
        var clock = Stopwatch.StartNew();

        var script = proxy.RunScriptAsync([(step, ProxyFault.Refuse), (step, ProxyFault.Pass), (step, ProxyFault.Reset)]);
        var watcher = WatchAsync(proxy, clock, switches, script);

        var refused = await Assert.ThrowsAsync<SocketException>(() => Net.ConnectAsync(proxy.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await Eventually.TrueAsync(() => proxy.CurrentFault == ProxyFault.Pass, "the pass step");
        using (var client = await Net.ConnectAsync(proxy.Port))
        {
            Assert.Equal([1, 2], await Net.EchoAsync(client, [1, 2]));
        }

        await Eventually.ValueAsync(() => (proxy.CurrentFault, At: clock.Elapsed, Seen: Seen(switches)), now => now.CurrentFault == ProxyFault.Reset, "the reset step");
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = await Net.ConnectAsync(proxy.Port);
            await client.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Net.Deadline);
        });

        await script.WaitAsync(Net.Deadline);
        await watcher.WaitAsync(Net.Deadline);
        Assert.Equal([ProxyFault.Refuse, ProxyFault.Pass, ProxyFault.Reset, ProxyFault.Pass], switches.Select(s => s.Fault));
        for (var i = 1; i < switches.Count; i++)
        {
            // Each step starts on time: never early, and late only by scheduling noise. The exact timetable is held on the fake
            // clock above; here the machine is shared with other test assemblies (a 2-core CI box saw 830 ms), so the bound is wide.
            Assert.InRange(switches[i].At, step * i - TimeSpan.FromMilliseconds(20), step * i + TimeSpan.FromMilliseconds(1500));
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Script_Cancelled_ReturnsToPassAndIsCancelled()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var stop = new CancellationTokenSource();

        var script = proxy.RunScriptAsync([(TimeSpan.FromMinutes(5), ProxyFault.Stall)], stop.Token);
        Assert.Equal(ProxyFault.Stall, proxy.CurrentFault);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => script.WaitAsync(Net.Deadline));
        Assert.Equal(ProxyFault.Pass, proxy.CurrentFault);
    }

    [Fact(Timeout = 20_000)]
    public async Task Script_ProxyDisposed_EndsQuietly()
    {
        await using var echo = new EchoServer();
        var proxy = FaultProxy.Start(echo.EndPoint);

        var script = proxy.RunScriptAsync(Endless());
        await proxy.DisposeAsync();

        await script.WaitAsync(Net.Deadline);
        Assert.Throws<ObjectDisposedException>(() => proxy.SetFault(ProxyFault.Pass));

        static IEnumerable<(TimeSpan, ProxyFault)> Endless()
        {
            while (true)
            {
                yield return (TimeSpan.FromMilliseconds(50), ProxyFault.Stall);
                yield return (TimeSpan.FromMilliseconds(50), ProxyFault.Pass);
            }
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Script_InvalidStep_FailsAndReturnsToPass()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => proxy.RunScriptAsync([(TimeSpan.FromMilliseconds(10), ProxyFault.Stall), (TimeSpan.FromMilliseconds(-1), ProxyFault.Reset)]));

        Assert.Equal(ProxyFault.Pass, proxy.CurrentFault);
    }

    [Fact(Timeout = 30_000)]
    public async Task Script_RandomSchedule_ClientsOnlyEverSeeNetworkOrTimeoutFaults_AndRecover()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        var schedule = ChaosSchedule.Random(
            seed: 42, total: TimeSpan.FromSeconds(2), meanUp: TimeSpan.FromMilliseconds(100), meanDown: TimeSpan.FromMilliseconds(60),
            kinds: [ProxyFault.Reset, ProxyFault.Refuse, ProxyFault.RefuseAndReset, ProxyFault.Stall, ProxyFault.HalfOpen, ProxyFault.ResetAfterBytes(10), ProxyFault.Latency(20)]);
        var verdicts = new Dictionary<Tgwatch.Faults.FaultKind, int>();
        var succeeded = 0;

        var script = proxy.RunScriptAsync(schedule);
        while (!script.IsCompleted)
        {
            try
            {
                using var client = await Net.ConnectAsync(proxy.Port);
                var received = Net.ReceiveExactlyAsync(client, 16);
                await Net.SendAllAsync(client, new byte[16]);
                await received.WaitAsync(TimeSpan.FromMilliseconds(200));
                succeeded++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                var kind = Verdict.Of(e);
                verdicts[kind] = verdicts.GetValueOrDefault(kind) + 1;
            }
        }

        await script;
        Assert.Equal(schedule.Count + 1, proxy.Stats.FaultsApplied);
        Assert.All(verdicts.Keys, kind => Assert.Contains(kind, new[] { Tgwatch.Faults.FaultKind.Network, Tgwatch.Faults.FaultKind.Timeout }));
        Assert.True(succeeded > 0);
        Assert.NotEmpty(verdicts);
        using var after = await Net.ConnectAsync(proxy.Port);
        Assert.Equal([3], await Net.EchoAsync(after, [3]));
    }

    private static string Seen(List<(TimeSpan At, ProxyFault Fault)> switches)
    {
        lock (switches) return string.Join(", ", switches.Select(x => $"{x.Fault}@{x.At.TotalMilliseconds:F0}"));
    }

    private static async Task WatchAsync(FaultProxy proxy, Stopwatch clock, List<(TimeSpan, ProxyFault)> switches, Task script)
    {
        ProxyFault? last = null;
        while (true)
        {
            var done = script.IsCompleted;
            var fault = proxy.CurrentFault;
            if (fault != last)
            {
                lock (switches) switches.Add((clock.Elapsed, fault));
                last = fault;
            }

            if (done)
            {
                return;
            }

            // Samples the real clock's switches as they happen: the timetable on the real clock is what is measured.
            await Task.Delay(2);
        }
    }
}
