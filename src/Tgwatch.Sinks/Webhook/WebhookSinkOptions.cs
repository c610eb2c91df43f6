using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Sinks.Webhook;

/// <summary>Settings of a <see cref="WebhookSink"/>.</summary>
public sealed record WebhookSinkOptions
{
    /// <summary>
    /// Where records are POSTed (http or https). User info in it (<c>https://user:pass@host/…</c>) is sent as HTTP
    /// basic authentication, not in the address; logs show only scheme, host, port and path.
    /// </summary>
    [HttpAddress]
    public required Uri Url { get; init; }

    /// <summary>
    /// The key of the <c>X-Tgwatch-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c> header; no header when null.
    /// <value>Default: null.</value>
    /// </summary>
    [NotEmpty]
    public string? Secret { get; init; }

    /// <summary>The sink's name (outbox and dead-letter stage <c>sink:NAME</c>). <value>Default: <c>webhook</c>.</value></summary>
    [NotBlank]
    public string Name { get; init; } = "webhook";

    /// <summary>Most records in one request. <value>Default: 100.</value></summary>
    [Between(1, 10_000)]
    public int BatchSize { get; init; } = 100;

    /// <summary>How long one request may take before it counts as a timeout. <value>Default: 30 s.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first backoff step; it doubles with each retry up to <see cref="MaxBackoff"/>, each wait in the upper half of its
    /// step. <value>Default: 1 s.</value>
    /// </summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff step. <value>Default: 30 s.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    [NotShorterThan(nameof(MinBackoff))]
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> of a server that is honoured as it is. <value>Default: 10 min.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long disposing waits for queued records to go out while the endpoint answers; records not sent stay
    /// queued for the next run. <value>Default: 5 s.</value>
    /// </summary>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>While delivery keeps failing, how often that is logged again. <value>Default: 5 min.</value></summary>
    [Duration(Positive = true, AtMost = "1.00:00:00", AtMostInWords = "a day")]
    public TimeSpan FailureReminder { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks the settings (<see cref="WebhookSinkOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message has one line for each, naming it.</exception>
    public WebhookSinkOptions Validate() => new WebhookSinkOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="WebhookSinkOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class WebhookSinkOptionsValidator : IValidateOptions<WebhookSinkOptions>;
