namespace Tgwatch.Leases;

/// <summary>
/// Leases in a store that several runners share (on several machines): one runner per lease is active, the others wait.
/// Time is the store's own (one clock for every runner, whatever theirs say). A lease has a generation that each taking
/// over raises; a store fenced with a grant (<see cref="Fence"/>) refuses every change once the lease's generation is not
/// the grant's, so a runner that was paused past its lease (GC, SIGSTOP, a partition) and wakes up commits nothing.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes <paramref name="lease"/> for <paramref name="runner"/> when nobody holds it (or its holder's time ran out); else says who holds it.</summary>
    /// <param name="lease">The lease's name (a connector and account: <c>botapi/bot123</c>).</param>
    /// <param name="runner">Who asks; recorded as a runner of the lease (standby or active) for <c>status</c>.</param>
    /// <param name="ttl">How long the lease is held without a renewal.</param>
    /// <param name="ct">Cancellation.</param>
    ValueTask<LeaseAttempt> TryAcquireAsync(string lease, RunnerInfo runner, TimeSpan ttl, CancellationToken ct);

    /// <summary>Holds the lease <paramref name="ttl"/> longer; false when it is no longer <paramref name="grant"/>'s (another runner took it over).</summary>
    ValueTask<bool> RenewAsync(LeaseGrant grant, TimeSpan ttl, CancellationToken ct);

    /// <summary>Gives the lease up (a stop): a runner waiting takes it at its next try. Nothing when it is no longer the grant's.</summary>
    ValueTask ReleaseAsync(LeaseGrant grant, CancellationToken ct);

    /// <summary>
    /// From now on every change this store makes checks first that <paramref name="grant"/>'s lease is still at its
    /// generation, and throws <see cref="LeaseLostException"/> (changing nothing) when not. Null: no fence.
    /// </summary>
    void Fence(LeaseGrant? grant);

    /// <summary>The runners seen lately (standby or active), with the lease each waits for or holds, for <c>status</c>.</summary>
    ValueTask<IReadOnlyList<RunnerRecord>> RunnersAsync(CancellationToken ct);
}

/// <summary>A runner process: who it is, where, since when.</summary>
/// <param name="Id">Unique per process (host, pid and a random part).</param>
/// <param name="Host">The machine's name.</param>
/// <param name="Pid">The process id.</param>
/// <param name="StartedAt">When the process started.</param>
public sealed record RunnerInfo(string Id, string Host, int Pid, DateTimeOffset StartedAt)
{
    /// <summary>This process.</summary>
    public static RunnerInfo Current(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var host = Environment.MachineName;
        var pid = Environment.ProcessId;
        return new RunnerInfo($"{host}:{pid}:{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}", host, pid, time.GetUtcNow());
    }
}

/// <summary>A lease held: by which runner, at which generation.</summary>
/// <param name="Lease">The lease's name.</param>
/// <param name="Generation">Raised by each taking over; commits are fenced by it.</param>
/// <param name="RunnerId">The holder.</param>
public sealed record LeaseGrant(string Lease, long Generation, string RunnerId);

/// <summary>Who holds a lease.</summary>
/// <param name="Host">The holder's machine.</param>
/// <param name="Pid">The holder's process id.</param>
/// <param name="Since">Since when it holds the lease.</param>
/// <param name="ExpiresAt">When the lease runs out without a renewal (the store's clock).</param>
/// <param name="Generation">The lease's generation.</param>
/// <param name="RunnerId">The holder's id.</param>
public sealed record LeaseHolder(string Host, int Pid, DateTimeOffset Since, DateTimeOffset ExpiresAt, long Generation, string RunnerId);

/// <summary>What a try to take a lease gave: the grant, or who holds it.</summary>
/// <param name="Granted">The lease, when taken.</param>
/// <param name="Holder">Who holds it, when not (null when that could not be read at once: the next try says).</param>
/// <param name="TakenFrom">When taken over from a runner whose time ran out: that runner.</param>
public sealed record LeaseAttempt(LeaseGrant? Granted, LeaseHolder? Holder, LeaseHolder? TakenFrom = null);

/// <summary>A runner as <c>status</c> shows it.</summary>
/// <param name="Runner">The runner.</param>
/// <param name="Lease">The lease it holds or waits for.</param>
/// <param name="Active">Whether it holds the lease.</param>
/// <param name="SeenAt">When it last tried or renewed.</param>
public sealed record RunnerRecord(RunnerInfo Runner, string Lease, bool Active, DateTimeOffset SeenAt);
