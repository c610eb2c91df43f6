using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
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
public sealed class WebhookSink : IMessageSink
{
    private readonly WebhookSinkOptions _options;
    private readonly IStateStore _store;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookSender _sender;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

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
        _store = store;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<WebhookSink>.Instance;
        _sender = new WebhookSender(_options, store, _http, _time, _logger, randomizer);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Records sent, failed attempts, records dead-lettered, records waiting, and whether delivery is failing now (live).</summary>
    public WebhookSinkStats Stats => _sender.Stats;

    /// <summary>Starts the background sender, which first sends what a previous run left in the outbox.</summary>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_loop is not null) throw new InvalidOperationException($"{Name}: already started");
        _sender.SetPending(await _store.Outbox.CountAsync(Name, ct).ConfigureAwait(false));
        _loop = Task.Run(() => _sender.RunAsync(_stop.Token), CancellationToken.None);
        _sender.Wake();
    }

    /// <summary>Puts the batch's records into the outbox (each key once, ever) and wakes the sender.</summary>
    public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => EnqueueAsync(batch, replay: false, ct);

    /// <summary>Puts the records into the outbox even if they were sent before (a dead letter's replay) and wakes the sender.</summary>
    public ValueTask ReplayAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => EnqueueAsync(batch, replay: true, ct);

    private async ValueTask EnqueueAsync(IReadOnlyList<TgMessage> batch, bool replay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_loop is null) throw new InvalidOperationException($"{Name}: StartAsync must be called before WriteAsync");
        if (batch.Count == 0) return;
        var seen = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        var items = new List<OutboxItem>(batch.Count);
        foreach (var message in batch)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(batch));
            var key = message.Key;
            if (seen.Add(key)) items.Add(new OutboxItem(key, TgMessageJson.ToUtf8(message)));
        }
        var added = replay
            ? await _store.Outbox.RequeueAsync(Name, items, ct).ConfigureAwait(false)
            : await _store.Outbox.EnqueueAsync(Name, items, ct).ConfigureAwait(false);
        if (added == 0) return;
        _sender.AddPending(added);
        _sender.Wake();
    }

    /// <summary>
    /// Stops the sender. While the endpoint answers, waits up to <see cref="WebhookSinkOptions.ShutdownTimeout"/>
    /// for the outbox to empty; when delivery is failing, stops at once. Records not sent stay in the outbox for
    /// the next run.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_loop is { } loop)
        {
            _sender.Drain();
            if (!_sender.Failing)
            {
                try
                {
                    await loop.WaitAsync(_options.ShutdownTimeout, _time).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
            await _stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_sender.Stats.Pending is > 0 and var pending) WebhookLog.StoppedWithPending(_logger, Name, pending);
        }
        if (_ownsHttp) _http.Dispose();
        _stop.Dispose();
    }
}
