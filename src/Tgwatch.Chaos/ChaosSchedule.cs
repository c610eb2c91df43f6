namespace Tgwatch.Chaos;

/// <summary>Builds fault scripts for <see cref="FaultProxy.RunScriptAsync"/>.</summary>
public static class ChaosSchedule
{
    /// <summary>
    /// A reproducible random schedule: periods of <see cref="ProxyFault.Pass"/> alternate with periods of a fault picked
    /// uniformly from <paramref name="kinds"/>, starting with a <see cref="ProxyFault.Pass"/> period. Durations are
    /// exponentially distributed around their mean, rounded to whole milliseconds (at least 1 ms); the last
    /// step is shortened so that the durations add up to exactly <paramref name="total"/>.
    /// </summary>
    /// <param name="seed">The seed; the same arguments always give the same schedule.</param>
    /// <param name="total">The length of the whole schedule; more than zero.</param>
    /// <param name="meanUp">The mean length of a <see cref="ProxyFault.Pass"/> period; more than zero.</param>
    /// <param name="meanDown">The mean length of a fault period; more than zero.</param>
    /// <param name="kinds">The faults to pick from; at least one.</param>
    /// <returns>The steps, in order.</returns>
    public static IReadOnlyList<(TimeSpan Duration, ProxyFault Fault)> Random(
        int seed, TimeSpan total, TimeSpan meanUp, TimeSpan meanDown, IReadOnlyList<ProxyFault> kinds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(total, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(meanUp, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(meanDown, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentOutOfRangeException.ThrowIfZero(kinds.Count, nameof(kinds));
        foreach (var kind in kinds)
        {
            ArgumentNullException.ThrowIfNull(kind, nameof(kinds));
        }

        // System.Random with a seed uses its legacy algorithm, which is the same on every platform and version.
        var random = new Random(seed);
        var steps = new List<(TimeSpan, ProxyFault)>();
        var left = total;
        var up = true;
        while (left > TimeSpan.Zero)
        {
            var mean = up ? meanUp : meanDown;
            var fault = up ? ProxyFault.Pass : kinds[random.Next(kinds.Count)];
            var milliseconds = Math.Max(1, Math.Round(-mean.TotalMilliseconds * Math.Log(1 - random.NextDouble())));
            var duration = TimeSpan.FromMilliseconds(milliseconds);
            if (duration > left)
            {
                duration = left;
            }

            steps.Add((duration, fault));
            left -= duration;
            up = !up;
        }

        return steps;
    }
}
