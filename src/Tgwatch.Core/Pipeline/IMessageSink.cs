using Tgwatch.Messages;

namespace Tgwatch.Pipeline;

/// <summary>
/// Where messages end up (console, JSONL, SQLite, webhook). Writes are batched and idempotent on
/// <see cref="TgMessage.Key"/>: writing a batch again, whole or in part, changes nothing. When
/// <see cref="WriteAsync"/> returns, the batch is durable as far as the sink goes; only then does the
/// checkpoint advance.
/// </summary>
public interface IMessageSink : IAsyncDisposable
{
    /// <summary>The sink's name (unique in a pipeline), e.g. <c>jsonl</c>, as dead letters and the ledger record it.</summary>
    string Name { get; }

    /// <summary>Prepares the sink (open files, repair a torn last line, create tables); called once before the first write.</summary>
    ValueTask StartAsync(CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>
    /// Goes on in the sink's file as it is now at its path (SIGHUP after log rotation): a file moved away or replaced is
    /// closed (and its lock released) and the one at the path opened. Nothing to do by default.
    /// </summary>
    ValueTask ReopenAsync(CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>Writes a batch (in order; a chat's messages in their order).</summary>
    ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct);

    /// <summary>
    /// Writes messages again on purpose (a dead letter's replay): a sink that remembers what it has sent
    /// (an outbox) sends them anyway. By default the same as <see cref="WriteAsync"/>.
    /// </summary>
    ValueTask ReplayAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => WriteAsync(batch, ct);
}
