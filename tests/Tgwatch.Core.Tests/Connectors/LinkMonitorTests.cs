using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Connectors;

public sealed class LinkMonitorTests
{
    private sealed class Report : ILinkReport
    {
        public List<string> Lines { get; } = [];

        public void Down(DateTimeOffset since, FaultKind fault, string reason) => Lines.Add($"down {fault} {reason}");

        public void Up(TimeSpan downtime, int updates) => Lines.Add($"up after {LinkMonitor.Format(downtime)}, {updates} updates");

        public void ShortDrops(int drops, TimeSpan window, TimeSpan grace) => Lines.Add($"{drops} short drops in {LinkMonitor.Format(window)}");
    }

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly Report _report = new();

    [Fact]
    public void AFlappingLink_GivesOneSummaryAMinute_NotTwoLinesPerDrop()
    {
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        var changes = 0;
        link.Changed += _ => changes++;
        link.Succeeded(0);
        for (var i = 0; i < 37; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            link.Failed(FaultKind.Network, "reset");
            _time.Advance(TimeSpan.FromSeconds(1));
            link.Succeeded(1);
        }
        Assert.Equal(["30 short drops in 1m00s"], _report.Lines);
        Assert.Equal(1 + 37 * 2, changes); // the state itself tells every change
        _time.Advance(TimeSpan.FromSeconds(60));
        link.Succeeded(0); // the rest at the end of the next window
        Assert.Equal(["30 short drops in 1m00s", "7 short drops in 1m14s"], _report.Lines);
    }

    [Fact]
    public void TheTimeline_HoldsTheLatestStateChanges_OldestFirst_AtMostTwenty_NotEveryNewReason()
    {
        var start = _time.GetUtcNow();
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        _time.Advance(TimeSpan.FromSeconds(1));
        link.Failed(FaultKind.Network, "connection refused"); // still connecting: no change of state
        _time.Advance(TimeSpan.FromSeconds(1));
        link.Succeeded(0);
        _time.Advance(TimeSpan.FromSeconds(10));
        link.Failed(FaultKind.Network, "reset");
        link.Failed(FaultKind.Timeout, "timed out"); // a new reason in the same outage
        _time.Advance(TimeSpan.FromSeconds(30));
        link.Succeeded(3);
        Assert.Equal(
        [
            (ConnectionState.Connecting, "starting", start),
            (ConnectionState.Ready, null, start.AddSeconds(2)),
            (ConnectionState.Connecting, "reset", start.AddSeconds(12)),
            (ConnectionState.Ready, null, start.AddSeconds(42)),
        ], link.Stats.Timeline.Select(c => (c.State, c.Reason, c.Since)));

        for (var i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            link.Failed(FaultKind.Network, $"drop {i}");
            link.Succeeded(0);
        }
        link.Stopped();
        var timeline = link.Stats.Timeline;
        Assert.Equal(LinkStats.TimelineLength, timeline.Count);
        Assert.Equal((ConnectionState.Disconnected, "stopped"), (timeline[^1].State, timeline[^1].Reason));
        // 65 changes in all; the latest 20 begin with the link up again after "drop 20".
        Assert.Equal((ConnectionState.Ready, ConnectionState.Connecting, "drop 21"), (timeline[0].State, timeline[1].State, timeline[1].Reason));
        Assert.True(timeline.Zip(timeline.Skip(1)).All(p => p.First.Since <= p.Second.Since), "oldest first");
    }

    [Fact]
    public void RateLimitsWaitedOut_AddUpInTheFloodWaitTotal()
    {
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        Assert.Equal(TimeSpan.Zero, link.Stats.FloodWait);
        link.RateLimited(TimeSpan.FromSeconds(7));
        link.RateLimited(TimeSpan.FromMilliseconds(1500));
        link.RateLimited(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(8.5), link.Stats.FloodWait);
        Assert.Empty(_report.Lines); // a flood wait is no outage
        Assert.Equal(ConnectionState.Connecting, link.Status.State);
    }

    [Fact]
    public void ALongOutage_IsOneDownLine_AndOneUpLineWithItsLength()
    {
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Succeeded(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            link.Failed(FaultKind.Network, "connection refused");
            _time.Advance(TimeSpan.FromSeconds(3.6));
        }
        Assert.Equal(ConnectionState.Connecting, link.Status.State);
        link.Succeeded(12);
        Assert.Equal(["down Network connection refused", "up after 1m12s, 12 updates"], _report.Lines);
        Assert.Equal(ConnectionState.Ready, link.Status.State);
    }

    [Fact]
    public void NoNetworkAtStart_IsReportedDownAfterTheGrace()
    {
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Failed(FaultKind.Network, "unreachable");
        Assert.Empty(_report.Lines);
        _time.Advance(TimeSpan.FromSeconds(6));
        link.Failed(FaultKind.Network, "unreachable");
        Assert.Equal(["down Network unreachable"], _report.Lines);
    }

    [Fact]
    public void DropsNotYetSummedUp_AreToldWhenTheLinkStops()
    {
        var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Succeeded(0);
        for (var i = 0; i < 3; i++)
        {
            link.Failed(FaultKind.Network, "reset");
            _time.Advance(TimeSpan.FromSeconds(1));
            link.Succeeded(0);
        }
        link.Stopped();
        link.Stopped();
        Assert.Equal(["3 short drops in 3s"], _report.Lines);
        Assert.Equal(ConnectionState.Disconnected, link.Status.State);
    }

    [Fact]
    public void ALinkThatStaysDown_IsReportedAtTheEndOfTheGrace_WithoutAnotherAttempt()
    {
        using var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Succeeded(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        link.Failed(FaultKind.Network, "connection refused");
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(_report.Lines);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["down Network connection refused"], _report.Lines);
        link.Failed(FaultKind.Network, "connection refused");
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(_report.Lines); // one line for the outage, whatever comes after
        link.Succeeded(3);
        Assert.Equal(["down Network connection refused", "up after 5m05s, 3 updates"], _report.Lines);
    }

    [Fact]
    public void ADropThatRecoversWithinTheGrace_OrALinkStopped_GetsNoDownLineFromTheTimer()
    {
        using var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Succeeded(0);
        link.Failed(FaultKind.Network, "reset");
        _time.Advance(TimeSpan.FromSeconds(2));
        link.Succeeded(0);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_report.Lines);
        link.Failed(FaultKind.Network, "reset");
        link.Stopped();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["1 short drops in 12s"], _report.Lines);
    }

    [Fact]
    public void ItsStats_CountReconnections_AndTimeDown_TheOutageNowIncluded_ButNotTheFirstConnection()
    {
        using var link = new LinkMonitor(TimeSpan.FromSeconds(5), _time, _report);
        link.Failed(FaultKind.Network, "unreachable");
        _time.Advance(TimeSpan.FromSeconds(30));
        link.Succeeded(0); // the first connection, after 30 s: neither a reconnection nor time down
        Assert.Equal((0L, TimeSpan.Zero), (link.Stats.Reconnects, link.Stats.Down));
        link.Failed(FaultKind.Network, "reset");
        _time.Advance(TimeSpan.FromSeconds(2));
        link.Succeeded(1);
        link.Failed(FaultKind.Network, "refused");
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal((1L, TimeSpan.FromSeconds(12)), (link.Stats.Reconnects, link.Stats.Down)); // down now, counted as it goes
        _time.Advance(TimeSpan.FromSeconds(8));
        link.Succeeded(0);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((2L, TimeSpan.FromSeconds(20)), (link.Stats.Reconnects, link.Stats.Down));
    }

    [Fact]
    public void ATimerThatFiresALittleBeforeTheClockSaysTheGraceIsOver_StillGivesTheLine()
    {
        var time = new EarlyTimers(_time.GetUtcNow());
        using var link = new LinkMonitor(TimeSpan.FromSeconds(5), time, _report);
        link.Succeeded(0);
        time.Advance(TimeSpan.FromSeconds(1));
        link.Failed(FaultKind.Network, "connection refused");
        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(5)); // the timer fires: the clock says 4.995 s
        Assert.Empty(_report.Lines);
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(["down Network connection refused"], _report.Lines);
    }

    /// <summary>Timers that fire up to 5 ms early, as a system timer may against the wall clock.</summary>
    private sealed class EarlyTimers(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state,
                dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime - TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(5).Ticks, dueTime.Ticks / 2)), period);
    }
}
