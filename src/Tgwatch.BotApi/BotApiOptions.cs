using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.BotApi;

/// <summary>How the Bot API connector polls.</summary>
public sealed record BotApiOptions
{
    /// <summary>The bot token (<c>123456:ABC…</c>); it never appears in a log line.</summary>
    [BotToken]
    public required string Token { get; init; }

    /// <summary>The Bot API server (a local Bot API server or a compatible sandbox works too).</summary>
    /// <value>https://api.telegram.org/.</value>
    [HttpAddress]
    public Uri ApiUrl { get; init; } = TelegramApiUrl;

    /// <summary>Telegram's own Bot API server: the default of <see cref="ApiUrl"/>.</summary>
    public static Uri TelegramApiUrl { get; } = new("https://api.telegram.org/");

    /// <summary>How long one <c>getUpdates</c> waits for updates (long polling).</summary>
    /// <value>30 seconds.</value>
    [Duration(AtLeast = "00:00:00", AtMost = "00:10:00")]
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How much longer than <see cref="PollTimeout"/> an HTTP request may take before it counts as a time-out.</summary>
    /// <value>10 seconds.</value>
    [Duration(Positive = true)]
    public TimeSpan HttpMargin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First backoff step after a failure; it doubles up to <see cref="MaxBackoff"/>, each wait in the upper half of its step.</summary>
    /// <value>500 milliseconds.</value>
    [Duration(Positive = true)]
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest backoff step between attempts.</summary>
    /// <value>30 seconds.</value>
    [NotShorterThan(nameof(MinBackoff))]
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Shortest time between two polls that came back empty at once (a server that does not long-poll must not make us spin).</summary>
    /// <value>1 second.</value>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan EmptyPollFloor { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A link that fails for less than this is not reported as down (only counted).</summary>
    /// <value>5 seconds.</value>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Updates per <c>getUpdates</c> (1-100).</summary>
    /// <value>100.</value>
    [Between(1, 100)]
    public int Limit { get; init; } = 100;

    /// <summary>
    /// After this long without updates (and with nothing in flight) the connector polls without an offset: Telegram keeps
    /// updates 24 hours, so nothing it sent before is left, and the update it numbers at random after a week without
    /// updates, possibly below the ones before, is delivered (in a new epoch of positions) instead of confirmed unseen
    /// by an offset from before.
    /// </summary>
    /// <value>25 hours.</value>
    [Duration(Positive = true)]
    public TimeSpan IdleWithoutOffset { get; init; } = TimeSpan.FromHours(25);

    /// <summary>
    /// The most bytes read of one answer (an HTTP client given to the connector is used as it is, without this bound);
    /// strings in an answer are cut to <see cref="Messages.MessageText.MaxChars"/> characters as they are read. A longer
    /// answer is asked for again one update at a time, and one update alone longer than this is skipped.
    /// </summary>
    /// <value>1 GiB: strings are cut as they stream by, so memory stays small whatever the answer's size; the bound is on
    /// the time and traffic one answer may take.</value>
    [Between(64 * 1024, long.MaxValue)]
    public long MaxAnswerBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Where the answers received are kept (fsync) until the state store has committed their updates, so that each poll
    /// confirms to Telegram what the previous answer brought while the sinks are still writing it; read back at the next
    /// start. None: an update is confirmed to Telegram only once committed (each poll waits for the sinks). Local to the
    /// machine: not for a state store shared with a standby runner on another one.
    /// </summary>
    public string? JournalPath { get; init; }

    /// <summary>When an earlier run last committed an update (the checkpoint's time in the state store), if known: a start
    /// <see cref="IdleWithoutOffset"/> after it polls without an offset from the first poll.</summary>
    public DateTimeOffset? LastCommittedAt { get; init; }

    /// <summary>Checks the values (<see cref="BotApiOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A value is wrong; the message has one line for each, never the token.</exception>
    public BotApiOptions Validate() => new BotApiOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="BotApiOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class BotApiOptionsValidator : IValidateOptions<BotApiOptions>;
