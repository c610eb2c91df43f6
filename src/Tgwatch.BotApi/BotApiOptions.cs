namespace Tgwatch.BotApi;

/// <summary>How the Bot API connector polls.</summary>
public sealed record BotApiOptions
{
    /// <summary>The bot token (<c>123456:ABC…</c>); it never appears in a log line.</summary>
    public required string Token { get; init; }

    /// <summary>The Bot API server (a local Bot API server or a compatible sandbox works too).</summary>
    /// <value>https://api.telegram.org/.</value>
    public Uri ApiUrl { get; init; } = new("https://api.telegram.org/");

    /// <summary>How long one <c>getUpdates</c> waits for updates (long polling).</summary>
    /// <value>30 seconds.</value>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How much longer than <see cref="PollTimeout"/> an HTTP request may take before it counts as a time-out.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan HttpMargin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait after a failure; it doubles, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    /// <value>500 milliseconds.</value>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between attempts.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Shortest time between two polls that came back empty at once (a server that does not long-poll must not make us spin).</summary>
    /// <value>1 second.</value>
    public TimeSpan EmptyPollFloor { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A link that fails for less than this is not reported as down (only counted).</summary>
    /// <value>5 seconds.</value>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Updates per <c>getUpdates</c> (1-100).</summary>
    /// <value>100.</value>
    public int Limit { get; init; } = 100;

    /// <summary>Checks the values; a bad one gives an <see cref="ArgumentException"/> with one line naming it.</summary>
    public BotApiOptions Validate()
    {
        if (!BotToken.IsWellFormed(Token)) throw new ArgumentException("bot token: expected the form 123456789:AA… as BotFather gives it");
        if (!ApiUrl.IsAbsoluteUri || ApiUrl.Scheme is not ("http" or "https")) throw new ArgumentException($"bot API url: expected an http(s) address, not {ApiUrl}");
        if (PollTimeout < TimeSpan.Zero || PollTimeout > TimeSpan.FromMinutes(10)) throw new ArgumentException($"poll timeout: between 0 and 10 minutes, not {PollTimeout}");
        if (HttpMargin <= TimeSpan.Zero) throw new ArgumentException("http margin: must be positive");
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff) throw new ArgumentException("backoff: the least must be positive and not above the most");
        if (EmptyPollFloor < TimeSpan.Zero || Grace < TimeSpan.Zero) throw new ArgumentException("empty-poll floor and grace may not be negative");
        if (Limit is < 1 or > 100) throw new ArgumentException($"limit: between 1 and 100, not {Limit}");
        return this;
    }
}

/// <summary>What a bot token looks like and what it tells.</summary>
public static class BotToken
{
    /// <summary>True for <c>digits:secret</c> with a secret of letters, digits, '_' and '-'.</summary>
    public static bool IsWellFormed(string? token)
    {
        if (string.IsNullOrEmpty(token)) return false;
        var colon = token.IndexOf(':');
        return colon > 0 && long.TryParse(token.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            && token.Length - colon - 1 >= 10
            && token.AsSpan(colon + 1).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") < 0;
    }

    /// <summary>The bot's user id, the part before the colon.</summary>
    public static long BotId(string token) => long.Parse(token.AsSpan(0, token.IndexOf(':')), System.Globalization.CultureInfo.InvariantCulture);
}
