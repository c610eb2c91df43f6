using Tgwatch.Postgres;
using Tgwatch.Postgres.Database;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Hosting;

/// <summary>
/// <c>--state postgres:CONNECTION-STRING</c>: the state store in a PostgreSQL database instead of a file. Where a command
/// holds its state store's "path", such a value stands for the database; it is shown by host, port and database only.
/// </summary>
internal static class PostgresState
{
    private const string Prefix = "postgres:";

    /// <summary>Whether <paramref name="state"/> names a PostgreSQL state store.</summary>
    public static bool Is([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? state) => state is not null && state.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The database of a <c>postgres:</c> value; a bad one is one line, exit code 2.</summary>
    public static PostgresTarget Target(string state)
    {
        try
        {
            return PostgresTarget.Parse(state[Prefix.Length..], "state store");
        }
        catch (PostgresOpenException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }
    }

    /// <summary>The state store as messages and <c>status</c> show it: a file's path, or a database's <c>postgres://HOST:PORT/DATABASE</c>.</summary>
    public static string Shown(string state) => Is(state) ? Target(state).Name : state;

    /// <summary>
    /// Opens the store in the database (its tables created or migrated; for a reader, <paramref name="existing"/>, only when
    /// something has run with it); a database that cannot be used is one line, exit code 2.
    /// </summary>
    public static async Task<IStateStore> OpenAsync(string state, CancellationToken ct, bool existing = false)
    {
        try
        {
            return existing
                ? await PostgresStateStore.OpenExistingAsync(Target(state), TimeProvider.System, ct).ConfigureAwait(false)
                : await PostgresStateStore.OpenAsync(Target(state), TimeProvider.System, ct).ConfigureAwait(false);
        }
        catch (PostgresOpenException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message);
        }
    }
}
