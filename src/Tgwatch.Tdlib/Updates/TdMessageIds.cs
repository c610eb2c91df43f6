namespace Tgwatch.Tdlib.Updates;

/// <summary>TDLib's message ids: a message the server has is its server id shifted left by 20 bits.</summary>
public static class TdMessageIds
{
    private const int Shift = 20;
    private const long LocalBits = (1L << Shift) - 1;

    /// <summary>The server id (as in t.me links) of a TDLib message id.</summary>
    public static long ToServerId(long tdMessageId) => tdMessageId >> Shift;

    /// <summary>The TDLib message id of a server id (for <c>getMessage</c> and friends).</summary>
    public static long FromServerId(long serverId) => serverId << Shift;

    /// <summary>True when <paramref name="tdMessageId"/> is the id of a message the server has (a positive multiple of 2^20).</summary>
    public static bool IsServerId(long tdMessageId) => tdMessageId > 0 && (tdMessageId & LocalBits) == 0;
}
