namespace Tgwatch.Pipeline;

/// <summary>What a pipeline has done with one of its sinks: live, each read atomically (ARCHITECTURE §5).</summary>
public sealed class PipelineSinkStats
{
    internal long written, failingSinceTicks;
    internal volatile bool failing;

    internal PipelineSinkStats(string name) => Name = name;

    /// <summary>The sink's name, as the log lines name it.</summary>
    public string Name { get; }

    /// <summary>Messages committed with this sink among those that have them (what <see cref="PipelineStats.Written"/> counts, for this sink).</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>Whether writing to this sink is failing right now (retried with backoff until it works again).</summary>
    public bool Failing => failing;

    /// <summary>Since when writing to this sink has been failing, while it is (<see cref="Failing"/>); null otherwise.</summary>
    public DateTimeOffset? FailingSince => failing && Interlocked.Read(ref failingSinceTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Writes to this sink that failed, by the kind of fault (each attempt, retried or not).</summary>
    public Tgwatch.Faults.FaultCounts Failures { get; } = new();

    // A write failed at `now`: the sink is failing (since now, unless it already was).
    internal void Failed(Tgwatch.Faults.FaultKind kind, DateTimeOffset now)
    {
        Failures.Add(kind);
        if (!failing) Interlocked.Exchange(ref failingSinceTicks, now.UtcTicks);
        failing = true;
    }
}
