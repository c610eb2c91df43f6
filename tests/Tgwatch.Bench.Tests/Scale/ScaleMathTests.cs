using Tgwatch.Bench.Scale;

namespace Tgwatch.Bench.Tests.Scale;

public sealed class ScaleMathTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Option_ReadsTheValueAfterItsName_OrTheFallback()
    {
        Assert.Equal(500, ScaleMath.Option(["--rounds", "2", "--messages", "500"], "--messages", 7));
        Assert.Equal(7, ScaleMath.Option(["--rounds", "2"], "--messages", 7));
    }

    [Theory]
    [InlineData("--messages")]
    [InlineData("--messages", "0")]
    [InlineData("--messages", "-3")]
    [InlineData("--messages", "many")]
    public void Option_WithoutAPositiveInteger_SaysSo(params string[] args) =>
        Assert.Equal("--messages needs a positive integer", Assert.Throws<ArgumentException>(() => ScaleMath.Option(args, "--messages", 7)).Message);

    [Fact]
    public void Ratio_IsTheBaselinesTimeOverTheCandidates_BestAgainstBest_MedianAgainstMedian()
    {
        // Raw best 1.0 s, median 1.2 s; the sink best 1.25 s, median 2.0 s (runs out of order).
        var (best, median) = ScaleMath.Ratio([S(1.2), S(1.0), S(3.0)], [S(2.0), S(4.0), S(1.25)]);
        Assert.Equal(80, best, 6);
        Assert.Equal(60, median, 6);
    }

    [Fact]
    public void PairedRatio_IsTheMedianOfEachRoundsRatio()
    {
        // Rounds' ratios 50 %, 80 %, 100 %: a slow round of both sides moves one ratio only.
        Assert.Equal(80, ScaleMath.PairedRatio([S(1), S(4), S(2)], [S(2), S(5), S(2)]), 6);
        Assert.Throws<ArgumentException>(() => ScaleMath.PairedRatio([S(1)], [S(1), S(2)]));
    }

    [Fact]
    public void Ratio_OfNoRuns_IsNaN() => Assert.True(double.IsNaN(ScaleMath.Ratio([], [S(1)]).Best));

    [Fact]
    public void Median_OfAnEvenCount_IsTheMeanOfTheTwoMiddleOnes()
    {
        Assert.Equal(S(4.5), ScaleMath.Median([S(9), S(4), S(5), S(1)]));
        Assert.Equal(S(4), ScaleMath.Median([S(9), S(4), S(1)]));
    }

    [Fact]
    public void Rate_IsMessagesPerSecond() => Assert.Equal(2_500, ScaleMath.Rate(5_000, S(2)));

    [Theory]
    [InlineData(80.0, "80 % (goal met: >= 80 %)")]
    [InlineData(79.4, "79 % (goal MISSED: >= 80 %)")]
    public void Percent_SaysWhetherTheGoalIsMet(double value, string shown) => Assert.Equal(shown, ScaleMath.Percent(value, 80));

    [Fact]
    public void TheTakeoverLine_NamesTheHostAndPidOfTheRunnerKilled()
    {
        const string log = "info standby: botapi/bot42 is active on box pid 311 since 2026-12-06 03:00:00Z; taking over if it stops renewing its lease (00:00:04)\n" +
            "warn active: botapi/bot42 taken over from box pid 311, whose lease ran out (lease generation 3); going on from its last checkpoint\n";
        Assert.Contains(LeaseTakeover.TakenOver("box", 311), log, StringComparison.Ordinal);
        Assert.DoesNotContain(LeaseTakeover.TakenOver("box", 31), log, StringComparison.Ordinal);
        Assert.Equal("4.27", LeaseTakeover.Seconds(TimeSpan.FromMilliseconds(4_266)));
    }

    [Fact]
    public void AMissingServer_IsOneLineNamingThePackage()
    {
        var missing = ScaleServers.Missing(nats: true, postgres: true);
        if (missing is not null) Assert.DoesNotContain("\n", missing, StringComparison.Ordinal);
        Assert.Null(ScaleServers.Missing(nats: false, postgres: false));
    }
}
