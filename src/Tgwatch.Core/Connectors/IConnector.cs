using Tgwatch.Messages;

namespace Tgwatch.Connectors;

/// <summary>
/// One account's link to Telegram (TDLib or Bot API). Delivers at least once: after a restart it
/// delivers again from the last committed checkpoint, and the pipeline's dedup makes that harmless.
/// </summary>
public interface IConnector : IAsyncDisposable
{
    /// <summary>The connector's name as records carry it: <c>botapi</c>, <c>tdlib</c>, <c>file</c>.</summary>
    string Name { get; }

    /// <summary>The account it receives for.</summary>
    string Account { get; }

    /// <summary>The link's current state.</summary>
    ConnectionStatus Status { get; }

    /// <summary>Raised on every state change (on the connector's thread; handlers must not block).</summary>
    event Action<ConnectionStatus>? StatusChanged;

    /// <summary>The link's reconnections and time down, for a connector that keeps them (none for a file).</summary>
    LinkStats? LinkStats => null;

    /// <summary>
    /// Why the connector cannot go on, for a connector whose work outlives its stream (null for the others, and while it can):
    /// an export's TDLib update loop lives on after the range's last page to bring the progress of its files' downloads, and
    /// can still fail (TDLib closed, the session logged out). A run that waits past the stream's end for its downloads ends with it.
    /// </summary>
    Exception? Failure => null;

    /// <summary>
    /// Whether the connector is draining a backlog: it holds more right now and hands it over without waiting for a commit
    /// (the Bot API's last answer was full). The pipeline then lets a batch fill, for a moment at most, before writing it:
    /// fewer, larger writes, syncs and commits. False by default (each batch is written as soon as it is ready).
    /// </summary>
    bool HasBacklog => false;

    /// <summary>
    /// The deliveries, in order within each stream, starting after <paramref name="committed"/> (the last
    /// committed position per stream, as the state store holds them). Ends when the source ends (a file)
    /// or <paramref name="ct"/> is cancelled; transport faults are handled inside, not thrown.
    /// </summary>
    IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, CancellationToken ct);

    /// <summary>Everything up to and including <paramref name="upTo"/> in its stream is in every sink.</summary>
    ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct);

    /// <summary>Reads a replied-to message. The pipeline bounds the time it waits.</summary>
    ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct);
}
