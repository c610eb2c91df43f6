using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Tgwatch.TestKit;

/// <summary>
/// A fake clock a test steps from one wait to the next: each timer started on it (a <c>Task.Delay</c>, the wait of a
/// Polly retry) is handed to the test, which reads how long it is and moves the clock past it. No real sleep, and no race
/// between the code starting its wait and the test moving the clock: the wait is on the clock before the test sees it.
/// It also keeps the due time of every timer made on it (<see cref="DueTimes"/>), for a test that waits until the code
/// really waits on the clock before moving it (a counter bumped just before the wait is not enough: a loaded machine may
/// run the test's advance between the two, and the wait then starts late and never ends).
/// </summary>
/// <param name="start">The clock's time at first.</param>
public sealed class SteppedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();
    private readonly Lock _sync = new();
    private readonly List<TimeSpan> _dueTimes = [];

    /// <summary>Which timers are waits the test steps through, by their due time (e.g. not a request's time-out); by default all.</summary>
    public Func<TimeSpan, bool> Steps { get; init; } = _ => true;

    /// <summary>The due time of each timer made so far, in order, whether or not it is one of the <see cref="Steps"/>.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get { lock (_sync) return [.. _dueTimes]; }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_sync) _dueTimes.Add(dueTime);
        if (dueTime != Timeout.InfiniteTimeSpan && Steps(dueTime)) _waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The next wait started on the clock; one that does not come within <paramref name="patience"/> (real time, 10 s by default) fails the test.</summary>
    public Task<TimeSpan> NextWaitAsync(TimeSpan? patience = null) =>
        _waits.Reader.ReadAsync().AsTask().WaitAsync(patience ?? TimeSpan.FromSeconds(10));

    /// <summary>Takes the next <paramref name="count"/> waits, moving the clock past each once it has started; returns them in order.</summary>
    public async Task<IReadOnlyList<TimeSpan>> StepThroughAsync(int count, TimeSpan? patience = null)
    {
        var waits = new List<TimeSpan>(count);
        for (var i = 0; i < count; i++)
        {
            var wait = await NextWaitAsync(patience).ConfigureAwait(false);
            waits.Add(wait);
            Advance(wait);
        }
        return waits;
    }

    /// <summary>Durations in milliseconds, to compare with the waits.</summary>
    public static TimeSpan[] Milliseconds(params double[] values) => [.. values.Select(TimeSpan.FromMilliseconds)];
}
