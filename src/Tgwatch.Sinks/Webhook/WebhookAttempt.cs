using System.Net.Http.Headers;

namespace Tgwatch.Sinks.Webhook;

/// <summary>What one request's answer means for its records.</summary>
internal enum AttemptResult
{
    /// <summary>2xx: delivered; delete them from the outbox.</summary>
    Delivered,

    /// <summary>408, 429, 5xx, or an unexpected status: try again after a delay.</summary>
    Retry,

    /// <summary>
    /// Another 4xx: these records may be refused for good, or the endpoint may refuse every record; sent alone, a record
    /// is dead only if the endpoint accepts another.
    /// </summary>
    Rejected,

    /// <summary>401, 403, 404, 405, 407: the endpoint itself refuses (address, credentials); try again after a delay.</summary>
    Refused,

    /// <summary>413 for more than one record: send fewer per request.</summary>
    TooLarge,
}

/// <summary>The answer to one request.</summary>
/// <param name="Result">What it means.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="ReasonPhrase">The status line's reason phrase.</param>
/// <param name="RetryAfter">The server's <c>Retry-After</c>, if it gave one.</param>
internal readonly record struct WebhookAttempt(AttemptResult Result, int Status, string ReasonPhrase, TimeSpan? RetryAfter)
{
    /// <summary>Classifies a status code.</summary>
    public static AttemptResult Classify(int status, int records) => status switch
    {
        >= 200 and < 300 => AttemptResult.Delivered,
        408 or 429 => AttemptResult.Retry,
        401 or 403 or 404 or 405 or 407 => AttemptResult.Refused,
        413 when records > 1 => AttemptResult.TooLarge,
        >= 400 and < 500 => AttemptResult.Rejected,
        _ => AttemptResult.Retry,
    };

    /// <summary>How long a <c>Retry-After</c> header asks to wait, as of <paramref name="now"/> (never negative), or null.</summary>
    public static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
