using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Resilience;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Webhook;

/// <summary>
/// The background half of the webhook sink: takes the oldest records from the outbox, POSTs them as one
/// body, and deletes them once the endpoint answered 2xx. Network failures, timeouts, 408, 429 and 5xx are
/// retried forever with Tgwatch's <see cref="Backoff"/> (a server's <c>Retry-After</c> wins), and so are
/// 401, 403, 404, 405 and 407 (the endpoint itself refuses). A batch refused with another 4xx is sent again one
/// record at a time: a record refused alone goes to dead letters only when the endpoint accepts another record;
/// when it accepts none, the endpoint refuses records and the queue waits with backoff. The loop, the counters, the failure
/// streak and the dead letters are the <see cref="OutboxSender"/>'s.
/// </summary>
internal sealed class WebhookSender : OutboxSender
{
    private readonly WebhookSinkOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookBody _body;
    private readonly Func<double> _randomizer;
    private readonly ResiliencePipeline<WebhookAttempt> _pipeline;
    private readonly Uri _requestUrl;
    private readonly string? _basicCredentials;
    private readonly string _logUrl;
    private readonly string _stage;
    private readonly List<OutboxEntry> _invalid = [];
    private int _batchLimit;

    /// <summary>While the endpoint refuses every record it is sent: the highest queue id it refused alone; 0 otherwise.</summary>
    private long _refusedUpTo;

    public WebhookSender(WebhookSinkOptions options, IStateStore store, HttpClient http, TimeProvider time, ILogger logger, Func<double>? randomizer = null)
        : base(new OutboxSenderSettings(options.Name, SafeUrl.ForLog(options.Url), options.MinBackoff, options.MaxBackoff, options.FailureReminder),
            store, time, logger, randomizer, new WebhookSinkStats())
    {
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
        _randomizer = Randomizer;
        _body = new WebhookBody(options.Secret);
        _requestUrl = SafeUrl.WithoutUserInfo(options.Url);
        _basicCredentials = SafeUrl.BasicCredentials(options.Url);
        _logUrl = Settings.Target;
        _stage = Stage;
        _batchLimit = options.BatchSize;
        _pipeline = new ResiliencePipelineBuilder<WebhookAttempt> { TimeProvider = time }
            .AddBackoffRetry(new BackoffRetryOptions<WebhookAttempt>
            {
                MinBackoff = options.MinBackoff,
                MaxBackoff = options.MaxBackoff,
                Randomizer = _randomizer,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome)),
                ServerDelay = (outcome, _) => outcome.Result.RetryAfter is { } wait ? (wait < options.MaxRetryAfter ? wait : options.MaxRetryAfter) : null,
                OnRetry = args =>
                {
                    OnFailedAttempt(args.Outcome, args.AttemptNumber, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public new WebhookSinkStats Stats => (WebhookSinkStats)base.Stats;

    protected override int BatchLimit => _batchLimit;

    protected override async Task DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken stop)
    {
        if (!await BuildAsync(entries).ConfigureAwait(false)) return; // the rest goes out with the next peek
        if (_refusedUpTo > 0)
        {
            await ProbeAsync(entries[0], stop).ConfigureAwait(false);
            return;
        }

        var attempt = await SendAsync(entries.Count, stop).ConfigureAwait(false);
        switch (attempt.Result)
        {
            case AttemptResult.Delivered:
                await DeliveredAsync(entries).ConfigureAwait(false);
                break;
            case AttemptResult.Rejected:
                await EachAloneAsync(entries, attempt, stop).ConfigureAwait(false);
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

    /// <summary>Builds the body of <paramref name="entries"/>; false when some were not valid JSON (those are dead-lettered, nothing is sent).</summary>
    private async Task<bool> BuildAsync(IReadOnlyList<OutboxEntry> entries)
    {
        _invalid.Clear();
        _body.Build(entries, _invalid);
        if (_invalid.Count == 0) return true;
        await DeadLetterInvalidAsync([.. _invalid]).ConfigureAwait(false);
        return false;
    }

    /// <summary>Sends the body built last, retrying network faults, timeouts, 408, 429, 5xx and refusals of the endpoint.</summary>
    private ValueTask<WebhookAttempt> SendAsync(int records, CancellationToken stop) =>
        _pipeline.ExecuteAsync(static (state, ct) => state.Sender.SendOnceAsync(state.Count, ct), (Sender: this, Count: records), stop);

    /// <summary>Sends one record alone; null when it is not valid JSON (then it is dead-lettered).</summary>
    private async Task<WebhookAttempt?> SendAloneAsync(OutboxEntry entry, CancellationToken stop) =>
        await BuildAsync([entry]).ConfigureAwait(false) ? await SendAsync(1, stop).ConfigureAwait(false) : null;

    private new async Task DeliveredAsync(IReadOnlyList<OutboxEntry> entries)
    {
        _refusedUpTo = 0;
        await base.DeliveredAsync(entries).ConfigureAwait(false);
    }

    /// <summary>
    /// A batch refused with a 4xx: which record the endpoint refuses is not said, so each goes alone, in order. A record
    /// refused alone is dead only when the endpoint accepts another record (of the batch, or the next one queued); when it
    /// accepts none, it is the endpoint that refuses records: nothing is dead-lettered and the queue waits with backoff.
    /// </summary>
    private async Task EachAloneAsync(IReadOnlyList<OutboxEntry> entries, WebhookAttempt first, CancellationToken stop)
    {
        var refused = new List<(OutboxEntry Entry, WebhookAttempt Attempt)>();
        var accepted = false;
        if (entries.Count == 1)
        {
            refused.Add((entries[0], first));
        }
        else
        {
            foreach (var entry in entries)
            {
                if (stop.IsCancellationRequested) return;
                switch (await SendAloneAsync(entry, stop).ConfigureAwait(false))
                {
                    case null:
                        break;
                    case { Result: AttemptResult.Delivered }:
                        await DeliveredAsync([entry]).ConfigureAwait(false);
                        accepted = true;
                        break;
                    case { Result: AttemptResult.Rejected } attempt:
                        refused.Add((entry, attempt));
                        break;
                    default:
                        return; // stopping
                }
            }
        }
        if (refused.Count == 0) return;

        var lastTried = refused[^1].Entry.Id;
        if (!accepted)
        {
            // The endpoint refused everything: the next record in the queue tells whether it refuses records or only these.
            var next = await Store.Outbox.PeekAfterAsync(_options.Name, lastTried, 1, stop).ConfigureAwait(false);
            if (next.Count == 1)
            {
                switch (await SendAloneAsync(next[0], stop).ConfigureAwait(false))
                {
                    case { Result: AttemptResult.Delivered }:
                        await DeliveredAsync(next).ConfigureAwait(false);
                        accepted = true;
                        break;
                    case { Result: AttemptResult.Rejected }:
                        lastTried = next[0].Id;
                        break;
                    case null:
                        break;
                    default:
                        return; // stopping
                }
            }
        }

        if (!accepted)
        {
            _refusedUpTo = lastTried;
            await RefusedEverythingAsync(refused[0].Attempt, refused.Count, stop).ConfigureAwait(false);
            return;
        }
        var attempts = entries.Count > 1 ? 2 : 1;
        foreach (var group in refused.GroupBy(r => (r.Attempt.Status, r.Attempt.ReasonPhrase)))
        {
            var (status, phrase) = group.Key;
            WebhookLog.Rejected(_logger, _options.Name, _logUrl, group.Count(), entries.Count, status, phrase, _stage);
            var error = $"HTTP {status} {phrase} from {_logUrl}";
            var fault = FaultClassifier.Default.Classify(new HttpRequestException(HttpRequestError.Unknown, error, null, (HttpStatusCode)status)).Kind;
            await DeadLetterAsync([.. group.Select(r => r.Entry)], nameof(HttpRequestException), error, fault, attempts).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// While the endpoint refuses every record: one record it has not refused yet (else the oldest) is sent alone; once it is
    /// accepted, the queue goes on as usual (and records refused alone then go to dead letters).
    /// </summary>
    private async Task ProbeAsync(OutboxEntry oldest, CancellationToken stop)
    {
        var untried = await Store.Outbox.PeekAfterAsync(_options.Name, _refusedUpTo, 1, stop).ConfigureAwait(false);
        var probe = untried.Count == 1 ? untried[0] : oldest;
        switch (await SendAloneAsync(probe, stop).ConfigureAwait(false))
        {
            case { Result: AttemptResult.Delivered }:
                await DeliveredAsync([probe]).ConfigureAwait(false);
                break;
            case { Result: AttemptResult.Rejected } attempt:
                _refusedUpTo = Math.Max(_refusedUpTo, probe.Id);
                await RefusedEverythingAsync(attempt, 1, stop).ConfigureAwait(false);
                break;
            default:
                break; // not valid JSON (dead-lettered), or stopping
        }
    }

    /// <summary>Counts a refusal of every record as a failed attempt and waits the backoff of the failures so far.</summary>
    private async Task RefusedEverythingAsync(WebhookAttempt attempt, int records, CancellationToken stop)
    {
        var delay = Backoff.Delay((int)Math.Min(StreakAttempts, int.MaxValue), _options.MinBackoff, _options.MaxBackoff, _randomizer());
        var reason = $"HTTP {attempt.Status} {attempt.ReasonPhrase}".TrimEnd();
        var fault = FaultClassifier.Default.Classify(new HttpRequestException(HttpRequestError.Unknown, reason, null, (HttpStatusCode)attempt.Status));
        Failed(fault, reason, null, attempt, records, (int)Math.Min(int.MaxValue, StreakAttempts + 1), delay);
        try { await Task.Delay(delay, _time, stop).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
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
        request.Headers.TryAddWithoutValidation("Idempotency-Key", _body.IdempotencyKey);
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
        if (Stopping.IsCancellationRequested) return false;
        if (outcome.Exception is { } e) return FaultClassifier.Default.Classify(e, Stopping).Kind != FaultKind.Cancelled;
        return outcome.Result.Result is AttemptResult.Retry or AttemptResult.Refused;
    }

    private void OnFailedAttempt(Outcome<WebhookAttempt> outcome, int attemptNumber, TimeSpan delay)
    {
        var (fault, reason) = Describe(outcome);
        Failed(fault, reason, outcome.Exception, outcome.Exception is null ? outcome.Result : null, 0, attemptNumber + 1, delay);
    }

    /// <summary>
    /// Counts a failed attempt and logs it (<see cref="OutboxSender.Failed"/>); a refusal of the endpoint, or of every record
    /// sent alone (<paramref name="refusedRecords"/> more than zero), is said as an error once more when the streak turns into one.
    /// </summary>
    private void Failed(Fault fault, string reason, Exception? exception, WebhookAttempt? answer, int refusedRecords, int attemptNumber, TimeSpan delay)
    {
        Action? sayRefusal = answer is { } a && (a.Result == AttemptResult.Refused || refusedRecords > 0)
            ? () =>
            {
                if (refusedRecords > 0) WebhookLog.RefusesEveryRecord(_logger, _options.Name, _logUrl, a.Status, a.ReasonPhrase, refusedRecords, Stats.Pending);
                else WebhookLog.EndpointRefuses(_logger, _options.Name, _logUrl, a.Status, a.ReasonPhrase, Stats.Pending);
            }
            : null;
        Failed(fault, reason, exception, attemptNumber, delay, sayRefusal);
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
        var fault = FaultClassifier.Default.Classify(e, Stopping);
        return (fault, SendFailureText.Of(e, fault, _options.RequestTimeout, "the batch goes again"));
    }
}
