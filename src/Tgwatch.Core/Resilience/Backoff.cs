namespace Tgwatch.Resilience;

/// <summary>
/// Tgwatch's one backoff between attempts: a step that starts at the least wait and doubles with each retry up to the
/// most, and a wait drawn from the step's upper half, so it is never zero, never past the most, and retries of many
/// callers do not come in step. Every retry of Tgwatch waits this (<see cref="BackoffPipelineBuilderExtensions"/>),
/// unless the other side said how long to wait; the background look-up of unresolved replies, whose next attempt is a
/// time stored with the reply rather than a wait, is scheduled by the <see cref="Step"/>.
/// </summary>
public static class Backoff
{
    /// <summary>The step of a retry: <paramref name="minBackoff"/> × 2^<paramref name="attempt"/>, at most <paramref name="maxBackoff"/>.</summary>
    /// <param name="attempt">The retry, from 0 (the wait after the first failed attempt), as Polly counts it.</param>
    /// <param name="minBackoff">The first step.</param>
    /// <param name="maxBackoff">The longest step.</param>
    public static TimeSpan Step(int attempt, TimeSpan minBackoff, TimeSpan maxBackoff)
    {
        var ticks = minBackoff.Ticks * Math.Pow(2, Math.Clamp(attempt, 0, 62));
        return ticks >= maxBackoff.Ticks ? maxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The wait before a retry: in the upper half of its <see cref="Step"/>, where <paramref name="random"/> puts it.</summary>
    /// <param name="attempt">The retry, from 0 (the wait after the first failed attempt), as Polly counts it.</param>
    /// <param name="minBackoff">The first step.</param>
    /// <param name="maxBackoff">The longest step.</param>
    /// <param name="random">A number in [0, 1): 0 waits half the step, towards 1 the whole step.</param>
    public static TimeSpan Delay(int attempt, TimeSpan minBackoff, TimeSpan maxBackoff, double random)
    {
        var half = Step(attempt, minBackoff, maxBackoff).Ticks / 2.0;
        return TimeSpan.FromTicks((long)(half + half * Math.Clamp(random, 0, 1)));
    }
}
