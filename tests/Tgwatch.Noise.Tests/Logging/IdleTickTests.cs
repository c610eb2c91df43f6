using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Noise.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests.Logging;

/// <summary>
/// The gates tick only while they have something to time (a burst open, a count waiting for its summary, a record held): a
/// long-running process that logs nothing is not woken ten times a second for nothing.
/// </summary>
public sealed class IdleTickTests
{
    /// <summary>A fake clock that counts the callbacks of the timers made on it.</summary>
    private sealed class CountingClock() : FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero))
    {
        private int _fired;

        public int Fired => Volatile.Read(ref _fired);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(s => { Interlocked.Increment(ref _fired); callback(s); }, state, dueTime, period);
    }

    [Fact]
    public void TheLoggerGate_TicksOnlyFromANoiseEventUntilItsSummary_ThenSleeps_AndTimesTheNextBurstFromItsOwnStart()
    {
        var time = new CountingClock();
        using var inner = new CollectingLoggerProvider();
        using var provider = new NoiseGatedLoggerProvider(inner, new NoiseOptions(), time);
        var log = provider.CreateLogger("Bot.Polling");

        log.LogInformation("connected"); // not noise: no tick
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, time.Fired);

        for (var i = 0; i < 10; i++) log.LogWarning(new EventId(7, "PollFailed"), new TimeoutException("the poll timed out"), "poll failed");
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(time.Fired > 0);
        Assert.Contains(inner.Entries, e => e.Message.StartsWith("[tgwatch] suppressed 9× Timeout in the last 6s:", StringComparison.Ordinal));
        Assert.True(provider.Gate.Idle);

        var afterSummary = time.Fired;
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(afterSummary, time.Fired);

        // An hour later a new burst: timed from its own start, not from the last tick an hour ago.
        for (var i = 0; i < 3; i++) log.LogWarning(new EventId(7, "PollFailed"), new TimeoutException("the poll timed out"), "poll failed");
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Contains(inner.Entries, e => e.Message.StartsWith("[tgwatch] suppressed 2× Timeout in the last 6s:", StringComparison.Ordinal));
        Assert.True(provider.Gate.Idle);
    }

    [Fact]
    public void TheStderrGate_TicksOnlyWhileItHoldsALineOrTimesABurst()
    {
        var time = new CountingClock();
        using var output = new MemoryStream();
        using var writer = new NoiseGatedTextWriter(output, NoiseRules.Load(), new NoiseOptions(), time);

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, time.Fired);

        writer.Write("a prompt without its line end"); // held for its hold time, then passed on
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("a prompt without its line end", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(10));
        var settled = time.Fired;
        Assert.True(settled > 0);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(settled, time.Fired);
    }
}
