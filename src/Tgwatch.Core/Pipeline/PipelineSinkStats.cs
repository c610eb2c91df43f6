namespace Tgwatch.Pipeline;

/// <summary>What a pipeline has done with one of its sinks: live, each read atomically (ARCHITECTURE §5).</summary>
public sealed class PipelineSinkStats
{
    internal long written;
    internal volatile bool failing;

    internal PipelineSinkStats(string name) => Name = name;

    /// <summary>The sink's name, as the log lines name it.</summary>
    public string Name { get; }

    /// <summary>Messages committed with this sink among those that have them (what <see cref="PipelineStats.Written"/> counts, for this sink).</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>Whether writing to this sink is failing right now (retried with backoff until it works again).</summary>
    public bool Failing => failing;
}
