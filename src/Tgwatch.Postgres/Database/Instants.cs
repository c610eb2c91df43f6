namespace Tgwatch.Postgres.Database;

/// <summary>How instants go into <c>timestamptz</c> parameters: Npgsql takes only UTC ones (microseconds kept).</summary>
internal static class Instants
{
    public static DateTimeOffset Utc(DateTimeOffset at) => at.ToUniversalTime();
}
