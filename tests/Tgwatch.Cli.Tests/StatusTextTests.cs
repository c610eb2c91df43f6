using Tgwatch.Cli.Commands;
using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Tests;

/// <summary>How <c>tgwatch status</c> tells a link's state, and whether the run that recorded it is still there.</summary>
public sealed class StatusTextTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static LinkRecord Link(ConnectionState state, string? reason, int sinceSecondsAgo, int reportedSecondsAgo, bool ended = false) =>
        new("user7", "tdlib", state, reason, At.AddSeconds(-sinceSecondsAgo), At.AddSeconds(-reportedSecondsAgo), TimeSpan.FromSeconds(30), ended);

    [Fact]
    public void AReadyLinkOfARunningRun_SaysSinceWhenAndWhenLastReported()
    {
        Assert.Equal("ready since 2026-11-25T11:00:00Z (1h00m), reported 12s ago", StatusCommand.Describe(Link(ConnectionState.Ready, null, 3600, 12), At));
    }

    [Fact]
    public void AConnectingLink_SaysWhy()
    {
        Assert.Equal("connecting (connection refused) since 2026-11-25T11:58:00Z (2m00s), reported 5s ago",
            StatusCommand.Describe(Link(ConnectionState.Connecting, "connection refused", 120, 5), At));
    }

    [Fact]
    public void ARecordNobodyRenewed_SaysNoRunReportsIt_AndWhatItWas()
    {
        Assert.Equal("no run has reported since 2026-11-25T11:50:00Z (10m00s ago; killed?); it was ready since 2026-11-25T11:00:00Z (1h00m)",
            StatusCommand.Describe(Link(ConnectionState.Ready, null, 3600, 600), At));
    }

    [Fact]
    public void AStoppedRun_SaysWhenItStopped()
    {
        Assert.Equal("stopped at 2026-11-25T10:00:00Z", StatusCommand.Describe(Link(ConnectionState.Disconnected, "stopped", 7200, 7200, ended: true), At));
    }

    [Fact]
    public void ARunEndedByAFailure_SaysSo()
    {
        Assert.Equal("stopped by a failure (Auth: TdlibAuthorizationLostException) at 2026-11-25T10:00:00Z",
            StatusCommand.Describe(Link(ConnectionState.Disconnected, "stopped by a failure (Auth: TdlibAuthorizationLostException)", 7200, 7200, ended: true), At));
    }

    [Fact]
    public void ADisconnectedLinkOfARunThatDidNotRecordItsEnd_IsToldAsLeftBehind()
    {
        Assert.Equal("no run has reported since 2026-11-25T11:00:00Z (1h00m ago; killed?); it was disconnected (end of file) since 2026-11-25T10:00:00Z (2h00m)",
            StatusCommand.Describe(Link(ConnectionState.Disconnected, "end of file", 7200, 3600), At));
        Assert.Equal("disconnected since 2026-11-25T11:59:00Z (1m00s), reported 1s ago", StatusCommand.Describe(Link(ConnectionState.Disconnected, null, 60, 1), At));
    }

    [Theory]
    [InlineData("botapi", 41L, "41")]
    [InlineData("botapi", (2L << 32) | 17, "17 (update ids started again 2×)")]
    [InlineData("tdlib", (2L << 32) | 17, "8589934609")]
    public void ACheckpoint_IsShownAsItsConnectorMeansIt(string connector, long position, string shown)
    {
        Assert.Equal(shown, StatusCommand.Position(new CheckpointRow("bot1", connector, "updates", position, At)));
    }
}
