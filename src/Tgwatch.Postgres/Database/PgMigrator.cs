using Npgsql;

namespace Tgwatch.Postgres.Database;

/// <summary>
/// Brings a database to a schema's version in one transaction, under an advisory lock (two processes starting at once
/// migrate one after the other), or says in one line why it cannot.
/// </summary>
internal static class PgMigrator
{
    /// <summary>The advisory lock every Tgwatch migration takes ('TGWM' 'IGRA').</summary>
    private const long MigrationLock = 0x5447574D_49475241;

    /// <summary>Applies the missing steps; returns the version the database had before (0: none).</summary>
    /// <exception cref="PostgresOpenException">Its tables are newer than this code.</exception>
    /// <remarks>With <paramref name="create"/> false (a reader, <c>status</c>), a database without the schema's tables is one line, and nothing is created.</remarks>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, PgSchema schema, string target, CancellationToken ct, bool create = true)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection, transaction))
        {
            command.Parameters.AddWithValue("lock", MigrationLock);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (!create)
        {
            // The table's name is looked up first: a query naming a table that is not there is refused whole.
            bool known;
            await using (var table = new NpgsqlCommand("SELECT to_regclass('tgwatch_schema') IS NOT NULL", connection, transaction))
                known = await table.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
            if (known)
            {
                await using var role = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM tgwatch_schema WHERE role = @role)", connection, transaction);
                role.Parameters.AddWithValue("role", schema.Role);
                known = await role.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
            }
            if (!known) throw new PostgresOpenException(target, $"{schema.What} {target}: no Tgwatch state in this database (nothing has run with it yet)");
        }
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS tgwatch_schema (
                role        text        NOT NULL PRIMARY KEY,
                version     integer     NOT NULL,
                migrated_at timestamptz NOT NULL DEFAULT now()
            )
            """, ct).ConfigureAwait(false);
        int version;
        await using (var read = new NpgsqlCommand("SELECT version FROM tgwatch_schema WHERE role = @role", connection, transaction))
        {
            read.Parameters.AddWithValue("role", schema.Role);
            version = await read.ExecuteScalarAsync(ct).ConfigureAwait(false) is int v ? v : 0;
        }
        if (version > schema.Version)
            throw new PostgresOpenException(target, $"{schema.What} {target}: its tables are at version {version}, newer than this Tgwatch knows ({schema.Version}); use a newer Tgwatch");
        if (version == schema.Version) return version;
        foreach (var step in schema.Migrations)
            if (step.Version > version) await ExecuteAsync(connection, transaction, step.Sql, ct).ConfigureAwait(false);
        await using (var write = new NpgsqlCommand("""
            INSERT INTO tgwatch_schema (role, version) VALUES (@role, @version)
            ON CONFLICT (role) DO UPDATE SET version = excluded.version, migrated_at = now()
            """, connection, transaction))
        {
            write.Parameters.AddWithValue("role", schema.Role);
            write.Parameters.AddWithValue("version", schema.Version);
            await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return version;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
