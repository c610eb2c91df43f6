using Tgwatch.Connectors;
using Tgwatch.Pipeline;

namespace Tgwatch.Core.Tests.Pipeline;

public sealed class PositionTrackerTests
{
    [Fact]
    public void Watermark_StaysBelowAnUnfinishedDelivery()
    {
        var t = new PositionTracker();
        foreach (var p in new long[] { 1, 2, 3, 4 }) t.Start(new Checkpoint("s", p));
        Assert.Null(t.Complete(new Checkpoint("s", 2)));
        Assert.Null(t.Complete(new Checkpoint("s", 4)));
        Assert.Equal(new Checkpoint("s", 2), t.Complete(new Checkpoint("s", 1)));
        Assert.Equal(new Checkpoint("s", 4), t.Complete(new Checkpoint("s", 3)));
        Assert.Equal(0, t.InFlight);
    }

    [Fact]
    public void Streams_AreIndependent()
    {
        var t = new PositionTracker();
        t.Start(new Checkpoint("a", 10));
        t.Start(new Checkpoint("b", 5));
        Assert.Equal(new Checkpoint("b", 5), t.Complete(new Checkpoint("b", 5)));
        Assert.Equal(new Checkpoint("a", 10), t.Complete(new Checkpoint("a", 10)));
    }

    [Fact]
    public void SamePositionTwice_MovesOnlyWhenBothAreDone()
    {
        var t = new PositionTracker();
        t.Start(new Checkpoint("s", 7));
        t.Start(new Checkpoint("s", 7));
        Assert.Null(t.Complete(new Checkpoint("s", 7)));
        Assert.Equal(new Checkpoint("s", 7), t.Complete(new Checkpoint("s", 7)));
    }

    [Fact]
    public void CompletingAPositionNeverStarted_IsABug()
    {
        var t = new PositionTracker();
        Assert.Throws<InvalidOperationException>(() => t.Complete(new Checkpoint("s", 1)));
    }

    [Fact]
    public void Watermark_NeverMovesBack()
    {
        var t = new PositionTracker();
        t.Start(new Checkpoint("s", 5));
        Assert.Equal(new Checkpoint("s", 5), t.Complete(new Checkpoint("s", 5)));
        t.Start(new Checkpoint("s", 3)); // a redelivery below the watermark
        Assert.Null(t.Complete(new Checkpoint("s", 3)));
    }

    [Fact]
    public void AForgottenDelivery_BlocksTheWatermarkAtItsPosition()
    {
        var t = new PositionTracker();
        foreach (var p in new long[] { 1, 2, 3 }) t.Start(new Checkpoint("s", p));
        t.Forget(new Checkpoint("s", 2));
        Assert.Equal(2, t.InFlight);
        Assert.Equal(new Checkpoint("s", 1), t.Complete(new Checkpoint("s", 1)));
        Assert.Null(t.Complete(new Checkpoint("s", 3)));
        Assert.Equal(0, t.InFlight);
    }

    // The tracker against a model of its rule (sorted sets, as it was first written), over random runs: positions started in
    // order with now and then one again or one below (a redelivery), completed in any order, some forgotten; two streams.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomRuns_GiveTheWatermarksOfTheModel(int seed)
    {
        var random = new Random(seed);
        for (var run = 0; run < 200; run++)
        {
            var t = new PositionTracker();
            var model = new Model();
            var started = new List<Checkpoint>();
            var next = new Dictionary<string, long> { ["a"] = 1, ["b"] = 1 };
            var redeliveries = run % 3 != 0;
            for (var step = 0; step < 400; step++)
            {
                var roll = random.Next(100);
                if (roll < 50 || started.Count == 0)
                {
                    var stream = random.Next(4) == 0 ? "b" : "a";
                    var p = next[stream];
                    if (redeliveries && random.Next(20) == 0) p = Math.Max(1, p - random.Next(1, 80));
                    else if (random.Next(10) == 0) p = Math.Max(1, p - 1); // the last one again
                    else next[stream] = p + random.Next(1, 3);
                    var c = new Checkpoint(stream, p);
                    t.Start(c);
                    model.Start(c);
                    started.Add(c);
                    continue;
                }
                // Mostly the oldest ones first, as the pipeline's batches complete them.
                var i = random.Next(3) == 0 ? random.Next(started.Count) : random.Next(Math.Min(started.Count, 8));
                var done = started[i];
                started.RemoveAt(i);
                if (roll < 53)
                {
                    t.Forget(done);
                    model.Forget(done);
                }
                else Assert.Equal(model.Complete(done), t.Complete(done));
                Assert.Equal(model.InFlight, t.InFlight);
            }
        }
    }

    private sealed class Model
    {
        private readonly Dictionary<string, (Dictionary<long, int> InFlight, SortedSet<long> Order, SortedSet<long> Done, long?[] Mark)> _s = [];

        public int InFlight => _s.Values.Sum(s => s.InFlight.Values.Sum());

        public void Start(Checkpoint c)
        {
            var s = Of(c.Stream);
            var count = s.InFlight.GetValueOrDefault(c.Position);
            s.InFlight[c.Position] = count + 1;
            if (count == 0) s.Order.Add(c.Position);
        }

        public void Forget(Checkpoint c)
        {
            var s = Of(c.Stream);
            if (!s.InFlight.TryGetValue(c.Position, out var count)) return;
            Leave(s, c.Position, count);
            s.Mark[1] = s.Mark[1] is { } b ? Math.Min(b, c.Position) : c.Position;
        }

        public Checkpoint? Complete(Checkpoint c)
        {
            var s = Of(c.Stream);
            Leave(s, c.Position, s.InFlight[c.Position]);
            s.Done.Add(c.Position);
            var moved = false;
            while (s.Done.Count > 0 && (s.Order.Count == 0 || s.Done.Min < s.Order.Min) && !(s.Done.Min >= s.Mark[1]))
            {
                var min = s.Done.Min;
                s.Done.Remove(min);
                if (s.Mark[0] is not { } w || min > w)
                {
                    s.Mark[0] = min;
                    moved = true;
                }
            }
            return moved ? new Checkpoint(c.Stream, s.Mark[0]!.Value) : null;
        }

        private static void Leave((Dictionary<long, int> InFlight, SortedSet<long> Order, SortedSet<long> Done, long?[] Mark) s, long position, int count)
        {
            if (count > 1)
            {
                s.InFlight[position] = count - 1;
                return;
            }
            s.InFlight.Remove(position);
            s.Order.Remove(position);
        }

        private (Dictionary<long, int> InFlight, SortedSet<long> Order, SortedSet<long> Done, long?[] Mark) Of(string stream)
        {
            if (!_s.TryGetValue(stream, out var s)) _s[stream] = s = ([], [], [], new long?[2]);
            return s;
        }
    }
}
