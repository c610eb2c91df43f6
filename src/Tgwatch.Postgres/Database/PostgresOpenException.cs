namespace Tgwatch.Postgres.Database;

/// <summary>
/// A PostgreSQL database cannot be used: the connection string is not one, the server does not answer or refuses the
/// login, the database is not there, or its tables are newer than this code. The message is one line in the user's words;
/// it names the database by <see cref="Target"/> (host, port and database), never by its connection string.
/// </summary>
public sealed class PostgresOpenException(string target, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The database as <see cref="PostgresTarget.Name"/> names it (no user, no password), or the option when it could not be read.</summary>
    public string Target { get; } = target;
}
