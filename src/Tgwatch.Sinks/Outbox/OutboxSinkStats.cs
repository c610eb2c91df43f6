namespace Tgwatch.Sinks.Outbox;

/// <summary>
/// What a sink that delivers from the state store's outbox (<see cref="IOutboxSink"/>) has done since it started: live counters,
/// each read atomically (ARCHITECTURE §5).
/// </summary>
public class OutboxSinkStats
{
    internal long sent, failedAttempts, deadLettered, pending, failingSinceTicks;
    internal volatile bool failing;

    /// <summary>Records delivered.</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Attempts that failed and were retried (network, timeout, rate limits, refusals of the whole endpoint…).</summary>
    public long FailedAttempts => Interlocked.Read(ref failedAttempts);

    /// <summary>Records moved to dead letters: refused for good, or not valid records.</summary>
    public long DeadLettered => Interlocked.Read(ref deadLettered);

    /// <summary>Records waiting in the outbox.</summary>
    public long Pending => Math.Max(0, Interlocked.Read(ref pending));

    /// <summary>Whether delivery is failing right now (backing off).</summary>
    public bool Failing => failing;

    /// <summary>Since when delivery has been failing, while it is (<see cref="Failing"/>); null otherwise.</summary>
    public DateTimeOffset? FailingSince => failing && Interlocked.Read(ref failingSinceTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Delivery attempts that failed, by the kind of fault (what <see cref="FailedAttempts"/> counts, told apart).</summary>
    public Tgwatch.Faults.FaultCounts Failures { get; } = new();
}
