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

    /// <summary>First backoff step after a failure; it doubles up to <see cref="MaxBackoff"/>, each wait in the upper half of its step.</summary>
    /// <value>500 milliseconds.</value>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest backoff step between attempts.</summary>
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

    /// <summary>
    /// After this long without updates (and with nothing in flight) the connector polls without an offset: Telegram keeps
    /// updates 24 hours, so nothing it sent before is left, and the update it numbers at random after a week without
    /// updates, possibly below the ones before, is delivered (in a new epoch of positions) instead of confirmed unseen
    /// by an offset from before.
    /// </summary>
    /// <value>25 hours.</value>
    public TimeSpan IdleWithoutOffset { get; init; } = TimeSpan.FromHours(25);

    /// <summary>
    /// The most bytes read of one answer (an HTTP client given to the connector is used as it is, without this bound);
    /// strings in an answer are cut to <see cref="Messages.MessageText.MaxChars"/> characters as they are read. A longer
    /// answer is asked for again one update at a time, and one update alone longer than this is skipped.
    /// </summary>
    /// <value>1 GiB: strings are cut as they stream by, so memory stays small whatever the answer's size; the bound is on
    /// the time and traffic one answer may take.</value>
    public long MaxAnswerBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>When an earlier run last committed an update (the checkpoint's time in the state store), if known: a start
    /// <see cref="IdleWithoutOffset"/> after it polls without an offset from the first poll.</summary>
    public DateTimeOffset? LastCommittedAt { get; init; }

    /// <summary>Checks the values; a bad one gives an <see cref="ArgumentException"/> with one line naming it.</summary>
    public BotApiOptions Validate()
    {
        if (!Secrets.BotToken.IsWellFormed(Token)) throw new ArgumentException("bot token: expected the form 123456789:AA… as BotFather gives it");
        if (!ApiUrl.IsAbsoluteUri || ApiUrl.Scheme is not ("http" or "https")) throw new ArgumentException($"bot API url: expected an http(s) address, not {ApiUrl}");
        if (PollTimeout < TimeSpan.Zero || PollTimeout > TimeSpan.FromMinutes(10)) throw new ArgumentException($"poll timeout: between 0 and 10 minutes, not {Connectors.LinkMonitor.Format(PollTimeout)}");
        if (HttpMargin <= TimeSpan.Zero) throw new ArgumentException("http margin: must be positive");
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff) throw new ArgumentException("backoff: the least must be positive and not above the most");
        if (EmptyPollFloor < TimeSpan.Zero || Grace < TimeSpan.Zero) throw new ArgumentException("empty-poll floor and grace may not be negative");
        if (IdleWithoutOffset <= TimeSpan.Zero) throw new ArgumentException($"idle time without offset: must be positive, not {IdleWithoutOffset}");
        if (MaxAnswerBytes < 64 * 1024) throw new ArgumentException($"answer bound: at least 64 KiB, not {MaxAnswerBytes} bytes");
        if (Limit is < 1 or > 100) throw new ArgumentException($"limit: between 1 and 100, not {Limit}");
        return this;
    }
}
