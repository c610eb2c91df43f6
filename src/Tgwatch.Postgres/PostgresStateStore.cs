using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.State;
using Tgwatch.Leases;
using Tgwatch.Storage;

namespace Tgwatch.Postgres;

/// <summary>
/// Tgwatch's state in a PostgreSQL database (<c>--state postgres:CONNECTION-STRING</c>): checkpoints, processed keys,
/// chat activity, dead letters, pending replies, the sink ledger, the outbox and links, in tables named
/// <c>tgwatch_…</c>. It keeps every promise of <see cref="IStateStore"/> as the SQLite store does; unlike it, several
/// processes (on several machines) may use one database at once.
/// </summary>
/// <remarks>
/// <para>Every call takes a connection from a pool (Npgsql) and gives it back: callers run at once. A commit is one
/// transaction. The tables are versioned (<c>tgwatch_schema</c>, role <c>state</c>) and migrated on open.</para>
/// <para>The connection string's password is registered with the secret redactor when it is read; the database is named
/// by <see cref="Name"/> (host, port, database) everywhere.</para>
/// </remarks>
public sealed class PostgresStateStore : IStateStore, ILeaseStore
{
    private readonly PgPool _pool;
    private readonly SinkRegistry _sinks = new();
    private readonly ProcessedKeys _processed;
    private readonly LeaseTable _leases;

    private PostgresStateStore(PgPool pool, TimeProvider time)
    {
        _pool = pool;
        _leases = new LeaseTable(pool);
        _processed = new ProcessedKeys(pool, _sinks);
        DeadLetters = new DeadLetterStore(pool);
        PendingReplies = new PendingReplyStore(pool);
        PendingDownloads = new PendingReplyStore(pool, PendingReplyStore.Downloads);
        SinkLedger = new SinkLedger(pool, _leases, time);
        Outbox = new State.Outbox(pool, _leases, time);
    }

    /// <summary>The schema version this code writes.</summary>
    public static int SchemaVersion => StateTables.Schema.Version;

    /// <summary><c>postgres://HOST:PORT/DATABASE</c>: the database, as messages and <c>status</c> name it.</summary>
    public string Name => _pool.Name;

    /// <inheritdoc />
    public IDeadLetterStore DeadLetters { get; }

    /// <inheritdoc />
    public IPendingReplyStore PendingReplies { get; }

    /// <inheritdoc />
    public IPendingReplyStore PendingDownloads { get; }

    /// <inheritdoc />
    public ISinkLedger SinkLedger { get; }

    /// <inheritdoc />
    public IOutbox Outbox { get; }

    /// <summary>Opens the store in the database of <paramref name="connectionString"/>, creating or migrating its tables.</summary>
    /// <exception cref="PostgresOpenException">Not a connection string; the server cannot be reached or refuses the login; no such database; tables newer than this code.</exception>
    public static Task<PostgresStateStore> OpenAsync(string connectionString, TimeProvider time, CancellationToken ct) =>
        OpenAsync(PostgresTarget.Parse(connectionString, StateTables.Schema.What), time, ct);

    /// <summary>Opens the store in <paramref name="target"/>, creating or migrating its tables.</summary>
    /// <exception cref="PostgresOpenException">The server cannot be reached or refuses the login; no such database; tables newer than this code.</exception>
    public static Task<PostgresStateStore> OpenAsync(PostgresTarget target, TimeProvider time, CancellationToken ct) => OpenAsync(target, time, create: true, ct);

    /// <summary>Opens the store in <paramref name="target"/> for a reader (<c>status</c>): its tables must be there already; nothing is created.</summary>
    /// <exception cref="PostgresOpenException">As <see cref="OpenAsync(PostgresTarget, TimeProvider, CancellationToken)"/>; also when nothing has run with the database yet.</exception>
    public static Task<PostgresStateStore> OpenExistingAsync(PostgresTarget target, TimeProvider time, CancellationToken ct) => OpenAsync(target, time, create: false, ct);

    private static async Task<PostgresStateStore> OpenAsync(PostgresTarget target, TimeProvider time, bool create, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(time);
        var source = await PgDatabase.OpenAsync(target, StateTables.Schema, ct, create).ConfigureAwait(false);
        return new PostgresStateStore(new PgPool(source, target.Name), time);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, long>> LoadCheckpointsAsync(string account, string connector, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(connector);
        return await StatusReader.LoadCheckpointsAsync(_pool, account, connector, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ForgetCheckpointAsync(string account, string connector, string stream, CancellationToken ct)
    {
        await using var connection = await _pool.OpenAsync(ct).ConfigureAwait(false);
        await using var fenced = await _leases.BeginFencedAsync(connection, ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, fenced, "DELETE FROM tgwatch_checkpoints WHERE account = @account AND connector = @connector AND stream = @stream", ct,
            ("account", account), ("connector", connector), ("stream", stream)).ConfigureAwait(false);
        if (fenced is not null) await fenced.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, IReadOnlyList<string>>> FindProcessedAsync(IReadOnlyCollection<string> keys, IReadOnlyList<string> sinks, CancellationToken ct) =>
        _processed.FindAsync(keys, sinks, ct);

    /// <inheritdoc />
    /// <remarks>
    /// One transaction. A key committed again is not counted again in its chat. Cancellation is honoured until the
    /// transaction commits; a cancelled or failed commit leaves the store as it was. Fenced (<see cref="Fence"/>), its
    /// first statement checks the lease's generation: <see cref="LeaseLostException"/> when another runner took it over.
    /// </remarks>
    public async ValueTask CommitAsync(StoreCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        await CommitWriter.WriteAsync(_pool, _sinks, _leases, commit, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Age is when a key was processed. Deletes in chunks, each its own transaction, so commits go on meanwhile.</remarks>
    public ValueTask<int> PruneProcessedAsync(DateTimeOffset olderThan, int keepAtMost, CancellationToken ct) =>
        _processed.PruneAsync(olderThan, keepAtMost, ct);

    /// <inheritdoc />
    public async ValueTask RecordLinkAsync(LinkRecord link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        await StatusReader.RecordLinkAsync(_pool, link, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Outbox sinks with nothing waiting are absent from <see cref="StoreStatus.Outbox"/>.</remarks>
    public async ValueTask<StoreStatus> GetStatusAsync(CancellationToken ct) => await StatusReader.ReadAsync(_pool, ct).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<LeaseAttempt> TryAcquireAsync(string lease, RunnerInfo runner, TimeSpan ttl, CancellationToken ct) => _leases.TryAcquireAsync(lease, runner, ttl, ct);

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(LeaseGrant grant, TimeSpan ttl, CancellationToken ct) => _leases.RenewAsync(grant, ttl, ct);

    /// <inheritdoc />
    public ValueTask ReleaseAsync(LeaseGrant grant, CancellationToken ct) => _leases.ReleaseAsync(grant, ct);

    /// <inheritdoc />
    /// <remarks>Fenced: commits, forgotten checkpoints, outbox enqueues and the sink ledger's records.</remarks>
    public void Fence(LeaseGrant? grant) => _leases.Fence(grant);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunnerRecord>> RunnersAsync(CancellationToken ct) => _leases.RunnersAsync(ct);

    /// <summary>Closes the pool's connections.</summary>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
