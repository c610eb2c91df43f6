using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Sinks.Telegram;

/// <summary>Settings of a <see cref="TelegramSink"/>.</summary>
public sealed record TelegramSinkOptions
{
    /// <summary>The chat alerts go to: its numeric id (<c>-1001234567890</c>) or its <c>@username</c>.</summary>
    [Pattern(@"^(-?[1-9][0-9]{0,18}|@[A-Za-z][A-Za-z0-9_]{3,31})$", "a chat's numeric id (-1001234567890) or its @username")]
    public required string Chat { get; init; }

    /// <summary>The sink's name (outbox and dead-letter stage <c>sink:NAME</c>). <value>Default: <c>telegram:CHAT</c>.</value></summary>
    [NotBlank(Optional = true)]
    public string? Name { get; init; }

    /// <summary>
    /// Forward the message itself (Telegram's "forwarded from", its media with it) instead of posting an alert text; a
    /// message Telegram will not forward (a protected chat's, a deleted one) is posted as the alert text. <value>Default: false.</value>
    /// </summary>
    public bool Forward { get; init; }

    /// <summary>The shortest time between two alerts (Telegram allows about one message per second in a chat). <value>Default: 1 s.</value></summary>
    [Duration(AtLeast = "00:00:00", AtMost = "01:00:00", AtMostInWords = "an hour")]
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most alerts in any minute when the chat is a group or a channel (a negative id, or an <c>@username</c>, which only
    /// those have for a bot); Telegram allows 20. 0: no such limit. <value>Default: 20.</value>
    /// </summary>
    [Between(0, 1000)]
    public int GroupPerMinute { get; init; } = 20;

    /// <summary>How long one request may take before it counts as a time-out. <value>Default: 30 s.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first backoff step after a failure; it doubles up to <see cref="MaxBackoff"/>. <value>Default: 1 s.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff step. <value>Default: 30 s.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    [NotShorterThan(nameof(MinBackoff))]
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>retry_after</c> of a 429 that is honoured as it is. <value>Default: 1 h.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long disposing waits for queued alerts to go out while Telegram takes them; the others stay queued for the next run.
    /// <value>Default: 5 s.</value>
    /// </summary>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>While sending keeps failing, how often that is logged again. <value>Default: 5 min.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan FailureReminder { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The name, <see cref="Name"/> or <c>telegram:CHAT</c>.</summary>
    internal string SinkName => Name ?? "telegram:" + Chat;

    /// <summary>Whether the chat is a group or a channel: a negative id, or an <c>@username</c>.</summary>
    internal bool IsGroup => Chat.StartsWith('-') || Chat.StartsWith('@');

    /// <summary>Checks the settings (<see cref="TelegramSinkOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message has one line for each, naming it.</exception>
    public TelegramSinkOptions Validate() => new TelegramSinkOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="TelegramSinkOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class TelegramSinkOptionsValidator : IValidateOptions<TelegramSinkOptions>;
