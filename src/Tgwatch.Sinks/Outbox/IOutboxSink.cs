using Tgwatch.Pipeline;

namespace Tgwatch.Sinks.Outbox;

/// <summary>
/// A sink whose commit is the state store's outbox: <see cref="IMessageSink.WriteAsync"/> queues the records, a background
/// sender delivers them, and what is refused for good goes to dead letters with stage <c>sink:NAME</c> after the pipeline
/// handed the records over. The status, the metrics and the stop summary show every such sink the same way.
/// </summary>
public interface IOutboxSink : IMessageSink
{
    /// <summary>What its sender has done: sent, failed attempts, dead letters, records waiting, whether it is failing.</summary>
    OutboxSinkStats Stats { get; }
}
