using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Xunit.Sdk;

namespace Tgwatch.TestKit;

/// <summary>
/// Waits for something another thread, process or socket brings about: polls until it holds, or fails the test
/// naming what was awaited and what was last seen. Timing logic runs on a <see cref="FakeTimeProvider"/>, moved on by
/// <see cref="OnClockAsync(FakeTimeProvider, TimeSpan, Func{bool}, string, TimeSpan)"/> until what it should bring about happens.
/// </summary>
public static class Eventually
{
    /// <summary>
    /// How long a wait lasts unless its caller says otherwise: as long as the CLI's and PostgreSQL's tests wait, since a loaded
    /// machine can take many times the usual time and a passing test never waits this out (it returns once the condition holds).
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ClockPause = TimeSpan.FromMilliseconds(2);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">
    /// Polled until true. An exception it throws counts as not yet (a file half written, a table not made yet) and is
    /// told if the wait fails; a failed assertion in it fails the wait at once.
    /// </param>
    /// <param name="what">What is awaited, in words, for the failure message.</param>
    /// <param name="timeout">How long to wait; <see cref="DefaultTimeout"/> unless given.</param>
    /// <param name="running">A task whose end, before the condition holds, fails the wait at once (with its exception, if any).</param>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Task? running = null) =>
        ValueAsync(condition, held => held, what, timeout, running);

    /// <summary>Waits until <paramref name="condition"/> holds; the condition is asynchronous.</summary>
    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?, Task?)"/>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Task? running = null) =>
        ValueAsync(condition, held => held, what, timeout, running);

    /// <summary>Observes a value until it is <paramref name="until"/>; returns the value that was.</summary>
    /// <param name="observe">
    /// Polled for the value. An exception it throws counts as not yet (a file half written, a table not made yet) and is
    /// told if the wait fails; a failed assertion in it fails the wait at once.
    /// </param>
    /// <param name="until">Whether a value is the one awaited.</param>
    /// <param name="what">What is awaited, in words, for the failure message.</param>
    /// <param name="timeout">How long to wait; <see cref="DefaultTimeout"/> unless given.</param>
    /// <param name="running">A task whose end, before the value comes, fails the wait at once (with its exception, if any).</param>
    public static Task<T> ValueAsync<T>(Func<T> observe, Func<T, bool> until, string what, TimeSpan? timeout = null, Task? running = null) =>
        ValueAsync(() => Task.FromResult(observe()), until, what, timeout, running);

    /// <summary>Observes a value until it is <paramref name="until"/>; returns the value that was. The observation is asynchronous.</summary>
    /// <inheritdoc cref="ValueAsync{T}(Func{T}, Func{T, bool}, string, TimeSpan?, Task?)"/>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> observe, Func<T, bool> until, string what, TimeSpan? timeout = null, Task? running = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        var poll = FirstPoll;
        while (true)
        {
            // Seen ended before the look, so a run that ended having done its work still passes.
            var ended = running is { IsCompleted: true };
            string seen;
            Exception? thrown = null;
            try
            {
                var value = await observe().ConfigureAwait(false);
                if (until(value)) return value;
                seen = Describe(value);
            }
            catch (Exception e) when (e is not XunitException)
            {
                thrown = e;
                seen = $"{e.GetType().Name}: {e.Message}";
            }

            if (ended)
            {
                var failure = running!.Exception?.GetBaseException();
                var how = failure is not null ? $"failed ({failure.GetType().Name}: {failure.Message})" : running.IsCanceled ? "was cancelled" : "ended";
                throw new XunitException($"Waiting for {what}: the run {how} first, after {Seconds(waited.Elapsed)}; last seen: {seen}", failure ?? thrown);
            }

            if (waited.Elapsed > limit)
            {
                throw new XunitException($"Timed out after {Seconds(limit)} waiting for {what}; last seen: {seen}", thrown);
            }

            await Task.Delay(poll).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
        }
    }

    /// <summary>
    /// Moves <paramref name="time"/> on by <paramref name="step"/> at a time, giving the code under test a moment of real
    /// time after each step, until <paramref name="condition"/> holds; fails once the clock has moved
    /// <paramref name="within"/> without it. Moving in steps, not at once, lets code that starts its wait on the clock
    /// late (a loaded machine) still see its time come.
    /// </summary>
    /// <returns>How far the clock moved: a bound on how long the code under test waited on it.</returns>
    public static Task<TimeSpan> OnClockAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition, string what, TimeSpan within) =>
        OnClockAsync(time, step, () => Task.FromResult(condition()), what, within);

    /// <inheritdoc cref="OnClockAsync(FakeTimeProvider, TimeSpan, Func{bool}, string, TimeSpan)"/>
    public static async Task<TimeSpan> OnClockAsync(FakeTimeProvider time, TimeSpan step, Func<Task<bool>> condition, string what, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var start = time.GetUtcNow();
        while (!await condition().ConfigureAwait(false))
        {
            var moved = time.GetUtcNow() - start;
            if (moved >= within) throw new XunitException($"Waiting for {what}: the clock moved {moved} without it");
            time.Advance(step);
            // Real time for what the step woke (a continuation on the thread pool) to run before the next one.
            await Task.Delay(ClockPause).ConfigureAwait(false);
        }

        return time.GetUtcNow() - start;
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";

    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => $"\"{s}\"",
        IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Take(20).Select(Describe))}{(items.Cast<object?>().Skip(20).Any() ? ", …" : "")}]",
        _ => value.ToString() ?? "",
    };
}
