using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierCancellationTests
{
    [Fact]
    public void Classify_TimeoutException_IsTimeout()
    {
        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(new TimeoutException()).Kind);
    }

    [Fact]
    public async Task Classify_CancellationOfTheCallersOwnToken_IsCancelled()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(1000, caller.Token));

        Assert.Equal(FaultKind.Cancelled, FaultClassifier.Default.Classify(thrown, caller.Token).Kind);
    }

    [Fact]
    public async Task Classify_CancellationByAnotherDeadline_IsTimeout()
    {
        using var caller = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(1000, deadline.Token));

        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(thrown, caller.Token).Kind);
    }

    [Fact]
    public void Classify_CancellationWithoutACallerToken_IsTimeout()
    {
        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(new OperationCanceledException()).Kind);
    }

    [Fact]
    public async Task Classify_DeadlineFiredAndCallerCancelledToo_IsCancelled()
    {
        using var caller = new CancellationTokenSource();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(caller.Token);
        deadline.Cancel();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(1000, deadline.Token));

        caller.Cancel();

        Assert.Equal(FaultKind.Cancelled, FaultClassifier.Default.Classify(thrown, caller.Token).Kind);
    }
}
