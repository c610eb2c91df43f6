namespace Tgwatch.Tdlib.Connector;

/// <summary>Settings of a <see cref="TdlibConnector"/>.</summary>
public sealed record TdlibConnectorOptions
{
    /// <summary>The account the records carry, e.g. <c>user777</c> (the logged-in user's id) or <c>bot123</c>.</summary>
    public required string Account { get; init; }

    /// <summary>The chats to watch, each a chat id (<c>-1001234567890</c>) or a public @username; empty: every chat the account receives messages in.</summary>
    public IReadOnlyList<string> Chats { get; init; } = [];

    /// <summary>Messages asked for per <c>getChatHistory</c> call while catching up (TDLib allows at most 100).</summary>
    public int HistoryPageSize { get; init; } = 100;

    /// <summary>
    /// Live updates held per chat while that chat catches up or its consumer is slow. When it is full, new messages
    /// are not held: the chat catches up from its history instead (nothing is lost, the update thread never waits).
    /// </summary>
    public int LiveQueueCapacity { get; init; } = 1000;

    /// <summary>Deliveries ready for the pipeline, over all chats.</summary>
    public int OutputCapacity { get; init; } = 256;

    /// <summary>Our own limit for one TDLib request (TDLib itself waits for the network without end).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First backoff step after a failed request; it doubles up to <see cref="MaxBackoff"/>, each wait in the upper half of its step.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff step between retries of a failed request.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the link may be down before that is worth a log line (shorter drops are only counted).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Replying messages remembered for <c>getRepliedMessage</c> (the oldest are forgotten first).</summary>
    public int ReplyOriginCapacity { get; init; } = 10_000;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> with one line naming the wrong one.</summary>
    public TdlibConnectorOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Account)) throw new ArgumentException("the TDLib connector needs an account name");
        if (HistoryPageSize is < 2 or > 100) throw new ArgumentException("history page size: between 2 and 100 (TDLib's limit)");
        if (LiveQueueCapacity < 1) throw new ArgumentException("live queue capacity: at least 1");
        if (OutputCapacity < 1) throw new ArgumentException("output capacity: at least 1");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("request timeout: must be positive");
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff) throw new ArgumentException("backoff: the least must be positive and not above the most");
        if (Grace < TimeSpan.Zero) throw new ArgumentException("grace may not be negative");
        if (ReplyOriginCapacity < 0) throw new ArgumentException("reply origin capacity may not be negative");
        foreach (var chat in Chats)
            if (!ChatSpec.TryParse(chat, out _, out var error)) throw new ArgumentException(error);
        return this;
    }
}

/// <summary>A chat to watch as given by the user: an id or a public username.</summary>
/// <param name="Id">The chat id, when given as one.</param>
/// <param name="Username">The username without '@', when given as one.</param>
public readonly record struct ChatSpec(long? Id, string? Username)
{
    /// <summary>Reads <c>-100123…</c>, <c>123</c> or <c>@name</c> (letters, digits, underscores, 4–32 characters).</summary>
    public static bool TryParse(string text, out ChatSpec spec, out string error)
    {
        spec = default;
        error = "";
        var t = text?.Trim() ?? "";
        if (long.TryParse(t, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id) && id != 0)
        {
            spec = new ChatSpec(id, null);
            return true;
        }
        var name = t.StartsWith('@') ? t[1..] : "";
        if (name.Length is >= 4 and <= 32 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            spec = new ChatSpec(null, name);
            return true;
        }
        error = $"chat '{text}': expected a chat id (e.g. -1001234567890) or a public @username";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Id is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"@{Username}";
}
