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
}
