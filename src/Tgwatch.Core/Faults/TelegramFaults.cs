using System.Buffers;
using System.Globalization;

namespace Tgwatch.Faults;

/// <summary>Maps a <see cref="TelegramApiException"/> to a fault, by error code and MTProto error token.</summary>
internal static class TelegramFaults
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>
    /// 401 and the tokens that mean "this session is gone" are <see cref="FaultKind.Auth"/>; 420, 429 and the
    /// <c>*_WAIT_n</c> tokens are <see cref="FaultKind.RateLimited"/>; -503 (the server's own request timeout)
    /// is <see cref="FaultKind.Timeout"/>; other 5xx and negative codes, which Telegram documents as its own
    /// transient failures, are <see cref="FaultKind.Network"/>; everything else (400, 403, 404, 406, 409, …)
    /// is a <see cref="FaultKind.Bug"/>.
    /// </summary>
    public static Fault Classify(TelegramApiException exception)
    {
        var code = exception.ErrorCode;
        var type = exception.ErrorType.AsSpan();

        if (code == 401 || IsSessionGone(type))
        {
            return new Fault(FaultKind.Auth);
        }

        if (code is 420 or 429 || IsWaitToken(type))
        {
            return new Fault(FaultKind.RateLimited, exception.RetryAfter ?? DelayFromToken(type));
        }

        if (code == -503)
        {
            return new Fault(FaultKind.Timeout);
        }

        return code is >= 500 or < 0 ? new Fault(FaultKind.Network) : new Fault(FaultKind.Bug);
    }

    private static bool IsSessionGone(ReadOnlySpan<char> type) => type is
        "AUTH_KEY_UNREGISTERED" or "AUTH_KEY_INVALID" or "AUTH_KEY_PERM_EMPTY" or "AUTH_KEY_DUPLICATED"
        or "SESSION_REVOKED" or "SESSION_EXPIRED" or "USER_DEACTIVATED" or "USER_DEACTIVATED_BAN";

    private static bool IsWaitToken(ReadOnlySpan<char> type) =>
        type.StartsWith("FLOOD_WAIT_", StringComparison.Ordinal)
        || type.StartsWith("FLOOD_PREMIUM_WAIT_", StringComparison.Ordinal)
        || type.StartsWith("SLOWMODE_WAIT_", StringComparison.Ordinal);

    /// <summary>The <c>n</c> of an MTProto token ending in <c>_n</c> (seconds); prose is never parsed.</summary>
    private static TimeSpan? DelayFromToken(ReadOnlySpan<char> type)
    {
        var underscore = type.LastIndexOf('_');
        if (underscore < 0 || type.ContainsAnyExcept(TokenChars))
        {
            return null;
        }

        return int.TryParse(type[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
