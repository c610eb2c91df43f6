using System.Collections.Concurrent;
using System.Diagnostics;
using Tgwatch.Chaos;
using Tgwatch.Connectors;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Tdlib.Tests;

/// <summary>Real TDLib behind a loopback SOCKS5 proxy that fails in each of its ways (the test run holds only loopback).</summary>
public sealed class Socks5ProxyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(Socks5Mode.Refuse, "Failed connection (unchecked) [Error : 400 : Connection refused] Socks5 [127.0.0.1:")]
    [InlineData(Socks5Mode.Reset, "Failed connection (unchecked) [Error : 400 : Connection reset by peer] Socks5 [127.0.0.1:")]
    [InlineData(Socks5Mode.HandshakeThenReset, "Failed to open connection: [PosixError : Connection reset by peer : 104 : ")]
    // TDLib gives a SOCKS5 handshake 10 s (TransparentProxy.cpp).
    [InlineData(Socks5Mode.Stall, "Failed connection (unchecked) [Error : 400 : Connection timeout expired] Socks5 [127.0.0.1:")]
    public async Task Tdlib_behind_a_failing_socks5_proxy_reports_connecting_to_proxy_and_logs_the_failure(Socks5Mode mode, string failure)
    {
        var host = TestHost.Host;
        var clock = Stopwatch.StartNew();
        var lines = new ConcurrentQueue<TdlibLogLine>();
        var states = new ConcurrentQueue<TdConnectionState>();
        await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = mode });
        await using var client = host.CreateClient();
        var mine = $"[#{client.Id}]";
        void Collect(TdlibLogLine line)
        {
            if (line.Line.Contains(mine, StringComparison.Ordinal)) lines.Enqueue(line);
        }
        host.LogLine += Collect;
        using var stop = new CancellationTokenSource(Limit);
        var reader = ReadStatesAsync(client, states, stop.Token);
        try
        {
            // Before the parameters: TDLib answers it once they are set, and connects through the proxy from the start.
            var added = client.SendAsync(AddProxyAt(proxy.Port), Limit);
            await client.SetParametersAsync(TestHost.Parameters(TestHost.TempDir()), Limit);
            Assert.Equal("addedProxy", (await added).GetProperty("@type").GetString());
            // Until the limit: what came is written out below either way.
            await Eventually.TrueAsync(() => lines.Any(l => l.Line.Contains(failure, StringComparison.Ordinal)) || stop.IsCancellationRequested,
                $"\"{failure}\" among TDLib's lines", Limit + TimeSpan.FromSeconds(5));
        }
        finally
        {
            host.LogLine -= Collect;
        }
        await stop.CancelAsync();
        await reader;

        var counters = proxy.Stats;
        output.WriteLine($"{mode}: {clock.Elapsed.TotalSeconds:0.0} s, {lines.Count} TDLib lines, states {string.Join(", ", states)}; proxy: " +
            $"accepted {counters.ConnectionsAccepted}, reset {counters.ConnectionsReset}, greetings {counters.Greetings}, " +
            $"CONNECT {string.Join(", ", counters.ConnectTargets.Select(t => $"{t.Key} ×{t.Value}"))}");
        foreach (var line in lines.Where(l => !l.Line.Contains("[!ConnectionCreator][&connections]", StringComparison.Ordinal)))
            output.WriteLine(line.Line);
        Assert.True(lines.Any(l => l.Line.Contains(failure, StringComparison.Ordinal)), $"no \"{failure}\" within {Limit.TotalSeconds} s among {lines.Count} lines");
        Assert.Contains(lines, l => l.Line.Contains("[!ConnectionCreator][&connections]\tCreate: Socks5 [127.0.0.1:" + proxy.Port + "] --> [", StringComparison.Ordinal));
        // At the default verbosity (2) with the connections tag at 2, ConnectionCreator's records arrive as warnings.
        Assert.Contains(lines, l => l.Level == 2 && l.Line.Contains(failure, StringComparison.Ordinal));

        Assert.Equal(TdConnectionState.ConnectingToProxy, states.First());
        Assert.Equal(new TdLinkState(ConnectionState.Connecting, "connecting to proxy"), TdLinkState.From(states.First()));
        Assert.DoesNotContain(states, s => TdLinkState.From(s).State == ConnectionState.Ready);

        switch (mode)
        {
            case Socks5Mode.Refuse:
                Assert.Equal(0, counters.ConnectionsAccepted);
                break;
            case Socks5Mode.Reset:
                Assert.InRange(counters.ConnectionsAccepted, 1, 100);
                Assert.Equal(0, counters.Greetings);
                break;
            case Socks5Mode.Stall:
                Assert.InRange(counters.Greetings, 1, 100);
                Assert.Equal(0, counters.ConnectRequests);
                break;
            case Socks5Mode.HandshakeThenReset:
                // Once the proxy answered, TDLib is past the proxy: "connecting", until the reset sends it back.
                Assert.Contains(TdConnectionState.Connecting, states);
                Assert.InRange(counters.ConnectRequests, 1, 100);
                // TDLib asks for Telegram's data centres by IP address (never dialled by the proxy, unreachable here anyway).
                Assert.All(counters.ConnectTargets.Keys, t => Assert.Matches(@"^(\d+\.){3}\d+:(443|80|5222)$|^\[[0-9a-f:]+\]:(443|80|5222)$", t));
                Assert.DoesNotContain(counters.ConnectTargets.Keys, t => t.StartsWith("127.", StringComparison.Ordinal));
                break;
        }
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Limit + TimeSpan.FromSeconds(5));
    }

    internal static AddProxy AddProxyAt(int port) => new(new Proxy("127.0.0.1", port, new ProxyTypeSocks5("", "")), Enable: true, Comment: "");

    private static async Task ReadStatesAsync(TdClient client, ConcurrentQueue<TdConnectionState> states, CancellationToken ct)
    {
        try
        {
            await foreach (var update in client.Updates.ReadAllAsync(ct))
                if (update.GetProperty("@type").GetString() == "updateConnectionState"
                    && TdLinkState.Parse(update.GetProperty("state").GetProperty("@type").GetString()) is { } state)
                    states.Enqueue(state);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
