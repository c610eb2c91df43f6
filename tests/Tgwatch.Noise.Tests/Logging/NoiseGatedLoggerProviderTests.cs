using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Faults;
using Tgwatch.Noise.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests.Logging;

public sealed partial class NoiseGatedLoggerProviderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private readonly CollectingLoggerProvider _inner = new();

    private NoiseGatedLoggerProvider Gated(IReadOnlyDictionary<int, FaultKind>? noiseEvents = null, FirstRecord first = FirstRecord.Line) =>
        new(_inner, new NoiseOptions { First = first }, _time, noiseEvents: noiseEvents);

    private static SocketException Refused()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try { socket.Connect(IPAddress.Loopback, LoopbackServer.ClosedPort()); }
        catch (SocketException e) { return e; }
        throw new InvalidOperationException("a closed port accepted a connection");
    }

    [Fact]
    public void RepeatedNetworkErrors_LogOneLineInPlaceOfTheFirst_AndASummaryWhenTheBurstEnds()
    {
        var refused = new HttpRequestException("Connection refused", Refused());
        using var provider = Gated();
        var log = provider.CreateLogger("Bot.Polling");
        for (var i = 0; i < 100; i++) log.LogWarning(new EventId(7, "PollFailed"), refused, "poll {N} failed", i);
        var first = Assert.Single(_inner.Entries);
        Assert.Equal("Tgwatch.Noise", first.Category);
        Assert.Equal(NoiseGatedLoggerProvider.SummaryEvent, first.EventId);
        Assert.Equal(LogLevel.Warning, first.Level);
        Assert.Null(first.Exception);
        // The cause, as .NET writes it: "Connection refused 127.0.0.1:PORT" on .NET 10.
        Assert.Matches(@"^\[tgwatch\] suppressed 1× Network: System\.Net\.Sockets\.SocketException \(111\): Connection refused[^()]* \(Bot\.Polling\[7 PollFailed\]\) \(1 events\)$", first.Message);
        _time.Advance(TimeSpan.FromSeconds(6));
        var summary = _inner.Entries[^1];
        Assert.Equal("Tgwatch.Noise", summary.Category);
        Assert.Equal(NoiseGatedLoggerProvider.SummaryEvent, summary.EventId);
        Assert.StartsWith("[tgwatch] suppressed 99× Network", summary.Message);
        Assert.Contains("Bot.Polling[7 PollFailed] 99", summary.Message);
        Assert.EndsWith("(99 events)", summary.Message);
    }

    [Fact]
    public void WhatTheGateHid_IsCountedBySourceAndKind_ReportedInSummariesOrNot_AndNothingShownIsCounted()
    {
        var refused = new HttpRequestException("Connection refused", Refused());
        using var provider = Gated();
        var log = provider.CreateLogger("Bot.Polling");
        Assert.Empty(provider.Gate.Hidden);
        for (var i = 0; i < 100; i++) log.LogWarning(new EventId(7, "PollFailed"), refused, "poll {N} failed", i);
        for (var i = 0; i < 5; i++) log.LogWarning(new EventId(8, "Slow"), new TimeoutException("the poll timed out"), "poll timed out");
        log.LogError(new EventId(9, "Bug"), new InvalidOperationException("a defect"), "a defect"); // shown, not hidden
        // The first of each burst is shown as one line in its place (FirstRecord.Line); the rest are hidden.
        Assert.Equal(
            [("Bot.Polling[7 PollFailed]", FaultKind.Network, 99L), ("Bot.Polling[8 Slow]", FaultKind.Timeout, 4L)],
            provider.Gate.Hidden.Select(h => (h.Source, h.Kind, h.Items)).OrderBy(h => h.Source));
        // The summaries report them; the counts stay what was hidden.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(provider.Gate.Summaries >= 2, $"{provider.Gate.Summaries} summaries");
        Assert.Equal([99L, 4L], provider.Gate.Hidden.OrderBy(h => h.Source).Select(h => h.Items));
        Assert.Contains(_inner.Entries, e => e.Message == "a defect");
    }

    [Fact]
    public void WithFull_TheFirstNetworkErrorIsLoggedAsItIs_WithItsException()
    {
        var refused = new HttpRequestException("Connection refused", Refused());
        using var provider = Gated(first: FirstRecord.Full);
        var log = provider.CreateLogger("Bot.Polling");
        for (var i = 0; i < 100; i++) log.LogWarning(new EventId(7, "PollFailed"), refused, "poll {N} failed", i);
        var first = Assert.Single(_inner.Entries);
        Assert.Equal("Bot.Polling", first.Category);
        Assert.Equal("poll 0 failed", first.Message);
        Assert.Same(refused, first.Exception);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.EndsWith("(99 events)", _inner.Entries[^1].Message);
    }

    [Fact]
    public void WithNone_EveryNetworkErrorIsCounted_TheFirstToo()
    {
        var refused = new HttpRequestException("Connection refused", Refused());
        using var provider = Gated(first: FirstRecord.None);
        var log = provider.CreateLogger("Bot.Polling");
        for (var i = 0; i < 100; i++) log.LogWarning(new EventId(7, "PollFailed"), refused, "poll {N} failed", i);
        Assert.Empty(_inner.Entries);
        _time.Advance(TimeSpan.FromSeconds(6));
        var summary = Assert.Single(_inner.Entries);
        Assert.StartsWith("[tgwatch] suppressed 100× Network", summary.Message);
        Assert.EndsWith("(100 events)", summary.Message);
    }

    [Fact]
    public void GenuineErrors_AlwaysPass_WithTheirException()
    {
        using var provider = Gated();
        var log = provider.CreateLogger("Pipeline");
        var bug = new InvalidOperationException("broken", Refused());
        var disk = new IOException("No space left on device", 28);
        for (var i = 0; i < 20; i++)
        {
            log.LogError(bug, "handler failed");
            log.LogError(disk, "sink failed");
        }
        Assert.Equal(40, _inner.Entries.Count);
        Assert.All(_inner.Entries, e => Assert.NotNull(e.Exception));
        Assert.Equal(0, provider.Gate.Summaries);
    }

    [Fact]
    public void DifferentEventsAndCategories_EachGetTheirOwnFirstLine()
    {
        using var provider = Gated();
        var timeout = new TimeoutException("no answer in 30s");
        provider.CreateLogger("A").LogWarning(new EventId(1), timeout, "a");
        provider.CreateLogger("A").LogWarning(new EventId(2), timeout, "b");
        provider.CreateLogger("B").LogWarning(new EventId(1), timeout, "c");
        provider.CreateLogger("B").LogWarning(new EventId(1), timeout, "d");
        Assert.Equal(
        [
            "[tgwatch] suppressed 1× Timeout: System.TimeoutException: no answer in 30s (A[1]) (1 events)",
            "[tgwatch] suppressed 1× Timeout: System.TimeoutException: no answer in 30s (A[2]) (1 events)",
            "[tgwatch] suppressed 1× Timeout: System.TimeoutException: no answer in 30s (B[1]) (1 events)",
        ], _inner.Entries.Select(e => e.Message));
    }

    [Fact]
    public void DifferentEventsAndCategories_WithFull_EachShowTheirFirstRecord()
    {
        using var provider = Gated(first: FirstRecord.Full);
        var timeout = new TimeoutException();
        provider.CreateLogger("A").LogWarning(new EventId(1), timeout, "a");
        provider.CreateLogger("A").LogWarning(new EventId(2), timeout, "b");
        provider.CreateLogger("B").LogWarning(new EventId(1), timeout, "c");
        provider.CreateLogger("B").LogWarning(new EventId(1), timeout, "d");
        Assert.Equal(["a", "b", "c"], _inner.Entries.Select(e => e.Message));
    }

    [Fact]
    public void DeclaredNoiseEvents_CollapseWithoutAnException()
    {
        using var provider = Gated(new Dictionary<int, FaultKind> { [42] = FaultKind.Network });
        var log = provider.CreateLogger("Connector");
        for (var i = 0; i < 10; i++) log.LogInformation(new EventId(42), "link dropped");
        for (var i = 0; i < 3; i++) log.LogInformation(new EventId(43), "message received");
        Assert.Equal(4, _inner.Entries.Count);
        Assert.Equal("[tgwatch] suppressed 1× Network: link dropped (Connector[42]) (1 events)", _inner.Entries[0].Message);
    }

    [Fact]
    public void Dispose_WritesWhatIsPending_AndDisposesTheInnerProvider()
    {
        var provider = Gated();
        var log = provider.CreateLogger("X");
        for (var i = 0; i < 5; i++) log.LogWarning(new TimeoutException(), "slow");
        provider.Dispose();
        Assert.EndsWith("(4 events)", _inner.Entries[^1].Message);
        Assert.True(_inner.Disposed);
    }

    [Fact]
    public void CallerCancellation_IsNotNoise()
    {
        using var provider = Gated();
        var log = provider.CreateLogger("X");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = new OperationCanceledException(cts.Token);
        // Without the caller's token the classifier sees a cancellation by someone else: a timeout.
        for (var i = 0; i < 3; i++) log.LogInformation(cancelled, "stopped");
        Assert.Single(_inner.Entries);
    }

    [Fact]
    public void EveryEvent_IsShownOrCounted()
    {
        using var provider = Gated();
        var log = provider.CreateLogger("Mixed");
        var random = new Random(7);
        Exception[] pool = [new TimeoutException(), new HttpRequestException("x", Refused()), new InvalidOperationException(), new IOException("full", 28)];
        var total = 0;
        for (var i = 0; i < 2000; i++)
        {
            log.LogWarning(new EventId(random.Next(3)), pool[random.Next(pool.Length)], "e");
            total++;
            if (random.Next(50) == 0) _time.Advance(TimeSpan.FromSeconds(random.Next(1, 90)));
        }
        provider.Dispose();
        var summaries = _inner.Entries.Where(e => e.Category == "Tgwatch.Noise").ToList();
        var counted = summaries.Sum(s => long.Parse(SummaryCount().Match(s.Message).Groups[1].Value));
        Assert.Equal(total, _inner.Entries.Count - summaries.Count + counted);
    }

    [Fact]
    public void ConcurrentLoggers_WhileSummariesAreWritten_LoseNoCount()
    {
        var provider = new NoiseGatedLoggerProvider(_inner, new NoiseOptions { BurstGap = TimeSpan.FromMilliseconds(20), Window = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);
        Exception[] pool = [new TimeoutException(), new HttpRequestException("x", Refused()), new InvalidOperationException()];
        const int perThread = 50_000;
        Parallel.For(0, 4, t =>
        {
            var log = provider.CreateLogger($"Thread{t % 2}");
            for (var i = 0; i < perThread; i++)
            {
                log.LogWarning(new EventId(i % 3), pool[(i + t) % pool.Length], "e");
                if (i % 5000 == 0) provider.Gate.Tick();
            }
        });
        provider.Dispose();
        var summaries = _inner.Entries.Where(e => e.Category == "Tgwatch.Noise").ToList();
        var counted = summaries.Sum(s => long.Parse(SummaryCount().Match(s.Message).Groups[1].Value));
        Assert.Equal(4 * perThread, _inner.Entries.Count - summaries.Count + counted);
        Assert.Equal(0, provider.Gate.Pending);
    }

    [GeneratedRegex(@"\((\d+) events\)$")]
    private static partial Regex SummaryCount();
}
