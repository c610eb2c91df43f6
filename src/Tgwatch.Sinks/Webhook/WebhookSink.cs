using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// POSTs records to an HTTP endpoint as <c>{"messages":[record,…],"keys":[key,…]}</c> (contract records,
/// <c>application/json</c>, signed with <c>X-Tgwatch-Signature: sha256=…</c> when a secret is set).
/// <see cref="WriteAsync"/> only puts the batch into the state store's outbox (durable, idempotent on the
/// key): that is its commit. A background sender delivers the outbox in order, retrying failures forever with
/// capped backoff, so a dead endpoint delays messages but never loses them, nor does one that refuses every
/// record (401, 403, 404, 405, 407, or a 4xx to each record alone); a record the endpoint refuses alone while
/// accepting others goes to dead letters with stage <c>sink:NAME</c>. Delivery is at least once: receivers
/// deduplicate on <c>keys</c> or the <c>Idempotency-Key</c> header, since a batch whose answer was lost or late is sent again.
/// </summary>
public sealed class WebhookSink : IOutboxSink
{
    private readonly WebhookSinkOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly WebhookSender _sender;
    private readonly OutboxFront _front;

    /// <summary>Creates the sink; nothing is sent until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Endpoint and retry settings; validated here.</param>
    /// <param name="store">The state store whose outbox and dead letters the sink uses.</param>
    /// <param name="http">The client to send with (its own timeout and handler apply too); by default one without automatic redirects, disposed with the sink.</param>
    /// <param name="logger">Where failures are reported (addresses as scheme://host:port/path only).</param>
    /// <param name="time">The clock of every wait (backoff, request timeout, shutdown); by default the system clock.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public WebhookSink(WebhookSinkOptions options, IStateStore store, HttpClient? http = null, ILogger<WebhookSink>? logger = null, TimeProvider? time = null,
        Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        _options = options.Validate();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        var clock = time ?? TimeProvider.System;
        ILogger log = logger ?? NullLogger<WebhookSink>.Instance;
        _sender = new WebhookSender(_options, store, _http, clock, log, randomizer);
        _front = new OutboxFront(_options.Name, store, _sender, clock, log);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Records sent, failed attempts, records dead-lettered, records waiting, and whether delivery is failing now (live).</summary>
    public WebhookSinkStats Stats => _sender.Stats;

    OutboxSinkStats IOutboxSink.Stats => Stats;

    /// <summary>Starts the background sender, which first sends what a previous run left in the outbox.</summary>
    public ValueTask StartAsync(CancellationToken ct) => _front.StartAsync(ct);

    /// <summary>Puts the batch's records into the outbox (each key once, ever) and wakes the sender.</summary>
    public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => _front.EnqueueAsync(batch, replay: false, ct);

    /// <summary>Puts the records into the outbox even if they were sent before (a dead letter's replay) and wakes the sender.</summary>
    public ValueTask ReplayAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => _front.EnqueueAsync(batch, replay: true, ct);

    /// <summary>
    /// Stops the sender. While the endpoint answers, waits up to <see cref="WebhookSinkOptions.ShutdownTimeout"/>
    /// for the outbox to empty; when delivery is failing, stops at once. Records not sent stay in the outbox for
    /// the next run.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!await _front.StopAsync(_options.ShutdownTimeout).ConfigureAwait(false)) return;
        if (_ownsHttp) _http.Dispose();
    }
}
