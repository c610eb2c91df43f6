using Tgwatch.Bench.Peers;

namespace Tgwatch.Bench.Tests.Peers;

public sealed class StatsTests
{
    [Theory]
    [InlineData(50, 50)]
    [InlineData(99, 99)]
    [InlineData(99.5, 100)]
    [InlineData(100, 100)]
    [InlineData(0.5, 1)]
    public void APercentile_IsTheNearestRank(double p, double expected) =>
        Assert.Equal(expected, Stats.Percentile(Enumerable.Range(1, 100).Select(i => (double)(101 - i)), p));

    [Fact]
    public void TheP99OfFewerThanAHundred_IsTheirMax_SoTheFirstSlowMessageCounts() =>
        Assert.Equal(869, Stats.Percentile([869, 3, 2, 4, 3, 2, 5, 2, 3, 4], 99));

    [Theory]
    [InlineData(new[] { 3.0, 1, 2 }, 2)]
    [InlineData(new[] { 4.0, 1, 3, 2 }, 2.5)]
    [InlineData(new[] { 7.0 }, 7)]
    public void TheMedian_IsTheMiddleValue_OrTheMeanOfTheTwoMiddleOnes(double[] values, double expected) =>
        Assert.Equal(expected, Stats.Median(values));

    [Fact]
    public void NoValues_HaveNoMedianNorPercentile()
    {
        Assert.True(double.IsNaN(Stats.Median([])));
        Assert.True(double.IsNaN(Stats.Percentile([], 99)));
    }

    [Theory]
    [InlineData(6196, 15490, "0.40×")]
    [InlineData(3.6, 1.0, "3.60×")]
    [InlineData(1, 0, "–")]
    [InlineData(double.NaN, 1, "–")]
    public void TheRatio_IsTgwatchOverThePeer(double ours, double theirs, string expected) =>
        Assert.Equal(expected, PeersReport.Ratio(ours, theirs));

    [Fact]
    public void EachRoundsRatio_PairsTheDrainsOfThatRound_AndTheirMedianFollows()
    {
        static DrainFigures Cpu(double microseconds) => new(1, TimeSpan.FromMicroseconds(microseconds), TimeSpan.Zero, TimeSpan.Zero, 0);
        DrainFigures[] ours = [Cpu(35.5), Cpu(43), Cpu(44)];
        DrainFigures[] theirs = [Cpu(20), Cpu(20), Cpu(26.5)];
        Assert.Equal("1.77×, 2.15×, 1.66× (median 1.77×)", PeersReport.RoundRatios(ours, theirs, d => d.CpuPerMessage.TotalMicroseconds));
        Assert.Equal("–", PeersReport.RoundRatios(ours, [Cpu(0)], d => d.CpuPerMessage.TotalMicroseconds));
    }
}
