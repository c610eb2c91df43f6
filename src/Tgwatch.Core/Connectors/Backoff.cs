namespace Tgwatch.Connectors;

/// <summary>The connectors' wait between retries: exponential from the least wait, capped at the most, with full jitter in its upper half.</summary>
public static class Backoff
{
    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (attempt 1 waits between half of <paramref name="least"/> and <paramref name="least"/>).</summary>
    public static TimeSpan Next(int attempt, TimeSpan least, TimeSpan most)
    {
        var ceiling = Math.Min(most.TotalMilliseconds, least.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
