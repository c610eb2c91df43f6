using System.Runtime.CompilerServices;
using Tgwatch.Connectors;

namespace Tgwatch.Sinks.Telegram;

/// <summary>
/// Keeps the pace Telegram allows an account in one chat: at most one message per <c>interval</c>, and in a group or a channel
/// at most <c>perMinute</c> messages in any minute (a 429's <c>retry_after</c> is waited out by the retry itself). Each message
/// reserves its moment before it waits for it, so several senders to one chat (<see cref="For"/>) keep one pace between them.
/// On the clock of <see cref="TimeProvider"/>, so tests step through it.
/// </summary>
internal sealed class AlertPacer(TimeProvider time, TimeSpan interval, int perMinute)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly ConditionalWeakTable<IChatPoster, System.Collections.Concurrent.ConcurrentDictionary<string, AlertPacer>> Shared = [];
    private readonly Lock _sync = new();
    private readonly Queue<long> _recent = new(); // the moments of the latest messages (some may be ahead, reserved)
    private long? _last;

    /// <summary>
    /// The pacer of <paramref name="chat"/> for every sender posting through <paramref name="poster"/> (one account): made by
    /// the first, with its pace.
    /// </summary>
    public static AlertPacer For(IChatPoster poster, string chat, TimeProvider time, TimeSpan interval, int perMinute) =>
        Shared.GetValue(poster, _ => new(StringComparer.Ordinal)).GetOrAdd(chat, _ => new AlertPacer(time, interval, perMinute));

    /// <summary>Takes the next moment a message may go at in this chat; returns how long to wait for it (zero: now).</summary>
    public TimeSpan Reserve()
    {
        lock (_sync)
        {
            var wait = TimeSpan.Zero;
            if (_last is { } last) wait = Max(wait, interval - time.GetElapsedTime(last));
            if (perMinute > 0)
            {
                while (_recent.Count > 0 && time.GetElapsedTime(_recent.Peek()) >= Minute) _recent.Dequeue();
                if (_recent.Count >= perMinute) wait = Max(wait, Minute - time.GetElapsedTime(_recent.Peek()));
            }
            var at = time.GetTimestamp() + (long)(wait.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
            _last = at;
            if (perMinute > 0)
            {
                _recent.Enqueue(at);
                while (_recent.Count > perMinute) _recent.Dequeue();
            }
            return wait;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
