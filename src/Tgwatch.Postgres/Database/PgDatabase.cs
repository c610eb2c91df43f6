using Npgsql;

namespace Tgwatch.Postgres.Database;

/// <summary>Opens a database for one of Tgwatch's roles: a pool of connections, its tables migrated, every failure one line.</summary>
internal static class PgDatabase
{
    /// <summary>A pool on <paramref name="target"/>, after one connection migrated it to <paramref name="schema"/>.</summary>
    /// <exception cref="PostgresOpenException">The server cannot be reached, refuses the login, has no such database, or its tables are newer.</exception>
    /// <remarks>With <paramref name="create"/> false (a reader), the schema's tables must be there already: nothing is created.</remarks>
    public static async Task<NpgsqlDataSource> OpenAsync(PostgresTarget target, PgSchema schema, CancellationToken ct, bool create = true)
    {
        var source = target.CreateDataSource();
        try
        {
            await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            await PgMigrator.ApplyAsync(connection, schema, target.Name, ct, create).ConfigureAwait(false);
            return source;
        }
        catch (Exception e) when (e is not PostgresOpenException && e is not OperationCanceledException && PostgresFailure.IsDatabaseProblem(e))
        {
            await source.DisposeAsync().ConfigureAwait(false);
            if (ct.IsCancellationRequested) throw new OperationCanceledException(ct);
            throw new PostgresOpenException(target.Name, $"{schema.What} {target.Name}: {PostgresFailure.Describe(e)}", e);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
