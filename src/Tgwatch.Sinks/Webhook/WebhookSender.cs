using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// The background half of the webhook sink: takes the oldest records from the outbox, POSTs them as one
/// body, and deletes them once the endpoint answered 2xx. Network failures, timeouts, 408, 429 and 5xx are
/// retried forever with capped exponential backoff and jitter (a server's <c>Retry-After</c> wins); other 4xx
/// answers move the record to dead letters (a rejected batch is sent again one record at a time, so its other
/// records still go out). One instance, one loop: records go out in queue order.
/// </summary>
internal sealed class WebhookSender
{
    private readonly WebhookSinkOptions _options;
    private readonly IStateStore _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookBody _body;
    private readonly ResiliencePipeline<WebhookAttempt> _pipeline;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Uri _requestUrl;
    private readonly string? _basicCredentials;
    private readonly string _logUrl;
    private readonly string _stage;
    private readonly List<OutboxEntry> _invalid = [];
    private int _batchLimit;
    private long _sent, _failedAttempts, _deadLettered, _pending;
    private long _streakAttempts;
    private long _streakStart, _lastReminder;
    private volatile bool _failing;
    private volatile bool _draining;
    private CancellationToken _stop;

    public WebhookSender(WebhookSinkOptions options, IStateStore store, HttpClient http, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _http = http;
        _time = time;
        _logger = logger;
        _body = new WebhookBody(options.Secret);
        _requestUrl = SafeUrl.WithoutUserInfo(options.Url);
        _basicCredentials = SafeUrl.BasicCredentials(options.Url);
        _logUrl = SafeUrl.ForLog(options.Url);
        _stage = "sink:" + options.Name;
        _batchLimit = options.BatchSize;
        _pipeline = new ResiliencePipelineBuilder<WebhookAttempt> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<WebhookAttempt>
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result.RetryAfter is { } wait ? (wait < options.MaxRetryAfter ? wait : options.MaxRetryAfter) : null),
                OnRetry = args =>
                {
                    OnFailedAttempt(args.Outcome, args.AttemptNumber, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public WebhookSinkCounters Counters => new(
        Interlocked.Read(ref _sent), Interlocked.Read(ref _failedAttempts), Interlocked.Read(ref _deadLettered),
        Math.Max(0, Interlocked.Read(ref _pending)), _failing);

    /// <summary>Whether delivery is failing right now (the endpoint is down or refusing).</summary>
    public bool Failing => _failing;

    public void SetPending(long pending) => Interlocked.Exchange(ref _pending, pending);

    public void AddPending(long added) => Interlocked.Add(ref _pending, added);

    /// <summary>Tells the loop that records are waiting.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>From now on the loop ends once the outbox is empty.</summary>
    public void Drain()
    {
        _draining = true;
        Wake();
    }

    /// <summary>Sends until <paramref name="stop"/> is cancelled, or until the outbox is empty after <see cref="Drain"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _stop = stop;
        var storeFailures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _wake.Reader.TryRead(out _);
                var entries = await _store.Outbox.PeekAsync(_options.Name, _batchLimit, stop).ConfigureAwait(false);
                storeFailures = 0;
                if (entries.Count == 0)
                {
                    if (_draining) return;
                    await _wake.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
                    continue;
                }
                await DeliverAsync(entries, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The state store failed (a delivered batch may be sent again: receivers deduplicate on "keys").
                var delay = TimeSpan.FromTicks(Math.Min(_options.MaxDelay.Ticks, _options.BaseDelay.Ticks << Math.Min(storeFailures++, 20)));
                WebhookLog.OutboxFailed(_logger, _options.Name, FaultClassifier.Default.Classify(e, stop).Kind, delay, e);
                try { await Task.Delay(delay, _time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken stop)
    {
        _invalid.Clear();
        _body.Build(entries, _invalid);
        if (_invalid.Count > 0)
        {
            foreach (var entry in _invalid) WebhookLog.InvalidRecord(_logger, _options.Name, entry.Key, _stage);
            await DeadLetterAsync(_invalid, "FormatException", "the queued record is not one JSON value", FaultKind.Bug, 0).ConfigureAwait(false);
            return; // the rest goes out with the next peek
        }

        var attempt = await _pipeline.ExecuteAsync(static (state, ct) => state.Sender.SendOnceAsync(state.Count, ct),
            (Sender: this, Count: entries.Count), stop).ConfigureAwait(false);
        switch (attempt.Result)
        {
            case AttemptResult.Delivered:
                await _store.Outbox.DeleteAsync(_options.Name, [.. entries.Select(e => e.Id)], CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _sent, entries.Count);
                Interlocked.Add(ref _pending, -entries.Count);
                EndStreak();
                break;
            case AttemptResult.Rejected when entries.Count > 1:
                // Which record the endpoint refuses is not said: each goes alone, in order, so only that one is dead.
                foreach (var entry in entries)
                {
                    if (stop.IsCancellationRequested) break;
                    await DeliverAsync([entry], stop).ConfigureAwait(false);
                }
                break;
            case AttemptResult.Rejected:
                var attempts = (int)Math.Min(int.MaxValue, _streakAttempts + 1);
                EndStreak();
                WebhookLog.Rejected(_logger, _options.Name, _logUrl, entries.Count, attempt.Status, attempt.ReasonPhrase, _stage);
                var error = $"HTTP {attempt.Status} {attempt.ReasonPhrase} from {_logUrl}";
                var fault = FaultClassifier.Default.Classify(new HttpRequestException(HttpRequestError.Unknown, error, null, (HttpStatusCode)attempt.Status)).Kind;
                await DeadLetterAsync(entries, nameof(HttpRequestException), error, fault, attempts).ConfigureAwait(false);
                break;
            case AttemptResult.TooLarge:
                EndStreak();
                _batchLimit = Math.Max(1, entries.Count / 2);
                WebhookLog.TooLarge(_logger, _options.Name, _logUrl, entries.Count, _batchLimit);
                break;
            default:
                // Only when stopping: the records stay queued.
                break;
        }
    }

    private async ValueTask<WebhookAttempt> SendOnceAsync(int records, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, _requestUrl);
        var content = new ReadOnlyMemoryContent(_body.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        if (_body.Signature() is { } signature) request.Headers.TryAddWithoutValidation("X-Tgwatch-Signature", signature);
        if (_basicCredentials is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basicCredentials);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("tgwatch", null));

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        return new WebhookAttempt(
            WebhookAttempt.Classify(status, records), status, response.ReasonPhrase ?? "",
            WebhookAttempt.RetryAfterOf(response.Headers.RetryAfter, _time.GetUtcNow()));
    }

    private bool ShouldRetry(Outcome<WebhookAttempt> outcome)
    {
        if (_stop.IsCancellationRequested) return false;
        if (outcome.Exception is { } e) return FaultClassifier.Default.Classify(e, _stop).Kind != FaultKind.Cancelled;
        return outcome.Result.Result == AttemptResult.Retry;
    }

    private void OnFailedAttempt(Outcome<WebhookAttempt> outcome, int attemptNumber, TimeSpan delay)
    {
        Interlocked.Increment(ref _failedAttempts);
        var (fault, reason) = Describe(outcome);
        var now = _time.GetTimestamp();
        var attempts = ++_streakAttempts;
        if (!_failing)
        {
            _failing = true;
            _streakStart = _lastReminder = now;
            var level = fault.Kind is FaultKind.Network or FaultKind.Timeout or FaultKind.RateLimited ? LogLevel.Warning : LogLevel.Error;
            // A failure nobody expects (a bug, a local resource) comes with its stack trace.
            var exception = level == LogLevel.Error ? outcome.Exception : null;
            WebhookLog.DeliveryFailing(_logger, level, _options.Name, _logUrl, fault.Kind, reason, Counters.Pending, exception);
        }
        else if (_time.GetElapsedTime(_lastReminder, now) >= _options.FailureReminder)
        {
            _lastReminder = now;
            WebhookLog.StillFailing(_logger, _options.Name, _logUrl, attempts, _time.GetElapsedTime(_streakStart, now), fault.Kind, reason, Counters.Pending);
        }
        WebhookLog.AttemptFailed(_logger, _options.Name, attemptNumber + 1, fault.Kind, reason, delay);
    }

    private void EndStreak()
    {
        if (_failing)
            WebhookLog.Recovered(_logger, _options.Name, _logUrl, _streakAttempts, _time.GetElapsedTime(_streakStart));
        _failing = false;
        _streakAttempts = 0;
    }

    /// <summary>The fault and a short reason that names no address (exception messages may carry one).</summary>
    private (Fault Fault, string Reason) Describe(Outcome<WebhookAttempt> outcome)
    {
        if (outcome.Exception is not { } e)
        {
            var a = outcome.Result;
            var reason = $"HTTP {a.Status} {a.ReasonPhrase}".TrimEnd();
            return (FaultClassifier.Default.Classify(new HttpRequestException(HttpRequestError.Unknown, reason, null, (HttpStatusCode)a.Status)), reason);
        }
        var fault = FaultClassifier.Default.Classify(e, _stop);
        var text = new StringBuilder(e.GetType().Name);
        if (e is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http) text.Append(' ').Append(http.HttpRequestError);
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is SocketException socket) { text.Append(" (").Append(socket.SocketErrorCode).Append(')'); break; }
        if (fault.Kind == FaultKind.Timeout && e is OperationCanceledException) text.Append(" after ").Append(Noise.Duration.Format(_options.RequestTimeout));
        return (fault, text.ToString());
    }

    private async Task DeadLetterAsync(IReadOnlyList<OutboxEntry> entries, string errorType, string error, FaultKind fault, int attempts)
    {
        var at = _time.GetUtcNow();
        foreach (var entry in entries)
        {
            var letter = new NewDeadLetter(entry.Key, _stage, Encoding.UTF8.GetString(entry.Payload), fault, errorType, error, attempts, at);
            await _store.DeadLetters.AddAsync(letter, CancellationToken.None).ConfigureAwait(false);
        }
        await _store.Outbox.DeleteAsync(_options.Name, [.. entries.Select(e => e.Id)], CancellationToken.None).ConfigureAwait(false);
        Interlocked.Add(ref _deadLettered, entries.Count);
        Interlocked.Add(ref _pending, -entries.Count);
    }
}
