using System.Globalization;

namespace Tgwatch.Faults;

/// <summary>
/// An error reported by a Telegram server (Bot API or MTProto through TDLib), carried as data.
/// Connectors map their library's errors into this type so that <see cref="FaultClassifier"/> can decide on codes.
/// </summary>
/// <remarks>
/// The message holds only what the server said (<see cref="ErrorCode"/> and <see cref="ErrorType"/>);
/// never put request URLs, tokens or other secrets into <see cref="ErrorType"/>.
/// </remarks>
public sealed class TelegramApiException : Exception
{
    /// <summary>Creates the exception from what the server answered.</summary>
    /// <param name="errorCode">The numeric error code, e.g. 400, 401, 420, 429.</param>
    /// <param name="errorType">The error as the server gave it, e.g. <c>FLOOD_WAIT_17</c>, <c>AUTH_KEY_UNREGISTERED</c>,
    /// or <c>Too Many Requests: retry after 5</c>.</param>
    /// <param name="retryAfter">The delay the server asked for, when it gave one as a separate field
    /// (the Bot API's <c>parameters.retry_after</c>).</param>
    /// <param name="innerException">The library's original exception, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is negative.</exception>
    public TelegramApiException(int errorCode, string errorType, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(FormatMessage(errorCode, errorType), innerException)
    {
        if (retryAfter is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(retryAfter));
        }

        ErrorCode = errorCode;
        ErrorType = errorType;
        RetryAfter = retryAfter;
    }

    /// <summary>The numeric error code the server returned (HTTP-like: 400, 401, 403, 420, 429, 500, …).</summary>
    public int ErrorCode { get; }

    /// <summary>The error as the server gave it: an MTProto token such as <c>FLOOD_WAIT_17</c>, or a Bot API description.</summary>
    public string ErrorType { get; }

    /// <summary>The delay the server asked for as a separate field; <see langword="null"/> when it gave none.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string FormatMessage(int errorCode, string errorType)
    {
        ArgumentNullException.ThrowIfNull(errorType);
        return string.Create(CultureInfo.InvariantCulture, $"Telegram API error {errorCode}: {errorType}");
    }
}
