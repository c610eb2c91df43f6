using Microsoft.Extensions.Time.Testing;

namespace Tgwatch.TestKit;

/// <summary>
/// A fake clock that keeps the due time of every timer made on it, so a test can wait until the code under test
/// really waits on the clock before moving it (a counter bumped just before the wait is not enough: a loaded
/// machine may run the test's advance between the two, and the wait then starts late and never ends).
/// </summary>
public sealed class WatchedFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _sync = new();
    private readonly List<TimeSpan> _dueTimes = [];

    /// <summary>The due time of each timer made so far, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get { lock (_sync) return [.. _dueTimes]; }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_sync) _dueTimes.Add(dueTime);
        return timer;
    }
}
