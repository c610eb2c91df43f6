namespace Tgwatch.Pipeline;

/// <summary>
/// The log of a stage that keeps failing and retrying (a sink, the state store): one line when it starts failing,
/// a counted summary at most once per <see cref="SummaryInterval"/> while it lasts, one line when it works again.
/// It decides what to say; the caller says it. Safe to use from several threads.
/// </summary>
internal sealed class FailureStreak(TimeProvider time)
{
    /// <summary>How often at most a summary of a failure that lasts is due (the noise gate's default window).</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(60);

    private readonly Lock _sync = new();
    private long _since = -1;
    private long _lastReport;
    private int _attempts;
    private int _attemptsSinceReport;

    /// <summary>What a failed attempt calls for.</summary>
    public enum Step
    {
        /// <summary>Nothing: counted, said in the next summary.</summary>
        Quiet,

        /// <summary>The first failure of a streak: say that the stage is failing.</summary>
        Started,

        /// <summary>A summary is due: say how many attempts failed since the last line.</summary>
        Summary,
    }

    /// <summary>Counts a failed attempt and says what to log.</summary>
    /// <param name="sinceLastLine">For <see cref="Step.Summary"/>: failed attempts since the last line and the time since then.</param>
    public Step Failed(out (int Attempts, TimeSpan Duration) sinceLastLine)
    {
        var now = time.GetTimestamp();
        lock (_sync)
        {
            _attempts++;
            _attemptsSinceReport++;
            sinceLastLine = default;
            if (_since < 0)
            {
                _since = _lastReport = now;
                _attemptsSinceReport = 0;
                return Step.Started;
            }
            var elapsed = time.GetElapsedTime(_lastReport, now);
            if (elapsed < SummaryInterval) return Step.Quiet;
            sinceLastLine = (_attemptsSinceReport, elapsed);
            _lastReport = now;
            _attemptsSinceReport = 0;
            return Step.Summary;
        }
    }

    /// <summary>
    /// Ends a streak after a success: true (with the failed attempts and how long it lasted) when one was going on.
    /// Costs a read when none was.
    /// </summary>
    public bool Succeeded(out (int Attempts, TimeSpan Duration) streak)
    {
        streak = default;
        if (Volatile.Read(ref _since) < 0) return false;
        lock (_sync)
        {
            if (_since < 0) return false;
            streak = (_attempts, time.GetElapsedTime(_since));
            _since = -1;
            _attempts = 0;
            _attemptsSinceReport = 0;
            return true;
        }
    }
}
