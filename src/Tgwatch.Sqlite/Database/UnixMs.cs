namespace Tgwatch.Sqlite.Database;

/// <summary>How the state store writes instants: Unix milliseconds (UTC) in INTEGER columns.</summary>
internal static class UnixMs
{
    /// <summary>The column value of an instant.</summary>
    public static long Of(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    /// <summary>The instant of a column value.</summary>
    public static DateTimeOffset ToInstant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
