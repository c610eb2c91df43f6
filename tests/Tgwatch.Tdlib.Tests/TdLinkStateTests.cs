using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Tests;

public sealed class TdLinkStateTests
{
    [Theory]
    [InlineData(TdConnectionState.WaitingForNetwork, ConnectionState.Connecting, "waiting for network")]
    [InlineData(TdConnectionState.ConnectingToProxy, ConnectionState.Connecting, "connecting to proxy")]
    [InlineData(TdConnectionState.Connecting, ConnectionState.Connecting, "connecting")]
    [InlineData(TdConnectionState.Updating, ConnectionState.Ready, "updating")]
    [InlineData(TdConnectionState.Ready, ConnectionState.Ready, "ready")]
    public void Every_tdlib_state_maps_to_a_link_state_and_a_reason(TdConnectionState state, ConnectionState expected, string reason) =>
        Assert.Equal(new TdLinkState(expected, reason), TdLinkState.From(state));

    [Fact]
    public void No_tdlib_state_maps_to_disconnected_which_only_a_stop_means() =>
        Assert.All(Enum.GetValues<TdConnectionState>(), s => Assert.NotEqual(ConnectionState.Disconnected, TdLinkState.From(s).State));

    [Fact]
    public void An_unknown_state_value_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TdLinkState.From((TdConnectionState)99));

    [Theory]
    [InlineData("connectionStateWaitingForNetwork", TdConnectionState.WaitingForNetwork)]
    [InlineData("connectionStateConnectingToProxy", TdConnectionState.ConnectingToProxy)]
    [InlineData("connectionStateConnecting", TdConnectionState.Connecting)]
    [InlineData("connectionStateUpdating", TdConnectionState.Updating)]
    [InlineData("connectionStateReady", TdConnectionState.Ready)]
    [InlineData("connectionStateSomethingNew", null)]
    [InlineData(null, null)]
    public void Tdlib_type_names_parse_to_states(string? type, TdConnectionState? expected) =>
        Assert.Equal(expected, TdLinkState.Parse(type));

    [Fact]
    public void A_drop_that_tdlib_recovers_through_updating_within_the_grace_period_is_only_a_short_drop()
    {
        var time = new FakeTimeProvider();
        var report = new Report();
        var monitor = new LinkMonitor(TimeSpan.FromSeconds(5), time, report);
        Feed(monitor, TdConnectionState.Ready);
        Feed(monitor, TdConnectionState.ConnectingToProxy);
        time.Advance(TimeSpan.FromSeconds(2));
        Feed(monitor, TdConnectionState.Connecting);
        time.Advance(TimeSpan.FromSeconds(2));
        Feed(monitor, TdConnectionState.Updating);
        Assert.Equal(ConnectionState.Ready, monitor.Status.State);
        // A long catch-up does not hold the link down: no "down" line however long updating lasts.
        time.Advance(TimeSpan.FromSeconds(30));
        Feed(monitor, TdConnectionState.Ready);
        monitor.Stopped();
        Assert.Equal(["short drops 1"], report.Lines);
    }

    [Fact]
    public void A_proxy_that_stays_unreachable_past_the_grace_period_is_reported_down_once_with_its_reason()
    {
        var time = new FakeTimeProvider();
        var report = new Report();
        var monitor = new LinkMonitor(TimeSpan.FromSeconds(5), time, report);
        Feed(monitor, TdConnectionState.Ready);
        for (var i = 0; i < 6; i++)
        {
            Feed(monitor, TdConnectionState.ConnectingToProxy);
            time.Advance(TimeSpan.FromSeconds(2));
        }
        Feed(monitor, TdConnectionState.ConnectingToProxy);
        Assert.Equal(new ConnectionStatus(ConnectionState.Connecting, "connecting to proxy", monitor.Status.Since), monitor.Status);
        Feed(monitor, TdConnectionState.Updating);
        Assert.Equal(["down Network connecting to proxy", "up 12s"], report.Lines);
    }

    /// <summary>What a TDLib connector does with each <c>updateConnectionState</c>.</summary>
    private static void Feed(LinkMonitor monitor, TdConnectionState state)
    {
        var link = TdLinkState.From(state);
        if (link.State == ConnectionState.Ready) monitor.Succeeded(0);
        else monitor.Failed(FaultKind.Network, link.Reason);
    }

    private sealed class Report : ILinkReport
    {
        public List<string> Lines { get; } = [];

        public void Down(DateTimeOffset since, FaultKind fault, string reason) => Lines.Add($"down {fault} {reason}");

        public void Up(TimeSpan downtime, int updates) => Lines.Add($"up {LinkMonitor.Format(downtime)}");

        public void ShortDrops(int drops, TimeSpan window, TimeSpan grace) => Lines.Add($"short drops {drops}");
    }
}
