using Microsoft.Extensions.Time.Testing;

namespace Tgwatch.Core.Tests;

public sealed class SignalTests
{
    // A wait that ended by its time, followed at once by a Set, as a loop does: the next wait returns at once. The wait
    // that timed out must not leave a waiter behind that takes the Set for itself.
    [Fact]
    public async Task ASetRightAfterAWaitEndedByItsTime_WakesTheNextWait()
    {
        using var signal = new Signal();
        var time = new FakeTimeProvider();
        for (var i = 0; i < 2000; i++)
        {
            var timedOut = signal.WaitAsync(TimeSpan.FromMilliseconds(10), time, CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(10));
            await timedOut.WaitAsync(TimeSpan.FromSeconds(10));
            signal.Set();
            var next = signal.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None);
            // The thread pool's queue is drained in a blink: a wait still going after 5 s has lost its Set.
            await next.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }
}
