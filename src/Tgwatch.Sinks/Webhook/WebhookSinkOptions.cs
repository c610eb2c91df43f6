namespace Tgwatch.Sinks.Webhook;

/// <summary>Settings of a <see cref="WebhookSink"/>.</summary>
public sealed record WebhookSinkOptions
{
    /// <summary>
    /// Where records are POSTed (http or https). User info in it (<c>https://user:pass@host/…</c>) is sent as HTTP
    /// basic authentication, not in the address; logs show only scheme, host, port and path.
    /// </summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// The key of the <c>X-Tgwatch-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c> header; no header when null.
    /// <value>Default: null.</value>
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>The sink's name (outbox and dead-letter stage <c>sink:NAME</c>). <value>Default: <c>webhook</c>.</value></summary>
    public string Name { get; init; } = "webhook";

    /// <summary>Most records in one request. <value>Default: 100.</value></summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>How long one request may take before it counts as a timeout. <value>Default: 30 s.</value></summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first backoff step; it doubles with each retry up to <see cref="MaxBackoff"/>, each wait in the upper half of its
    /// step. <value>Default: 1 s.</value>
    /// </summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff step. <value>Default: 30 s.</value></summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> of a server that is honoured as it is. <value>Default: 10 min.</value></summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long disposing waits for queued records to go out while the endpoint answers; records not sent stay
    /// queued for the next run. <value>Default: 5 s.</value>
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>While delivery keeps failing, how often that is logged again. <value>Default: 5 min.</value></summary>
    public TimeSpan FailureReminder { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message (one line) names it.</exception>
    public WebhookSinkOptions Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("WebhookSinkOptions.Url must be an absolute http or https address", nameof(Url));
        if (Secret is { Length: 0 })
            throw new ArgumentException("WebhookSinkOptions.Secret must not be empty (leave it null for no signature)", nameof(Secret));
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("WebhookSinkOptions.Name must not be blank", nameof(Name));
        if (BatchSize is < 1 or > 10_000)
            throw new ArgumentException($"WebhookSinkOptions.BatchSize must be between 1 and 10000 (was {BatchSize})", nameof(BatchSize));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(MinBackoff, nameof(MinBackoff));
        Positive(MaxBackoff, nameof(MaxBackoff));
        if (MaxBackoff < MinBackoff)
            throw new ArgumentException($"WebhookSinkOptions.MaxBackoff ({MaxBackoff}) must not be less than MinBackoff ({MinBackoff})", nameof(MaxBackoff));
        Positive(MaxRetryAfter, nameof(MaxRetryAfter));
        if (ShutdownTimeout < TimeSpan.Zero)
            throw new ArgumentException($"WebhookSinkOptions.ShutdownTimeout must not be negative (was {ShutdownTimeout})", nameof(ShutdownTimeout));
        Positive(FailureReminder, nameof(FailureReminder));
        return this;
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            throw new ArgumentException($"WebhookSinkOptions.{name} must be more than zero and at most a day (was {value})", name);
    }
}
