using Tgwatch.Bench.Peers;

namespace Tgwatch.Bench.Tests.Peers;

public sealed class PeersOptionsTests
{
    [Fact]
    public void NoOptions_AreIssue17sSizes()
    {
        var options = PeersOptions.Parse([]);

        Assert.Equal((20_000, 4, 3, 60.0, 60.0), (options.Messages, options.Chats, options.Rounds, options.IdleSkip.TotalSeconds, options.IdleWindow.TotalSeconds));
        Assert.Equal(["tgwatch", "plain", "grammy"], options.Peers);
        Assert.Equal(TgwatchBuild.Native, options.Build); // tgwatch as shipped
    }

    [Theory]
    [InlineData("built", nameof(TgwatchBuild.Built))]
    [InlineData("tool", nameof(TgwatchBuild.Tool))]
    [InlineData("native", nameof(TgwatchBuild.Native))]
    public void EachBuildOfTgwatch_IsAskedForByName(string name, string build) => Assert.Equal(build, PeersOptions.Parse(["--tgwatch", name]).Build.ToString());

    [Fact]
    public void AQuickRun_IsAskedForWithSmallerCounts()
    {
        var options = PeersOptions.Parse(["--messages", "2000", "--idle-skip", "0", "--idle-window", "10", "--peers", "tgwatch, plain", "--live-interval-ms", "50"]);

        Assert.Equal((2000, 0.0, 10.0, 50.0), (options.Messages, options.IdleSkip.TotalSeconds, options.IdleWindow.TotalSeconds, options.LiveInterval.TotalMilliseconds));
        Assert.Equal(["tgwatch", "plain"], options.Peers);
    }

    [Theory]
    [InlineData("--messages", "0", "--messages takes a whole number from 1")]
    [InlineData("--messages", "2e3", "not '2e3'")]
    [InlineData("--peers", "telethon", "unknown peer 'telethon'")]
    [InlineData("--message", "5", "unknown option --message")]
    [InlineData("--tgwatch", "r2r", "--tgwatch takes native, tool or built, not 'r2r'")]
    public void AnOptionItCannotRead_IsNamed(string name, string value, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => PeersOptions.Parse([name, value])).Message, StringComparison.Ordinal);
}
