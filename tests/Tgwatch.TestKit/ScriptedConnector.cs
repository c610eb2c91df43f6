using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tgwatch.Connectors;
using Tgwatch.Messages;

namespace Tgwatch.TestKit;

/// <summary>
/// A connector that follows the contract over a fixed log of deliveries, as a server would hold them:
/// each read starts after the committed positions (so a new pipeline after a crash gets everything not
/// committed again), commits must not move back, and replies resolve from a table, with injectable faults.
/// </summary>
public sealed class ScriptedConnector : IConnector
{
    private readonly IReadOnlyList<Delivery> _log;
    private readonly ConcurrentQueue<Checkpoint> _commits = new();
    private readonly Dictionary<string, long> _committed = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>A connector over <paramref name="log"/> (in delivery order; positions rise within each stream).</summary>
    public ScriptedConnector(IEnumerable<Delivery> log, string account = "bot42", string name = "scripted")
    {
        _log = [.. log];
        Account = account;
        Name = name;
        Status = new ConnectionStatus(ConnectionState.Ready, null, DateTimeOffset.UnixEpoch);
    }

    /// <summary>Deliveries of <paramref name="messages"/> on one stream, at positions 1, 2, ….</summary>
    public static ScriptedConnector Of(IEnumerable<TgMessage> messages, string stream = "updates") =>
        new(messages.Select((m, i) => new Delivery(m, new Checkpoint(stream, i + 1))), messages.FirstOrDefault()?.Account ?? "bot42");

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Account { get; }

    /// <inheritdoc />
    public ConnectionStatus Status { get; private set; }

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>Changes the link's state as a connector would (and raises <see cref="StatusChanged"/>).</summary>
    public void SetStatus(ConnectionStatus status)
    {
        Status = status;
        StatusChanged?.Invoke(status);
    }

    /// <summary>The deliveries it serves.</summary>
    public IReadOnlyList<Delivery> Log => _log;

    /// <summary>When false, the stream stays open after the last delivery until cancelled (a live connector).</summary>
    public bool EndWhenDone { get; set; } = true;

    /// <summary>Whether it says it drains a backlog (<see cref="IConnector.HasBacklog"/>); false unless a test sets it.</summary>
    public bool HasBacklog
    {
        get => Volatile.Read(ref _hasBacklog);
        set => Volatile.Write(ref _hasBacklog, value);
    }

    private bool _hasBacklog;

    /// <summary>Why the connector cannot go on (<see cref="IConnector.Failure"/>); null unless a test sets it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Replied-to messages it can read: (chat, id) → text.</summary>
    public ConcurrentDictionary<MessageRef, string?> Replies { get; } = new();

    /// <summary>Decides each reply read before the table is consulted: return a result (or throw) to override, null to go on.</summary>
    public Func<MessageRef, int, CancellationToken, ValueTask<ReplyResult?>>? ReplyFault { get; set; }

    /// <summary>Called before each delivery is yielded (e.g. to slow the stream down or to stop it).</summary>
    public Func<Delivery, CancellationToken, ValueTask>? BeforeDelivery { get; set; }

    /// <summary>Every commit received, in order.</summary>
    public IReadOnlyList<Checkpoint> Commits => [.. _commits];

    /// <summary>Reply reads attempted.</summary>
    public int ReplyReads => _replyReads;

    private int _replyReads;

    /// <summary>The last committed position of each stream.</summary>
    public IReadOnlyDictionary<string, long> Committed
    {
        get
        {
            lock (_sync) return new Dictionary<string, long>(_committed);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var delivery in _log)
        {
            if (committed.TryGetValue(delivery.Position.Stream, out var done) && delivery.Position.Position <= done) continue;
            ct.ThrowIfCancellationRequested();
            if (BeforeDelivery is { } before) await before(delivery, ct).ConfigureAwait(false);
            yield return delivery;
        }
        if (!EndWhenDone) await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct)
    {
        lock (_sync)
        {
            if (_committed.TryGetValue(upTo.Stream, out var last) && upTo.Position < last)
                throw new InvalidOperationException($"commit of {upTo.Stream} moved back from {last} to {upTo.Position}");
            _committed[upTo.Stream] = upTo.Position;
        }
        _commits.Enqueue(upTo);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct)
    {
        var attempt = Interlocked.Increment(ref _replyReads);
        if (ReplyFault is { } fault && await fault(reply, attempt, ct).ConfigureAwait(false) is { } overridden) return overridden;
        return Replies.TryGetValue(reply, out var text) ? ReplyResult.Resolved(text) : ReplyResult.Gone;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
