using Npgsql;
using Tgwatch.Leases;
using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.State;

/// <summary>
/// Leases in <c>tgwatch_leases</c> and the runners in <c>tgwatch_runners</c>, on the database's clock (<c>now()</c>): one
/// clock for every machine. Taking over locks the lease's row FOR UPDATE and raises its generation; a fenced commit reads
/// it FOR SHARE first (<see cref="CheckAsync"/>), so the two wait for each other and a commit of an older generation fails.
/// </summary>
internal sealed class LeaseTable(PgPool pool) : ILeaseStore
{
    private LeaseGrant? _fence;

    /// <summary>Runners not seen for this long are not shown, and dropped a day later.</summary>
    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(1);

    public void Fence(LeaseGrant? grant) => Volatile.Write(ref _fence, grant);

    /// <summary>Throws <see cref="LeaseLostException"/> when the store is fenced and its lease is at another generation; holds the lease's row until the transaction ends.</summary>
    public async Task CheckAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        if (Volatile.Read(ref _fence) is not { } grant) return;
        // A runner paused in the middle of a commit (SIGSTOP, a long GC pause) would hold the lease's row and keep a standby
        // from taking over for as long as it sleeps: the server ends such a transaction (and its session) after a moment
        // (idle_in_transaction_session_timeout, set for every session: PostgresTarget).
        var generation = await PgPool.ScalarAsync(connection, transaction, "SELECT generation FROM tgwatch_leases WHERE name = @name FOR SHARE", ct, ("name", grant.Lease)).ConfigureAwait(false);
        if (generation is not long g || g != grant.Generation) throw new LeaseLostException(grant);
    }

    /// <summary>A fenced change outside a transaction of its own: the check and the change in one.</summary>
    public async Task<NpgsqlTransaction?> BeginFencedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (Volatile.Read(ref _fence) is null) return null;
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        try
        {
            await CheckAsync(connection, transaction, ct).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<LeaseAttempt> TryAcquireAsync(string lease, RunnerInfo runner, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(runner);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        // Read first without a lock: a lease held and renewed is left alone (its holder's commits are not held up).
        var (prior, expired, released) = await ReadAsync(connection, null, lease, ct).ConfigureAwait(false);
        if (prior is not null && !expired)
        {
            await using var seen = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await SeenAsync(connection, seen, lease, runner, false, ct).ConfigureAwait(false);
            await seen.CommitAsync(ct).ConfigureAwait(false);
            return new LeaseAttempt(null, prior);
        }
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Its row may be held by a commit of the holder, paused in it: the server ends that one soon (PostgresTarget.IdleInTransaction); meanwhile, the next try.
        await PgPool.ExecuteAsync(connection, transaction, "SET LOCAL lock_timeout = 1000", ct).ConfigureAwait(false);
        try
        {
            (prior, expired, released) = await ReadAsync(connection, transaction, lease, ct, forUpdate: true).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return new LeaseAttempt(null, null);
        }
        LeaseAttempt attempt;
        if (prior is null)
        {
            var inserted = await PgPool.ExecuteAsync(connection, transaction, """
                INSERT INTO tgwatch_leases (name, generation, holder, host, pid, since, expires_at, released)
                VALUES (@name, 1, @runner, @host, @pid, now(), now() + @ttl, false) ON CONFLICT (name) DO NOTHING
                """, ct, ("name", lease), ("runner", runner.Id), ("host", runner.Host), ("pid", runner.Pid), ("ttl", ttl)).ConfigureAwait(false);
            // Another runner inserted it at the same moment: the next try reads it.
            attempt = inserted == 1 ? new LeaseAttempt(new LeaseGrant(lease, 1, runner.Id), null) : new LeaseAttempt(null, null);
        }
        else if (expired)
        {
            var generation = prior.Generation + 1;
            await PgPool.ExecuteAsync(connection, transaction, """
                UPDATE tgwatch_leases SET generation = @generation, holder = @runner, host = @host, pid = @pid, since = now(), expires_at = now() + @ttl, released = false
                WHERE name = @name
                """, ct, ("name", lease), ("generation", generation), ("runner", runner.Id), ("host", runner.Host), ("pid", runner.Pid), ("ttl", ttl)).ConfigureAwait(false);
            attempt = new LeaseAttempt(new LeaseGrant(lease, generation, runner.Id), null, released ? null : prior);
        }
        else
        {
            attempt = new LeaseAttempt(null, prior);
        }
        await SeenAsync(connection, transaction, lease, runner, attempt.Granted is not null, ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return attempt;
    }

    public async ValueTask<bool> RenewAsync(LeaseGrant grant, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grant);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        var renewed = await PgPool.ExecuteAsync(connection, null, "UPDATE tgwatch_leases SET expires_at = now() + @ttl WHERE name = @name AND generation = @generation AND holder = @runner AND NOT released", ct,
            ("name", grant.Lease), ("generation", grant.Generation), ("runner", grant.RunnerId), ("ttl", ttl)).ConfigureAwait(false) == 1;
        if (renewed)
            await PgPool.ExecuteAsync(connection, null, "UPDATE tgwatch_runners SET seen_at = now(), active = true WHERE runner = @runner", ct, ("runner", grant.RunnerId)).ConfigureAwait(false);
        return renewed;
    }

    public async ValueTask ReleaseAsync(LeaseGrant grant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grant);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await PgPool.ExecuteAsync(connection, null, """
            WITH lease AS (
                UPDATE tgwatch_leases SET released = true, expires_at = now()
                WHERE name = @name AND generation = @generation AND holder = @runner AND NOT released
                RETURNING name)
            DELETE FROM tgwatch_runners WHERE runner = @runner
            """, ct, ("name", grant.Lease), ("generation", grant.Generation), ("runner", grant.RunnerId)).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RunnerRecord>> RunnersAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return await ReadRunnersAsync(connection, ct).ConfigureAwait(false);
    }

    /// <summary>The runners seen within a minute, and every lease's holder; the active one of a lease is the one holding it now.</summary>
    internal static async Task<IReadOnlyList<RunnerRecord>> ReadRunnersAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var runners = new List<RunnerRecord>();
        await using var command = PgPool.Command(connection, null, """
            SELECT r.runner, r.host, r.pid, r.started_at, r.lease, r.seen_at,
                   coalesce(l.holder = r.runner AND NOT l.released AND l.expires_at > now(), false)
            FROM tgwatch_runners r LEFT JOIN tgwatch_leases l ON l.name = r.lease
            WHERE r.seen_at > now() - @recent OR (l.holder = r.runner AND NOT l.released)
            ORDER BY r.lease, r.started_at, r.runner
            """, ("recent", Recent));
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            runners.Add(new RunnerRecord(new RunnerInfo(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3)), r.GetString(4), r.GetBoolean(6), r.GetFieldValue<DateTimeOffset>(5)));
        return runners;
    }

    private static async Task<(LeaseHolder? Holder, bool Expired, bool Released)> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string lease, CancellationToken ct, bool forUpdate = false)
    {
        await using var read = PgPool.Command(connection, transaction,
            "SELECT generation, holder, host, pid, since, expires_at, expires_at <= now() OR released, released FROM tgwatch_leases WHERE name = @name" + (forUpdate ? " FOR UPDATE" : ""), ("name", lease));
        await using var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return (null, false, false);
        return (new LeaseHolder(r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), r.GetInt64(0), r.GetString(1)),
            r.GetBoolean(6), r.GetBoolean(7));
    }

    private static Task<int> SeenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string lease, RunnerInfo runner, bool active, CancellationToken ct) =>
        PgPool.ExecuteAsync(connection, transaction, """
            WITH stale AS (DELETE FROM tgwatch_runners WHERE seen_at < now() - interval '1 day' AND runner <> @runner)
            INSERT INTO tgwatch_runners (runner, lease, host, pid, started_at, seen_at, active) VALUES (@runner, @lease, @host, @pid, @started, now(), @active)
            ON CONFLICT (runner) DO UPDATE SET lease = excluded.lease, seen_at = excluded.seen_at, active = excluded.active
            """, ct, ("runner", runner.Id), ("lease", lease), ("host", runner.Host), ("pid", runner.Pid), ("started", Instants.Utc(runner.StartedAt)), ("active", active));
}
