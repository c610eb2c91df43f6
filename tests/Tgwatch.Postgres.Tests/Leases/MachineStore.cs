using System.Collections.Concurrent;
using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// A runner's state store as its pipeline uses it: every call through its <see cref="Machine"/> (the stores of dead letters,
/// pending replies and the like are the store's own: the runs of these tests have none). Each commit is kept with its outcome;
/// the next commit of messages can be held at its start (<see cref="HoldNextCommit"/>), its batch written to the sinks already.
/// </summary>
internal sealed class MachineStore(IStateStore inner, Machine machine, ConcurrentQueue<CommitSeen> commits) : IStateStore
{
    private readonly Lock _sync = new();
    private TaskCompletionSource? _held;
    private TaskCompletionSource? _release;

    /// <summary>Holds the next commit of messages at its start until <paramref name="release"/> is done; <paramref name="held"/> is done once it is held.</summary>
    public void HoldNextCommit(TaskCompletionSource held, TaskCompletionSource release)
    {
        lock (_sync)
        {
            _held = held;
            _release = release;
        }
    }

    public IDeadLetterStore DeadLetters => inner.DeadLetters;

    public IPendingReplyStore PendingReplies => inner.PendingReplies;

    public IPendingReplyStore PendingDownloads => inner.PendingDownloads;

    public ISinkLedger SinkLedger => inner.SinkLedger;

    public IOutbox Outbox => inner.Outbox;

    public async ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        Task? release = null;
        lock (_sync)
        {
            if (_held is not null && commit.Processed.Count > 0)
            {
                _held.TrySetResult();
                release = _release!.Task;
                _held = _release = null;
            }
        }
        if (release is not null) await release.WaitAsync(ct);
        var epoch = await machine.PassAsync(ct);
        try
        {
            await inner.CommitAsync(commit, ct);
            commits.Enqueue(new CommitSeen(epoch, commit, null));
        }
        catch (Exception e)
        {
            commits.Enqueue(new CommitSeen(epoch, commit, e));
            throw;
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.LoadCheckpointsAsync(account, connector, ct);
    }

    public async ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        await inner.ForgetCheckpointAsync(account, connector, stream, ct);
    }

    public async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.FindProcessedAsync(keys, sinks, ct);
    }

    public async ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.PruneProcessedAsync(olderThan, keepAtMost, ct);
    }

    public async ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        await inner.RecordLinkAsync(link, ct);
    }

    public async ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.GetStatusAsync(ct);
    }

    // The store is the run's (StateAndSinks closes it).
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A commit a runner's pipeline made: the machine's epoch it came in, and how it ended (null: committed).</summary>
internal sealed record CommitSeen(int Epoch, StoreCommit Commit, Exception? Failure)
{
    public IEnumerable<string> Keys => Commit.Processed.Select(p => p.Key);

    public IEnumerable<Checkpoint> Checkpoints => Commit.Checkpoints;
}
