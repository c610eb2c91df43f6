using Tgwatch.Connectors;
using Tgwatch.Health;
using Tgwatch.Noise;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Http;

/// <summary>
/// What the HTTP endpoint reads of a run while it goes on: the connector, the pipeline and the sinks once the run has opened
/// them (null before), the heartbeat, when it started, the log's noise gate. Everything here is read live from the components'
/// own <c>Stats</c> and <c>Status</c> (ARCHITECTURE §5), or from the state store (<see cref="StoreFigures"/>): nothing is
/// copied or counted twice.
/// </summary>
/// <param name="time">The clock.</param>
/// <param name="noise">The noise gate of the run's log (what it hid), if it has one.</param>
internal sealed class LiveRun(TimeProvider time, NoiseGate? noise = null)
{
    private volatile Opened? _opened;

    /// <summary>The connector, pipeline and sinks of a run that has started.</summary>
    /// <param name="Connector">The link to Telegram.</param>
    /// <param name="Pipeline">The pipeline (its <see cref="PipelineStats"/> has every sink's figures).</param>
    /// <param name="Outboxes">The sinks that deliver from an outbox (webhooks, alert chats), each with its own outbox and dead letters.</param>
    /// <param name="Store">What the run's state store holds, read when asked.</param>
    /// <param name="Lags">The lags of the latest commits, when the pipeline records them.</param>
    internal sealed record Opened(IConnector Connector, MessagePipeline Pipeline, IReadOnlyList<IOutboxSink> Outboxes, StoreFigures Store, RecentLags? Lags)
    {
        /// <summary>Dead letters of the run: the pipeline's, and those each outbox sink's sender set aside after it took the records.</summary>
        public long DeadLetters => Pipeline.Stats.DeadLetters + Outboxes.Sum(w => w.Stats.DeadLettered);

        /// <summary>The outbox sink (a webhook, an alert chat) that is <paramref name="sink"/>, if it is one: its deliveries are its own.</summary>
        public IOutboxSink? OutboxOf(PipelineSinkStats sink) => Outboxes.FirstOrDefault(w => w.Name == sink.Name);

        /// <summary>
        /// Since when <paramref name="sink"/> has been failing: the pipeline's writes to it, or its outbox's deliveries, whichever
        /// began first; null when neither fails.
        /// </summary>
        public DateTimeOffset? FailingSince(PipelineSinkStats sink) =>
            (sink.FailingSince, OutboxOf(sink)?.Stats.FailingSince) switch
            {
                ({ } a, { } b) => a < b ? a : b,
                (var a, var b) => a ?? b,
            };
    }

    /// <summary>Beaten by the run's loops.</summary>
    public Heartbeat Heartbeat { get; } = new(time);

    /// <summary>When the run started.</summary>
    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>How long it has run.</summary>
    public TimeSpan Uptime => time.GetUtcNow() - Started;

    /// <summary>The clock.</summary>
    public TimeProvider Time => time;

    /// <summary>The noise gate of the run's log, if it has one.</summary>
    public NoiseGate? Noise => noise;

    /// <summary>What the run opened; null until it has.</summary>
    public Opened? Current => _opened;

    /// <summary>The run has opened its connector, pipeline and sinks; what it opened.</summary>
    public Opened Open(IConnector connector, MessagePipeline pipeline, IEnumerable<IOutboxSink> outboxes, IStateStore store) =>
        _opened = new Opened(connector, pipeline, [.. outboxes], new StoreFigures(store, time), pipeline.Timings is { } t ? new RecentLags(t.Lag) : null);

    /// <summary>The run has closed them (its counters as they ended are not served as if they were live).</summary>
    public void Close()
    {
        var opened = _opened;
        _opened = null;
        opened?.Lags?.Dispose();
    }
}
