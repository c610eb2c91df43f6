namespace Tgwatch.Sinks.Telegram;

/// <summary>
/// Keeps the pace Telegram allows a bot in one chat: at most one message per <c>interval</c>, and in a group or a channel at
/// most <c>perMinute</c> messages in any minute (a 429's <c>retry_after</c> is waited out by the retry itself). On the clock of
/// <see cref="TimeProvider"/>, so tests step through it. Not thread-safe: one sender uses it.
/// </summary>
internal sealed class AlertPacer(TimeProvider time, TimeSpan interval, int perMinute)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly Queue<long> _recent = new();
    private long? _last;

    /// <summary>How long to wait before the next message may go (zero when it may go now).</summary>
    public TimeSpan Wait()
    {
        var wait = TimeSpan.Zero;
        if (_last is { } last) wait = Max(wait, interval - time.GetElapsedTime(last));
        if (perMinute > 0)
        {
            while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek()) >= Minute) _recent.Dequeue();
            if (_recent.Count >= perMinute) wait = Max(wait, Minute - time.GetElapsedTime(_recent.Peek()));
        }
        return wait;
    }

    /// <summary>A message went out now.</summary>
    public void Sent()
    {
        var now = time.GetTimestamp();
        _last = now;
        if (perMinute <= 0) return;
        _recent.Enqueue(now);
        while (_recent.Count > perMinute) _recent.Dequeue();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
