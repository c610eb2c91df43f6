using Tgwatch.Connectors;
using Tgwatch.Health;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Webhook;

namespace Tgwatch.Cli.Http;

/// <summary>
/// What the HTTP endpoint reads of a run while it goes on: the connector, the pipeline and the sinks once the run has opened
/// them (null before), the heartbeat, when it started. Everything here is read live from the components' own
/// <c>Stats</c> and <c>Status</c> (ARCHITECTURE §5): nothing is copied or counted twice.
/// </summary>
internal sealed class LiveRun(TimeProvider time)
{
    private volatile Opened? _opened;

    /// <summary>The connector, pipeline and sinks of a run that has started.</summary>
    /// <param name="Connector">The link to Telegram.</param>
    /// <param name="Pipeline">The pipeline (its <see cref="PipelineStats"/> has every sink's figures).</param>
    /// <param name="Webhooks">The webhook sinks, each with its own outbox and dead letters.</param>
    internal sealed record Opened(IConnector Connector, MessagePipeline Pipeline, IReadOnlyList<WebhookSink> Webhooks)
    {
        /// <summary>Dead letters of the run: the pipeline's, and those each webhook's sender set aside after it took the records.</summary>
        public long DeadLetters => Pipeline.Stats.DeadLetters + Webhooks.Sum(w => w.Stats.DeadLettered);
    }

    /// <summary>Beaten by the run's loops.</summary>
    public Heartbeat Heartbeat { get; } = new(time);

    /// <summary>When the run started.</summary>
    public DateTimeOffset Started { get; } = time.GetUtcNow();

    /// <summary>How long it has run.</summary>
    public TimeSpan Uptime => time.GetUtcNow() - Started;

    /// <summary>The clock.</summary>
    public TimeProvider Time => time;

    /// <summary>What the run opened; null until it has.</summary>
    public Opened? Current => _opened;

    /// <summary>The run has opened its connector, pipeline and sinks; what it opened.</summary>
    public Opened Open(IConnector connector, MessagePipeline pipeline, IEnumerable<WebhookSink> webhooks) => _opened = new Opened(connector, pipeline, [.. webhooks]);

    /// <summary>The run has closed them (its counters as they ended are not served as if they were live).</summary>
    public void Close() => _opened = null;
}
