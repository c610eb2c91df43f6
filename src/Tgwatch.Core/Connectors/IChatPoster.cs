namespace Tgwatch.Connectors;

/// <summary>
/// Posts a plain-text message into a chat, or forwards a message there, through an account's link to Telegram (a bot's
/// <c>sendMessage</c>/<c>forwardMessage</c>, a user account's TDLib <c>sendMessage</c>/<c>forwardMessages</c>): what an alert
/// sink sends through. One request, no retries: the caller paces, retries and dead-letters.
/// </summary>
public interface IChatPoster
{
    /// <summary>
    /// Posts <paramref name="text"/> (no markup: sent as it is) into <paramref name="chat"/> (a numeric id or <c>@username</c>).
    /// A failure below the API (network, time-out) is thrown; an answer of Telegram is the result.
    /// </summary>
    ValueTask<PostResult> PostAsync(string chat, string text, CancellationToken ct);

    /// <summary>
    /// Forwards the message <paramref name="messageId"/> (its server id, as in records) of the chat <paramref name="fromChatId"/>
    /// into <paramref name="chat"/>. A message Telegram will not forward (a protected chat's, a deleted one) is
    /// <see cref="PostOutcome.Refused"/>; failures as <see cref="PostAsync"/>.
    /// </summary>
    ValueTask<PostResult> ForwardAsync(string chat, long fromChatId, long messageId, CancellationToken ct);

    /// <summary>
    /// Whether the message <paramref name="messageId"/> of <paramref name="chatId"/> is one this poster put there (an alert of this
    /// run coming back as an update in a watched chat): alert sinks skip it, so an alert never triggers another. A bot is never
    /// sent its own messages as updates: false.
    /// </summary>
    bool IsOwnPost(long chatId, long messageId) => false;
}

/// <summary>What Telegram's answer to a post means.</summary>
public enum PostOutcome
{
    /// <summary>The message is in the chat.</summary>
    Posted,

    /// <summary>A passing failure (429 with its <c>retry_after</c>, 5xx): try again after a wait.</summary>
    Retry,

    /// <summary>Refused for good (400 "chat not found", 403 "bot was blocked by the user"…): trying again changes nothing.</summary>
    Refused,
}

/// <summary>Telegram's answer to one post.</summary>
/// <param name="Outcome">What it means.</param>
/// <param name="Code">The error code (the HTTP status): 200 when posted.</param>
/// <param name="Description">Telegram's description of an error ("Bad Request: chat not found"); empty when posted.</param>
/// <param name="RetryAfter">How long Telegram asked to wait (a 429's <c>retry_after</c>), if it did.</param>
public readonly record struct PostResult(PostOutcome Outcome, int Code = 200, string Description = "", TimeSpan? RetryAfter = null)
{
    /// <summary>Posted.</summary>
    public static PostResult Posted { get; } = new(PostOutcome.Posted);

    /// <summary>
    /// Classifies an error answer by its code: 429 and 5xx pass, and so do 401 and 404 (the token or the server, not the chat: the
    /// connector says so); 400, 403 and the other 4xx refuse the post for good.
    /// </summary>
    public static PostResult Error(int code, string description, TimeSpan? retryAfter = null) =>
        new(code is 401 or 404 or 429 || code >= 500 || code < 400 ? PostOutcome.Retry : PostOutcome.Refused, code, description, retryAfter);
}
