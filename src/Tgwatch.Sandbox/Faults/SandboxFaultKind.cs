namespace Tgwatch.Sandbox.Faults;

/// <summary>What the sandbox does to a bot request instead of (or after) answering it.</summary>
public enum SandboxFaultKind
{
    /// <summary>HTTP 429 in Telegram's shape, <c>"Too Many Requests: retry after N"</c> with <c>parameters.retry_after</c>.</summary>
    RateLimit,

    /// <summary>HTTP 502 with an HTML page, as a reverse proxy answers when Telegram's backend is away (not JSON).</summary>
    BadGateway,

    /// <summary>The connection is aborted before anything is answered.</summary>
    Drop,

    /// <summary>The request is carried out (an offset confirmed, a message sent), then the connection is aborted: the answer is lost.</summary>
    DropResponse,

    /// <summary>No answer at all until the client gives up (or the sandbox stops).</summary>
    Stall,

    /// <summary>Malformed updates queued among the good ones (see <see cref="MalformedShape"/>).</summary>
    Malformed,
}

/// <summary>How a malformed update is wrong.</summary>
public enum MalformedShape
{
    /// <summary><c>{"update_id":N,"message":"…"}</c>: a string where a Message object belongs.</summary>
    WrongType,

    /// <summary>An update whose only field is a type no client knows (<c>sandbox_unknown_update</c>).</summary>
    UnknownType,

    /// <summary>A well-formed <c>message_reaction</c> update: valid Bot API, but not a message.</summary>
    MessageReaction,
}
