using Tgwatch.Cli.Run;

namespace Tgwatch.Cli.Tests;

/// <summary>The heartbeat line's sample of lags: uniform over all the values of an interval, and cheap for a value it passes over.</summary>
public sealed class ReservoirTests
{
    [Fact]
    public void FewerValuesThanItKeeps_AreAllKept_AndTakingEmptiesIt()
    {
        var reservoir = new Reservoir(100, new Random(1));
        for (var i = 0; i < 60; i++) reservoir.Add(i);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (double)i), reservoir.Take());
        Assert.Empty(reservoir.Take());
    }

    [Fact]
    public void ManyMoreValuesThanItKeeps_EachHasTheSameChance_TheFirstAndTheLastToo()
    {
        // 50 samples of 100 out of 10,000 values (each its position): 5,000 positions drawn, 500 expected in each tenth
        // (standard deviation about 21), 50 among the first 100 values and 50 among the last 100 (about 7).
        var tenths = new int[10];
        int first = 0, last = 0;
        for (var seed = 0; seed < 50; seed++)
        {
            var reservoir = new Reservoir(100, new Random(seed));
            for (var i = 0; i < 10_000; i++) reservoir.Add(i);
            var sample = reservoir.Take();
            Assert.Equal(100, sample.Length);
            Assert.Equal(100, sample.Distinct().Count());
            foreach (var position in sample)
            {
                tenths[(int)position / 1_000]++;
                if (position < 100) first++;
                if (position >= 9_900) last++;
            }
        }
        Assert.All(tenths, count => Assert.InRange(count, 400, 600));
        Assert.InRange(first, 20, 80);
        Assert.InRange(last, 20, 80);
    }

    [Fact]
    public void AfterATake_TheNextSampleHoldsOnlyTheValuesAddedSince_AndIsUniformOverThem()
    {
        var reservoir = new Reservoir(100, new Random(7));
        for (var i = 0; i < 5_000; i++) reservoir.Add(-1);
        reservoir.Take();
        for (var i = 0; i < 10_000; i++) reservoir.Add(i);
        var sample = reservoir.Take();
        Assert.Equal(100, sample.Length);
        Assert.All(sample, v => Assert.True(v >= 0, "a value of the interval before"));
        Assert.InRange(sample.Count(v => v >= 5_000), 30, 70);
    }

    [Fact]
    public void ManyMoreValuesThanItKeeps_DrawFarFewerRandomNumbersThanValues()
    {
        // The heartbeat line adds one lag per message written: a value passed over must not cost a draw.
        var random = new CountingRandom(3);
        var reservoir = new Reservoir(1_000, random);
        for (var i = 0; i < 1_000_000; i++) reservoir.Add(i);
        Assert.Equal(1_000, reservoir.Take().Length);
        // About 3 draws for each value kept after it was full: 1,000 x ln(1,000) replacements or so.
        Assert.InRange(random.Draws, 1, 40_000);
    }

    private sealed class CountingRandom(int seed) : Random(seed)
    {
        public long Draws { get; private set; }

        public override double NextDouble()
        {
            Draws++;
            return base.NextDouble();
        }

        public override int Next(int maxValue)
        {
            Draws++;
            return base.Next(maxValue);
        }

        public override long NextInt64(long maxValue)
        {
            Draws++;
            return base.NextInt64(maxValue);
        }
    }
}
