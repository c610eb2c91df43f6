using Npgsql;
using Tgwatch.Faults;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Postgres.State;

/// <summary>Dead letters in <c>tgwatch_dead_letters</c>; a letter for the same key and stage replaces the old one and keeps its id.</summary>
internal sealed class DeadLetterStore(PgPool pool) : IDeadLetterStore
{
    // Keeping the id on replace lets a replay that pages by id move on when a letter fails again.
    private const string Upsert = """
        INSERT INTO tgwatch_dead_letters (key, stage, message_json, fault, error_type, error, attempts, failed_at)
        VALUES (@key, @stage, @json, @fault, @type, @error, @attempts, @at)
        ON CONFLICT (key, stage) DO UPDATE SET
            message_json = excluded.message_json, fault = excluded.fault, error_type = excluded.error_type,
            error = excluded.error, attempts = excluded.attempts, failed_at = excluded.failed_at
        RETURNING id
        """;

    public async ValueTask<long> AddAsync(NewDeadLetter letter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(letter);
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return (long)(await PgPool.ScalarAsync(connection, null, Upsert, ct,
            ("key", letter.Key), ("stage", letter.Stage), ("json", letter.MessageJson), ("fault", letter.Fault.ToString()), ("type", letter.ErrorType),
            ("error", letter.Error), ("attempts", letter.Attempts), ("at", Instants.Utc(letter.FailedAt))).ConfigureAwait(false))!;
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListAsync(int limit, long afterId, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var letters = new List<DeadLetter>();
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        await using var command = PgPool.Command(connection, null, """
            SELECT id, key, stage, message_json, fault, error_type, error, attempts, failed_at
            FROM tgwatch_dead_letters WHERE id > @after ORDER BY id LIMIT @limit
            """, ("after", afterId), ("limit", limit));
        await using var r = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) letters.Add(Read(r));
        return letters;
    }

    public async ValueTask<bool> RemoveAsync(long id, CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return await PgPool.ExecuteAsync(connection, null, "DELETE FROM tgwatch_dead_letters WHERE id = @id", ct, ("id", id)).ConfigureAwait(false) > 0;
    }

    public async ValueTask<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await pool.OpenAsync(ct).ConfigureAwait(false);
        return (long)(await PgPool.ScalarAsync(connection, null, "SELECT count(*) FROM tgwatch_dead_letters", ct).ConfigureAwait(false))!;
    }

    private static DeadLetter Read(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        new NewDeadLetter(
            Key: r.GetString(1),
            Stage: r.GetString(2),
            MessageJson: r.GetString(3),
            // A kind this build does not know (written by a newer one) reads as a bug: loud, never hidden.
            Fault: Enum.TryParse<FaultKind>(r.GetString(4), out var fault) ? fault : FaultKind.Bug,
            ErrorType: r.GetString(5),
            Error: r.GetString(6),
            Attempts: r.GetInt32(7),
            FailedAt: r.GetFieldValue<DateTimeOffset>(8)));
}
