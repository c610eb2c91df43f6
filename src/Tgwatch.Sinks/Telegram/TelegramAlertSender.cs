using System.Net;
using System.Net.Http;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Resilience;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Telegram;

/// <summary>
/// The background half of the Telegram alert sink: takes the oldest records from the outbox one at a time, at the pace Telegram
/// allows (<see cref="AlertPacer"/>), posts each as an <see cref="AlertText"/> and deletes it once Telegram took it. Network
/// failures, time-outs, 429 (its <c>retry_after</c> waited out) and 5xx are retried forever with Tgwatch's
/// <see cref="Backoff"/>; a post Telegram refuses for good (400 "chat not found", 403 "bot was blocked by the user"…) goes to
/// dead letters, said once until a post goes through again.
/// </summary>
internal sealed class TelegramAlertSender : OutboxSender
{
    private readonly TelegramSinkOptions _options;
    private readonly IChatPoster _poster;
    private readonly AlertPacer _pacer;
    private readonly ResiliencePipeline<PostResult> _pipeline;
    private long _refusedSinceSaid;
    private bool _refusalSaid;
    private bool _notForwardedSaid;

    public TelegramAlertSender(TelegramSinkOptions options, IChatPoster poster, IStateStore store, TimeProvider time, ILogger logger, Func<double>? randomizer = null)
        : base(new OutboxSenderSettings(options.SinkName, "chat " + options.Chat, options.MinBackoff, options.MaxBackoff, options.FailureReminder),
            store, time, logger, randomizer, new OutboxSinkStats())
    {
        _options = options;
        _poster = poster;
        // Shared by every alert sink of this account to this chat: Telegram's limit is the chat's.
        _pacer = AlertPacer.For(poster, options.Chat, time, options.Interval, options.IsGroup ? options.GroupPerMinute : 0);
        _pipeline = new ResiliencePipelineBuilder<PostResult> { TimeProvider = time }
            .AddBackoffRetry(new BackoffRetryOptions<PostResult>
            {
                MinBackoff = options.MinBackoff,
                MaxBackoff = options.MaxBackoff,
                Randomizer = Randomizer,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome)),
                ServerDelay = (outcome, _) => outcome.Result.RetryAfter is { } wait ? (wait < options.MaxRetryAfter ? wait : options.MaxRetryAfter) : null,
                OnRetry = args =>
                {
                    var (fault, reason) = Describe(args.Outcome);
                    Failed(fault, reason, args.Outcome.Exception, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>A few at a time: each goes alone, at the chat's pace.</summary>
    protected override int BatchLimit => 16;

    protected override async Task DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken stop)
    {
        foreach (var entry in entries)
        {
            if (stop.IsCancellationRequested) return;
            if (Read(entry) is not { } message)
            {
                await DeadLetterInvalidAsync([entry]).ConfigureAwait(false);
                continue;
            }
            if (_pacer.Reserve() is { Ticks: > 0 } wait) await Task.Delay(wait, Time, stop).ConfigureAwait(false);
            var result = await _pipeline.ExecuteAsync(static (state, ct) => state.Self.PostOnceAsync(state.Message, ct), (Self: this, Message: message), stop).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case PostOutcome.Posted:
                    // A crash between the post and this delete sends this one alert again on the next run (README: the one window).
                    await DeliveredAsync([entry]).ConfigureAwait(false);
                    RefusalsOver();
                    break;
                case PostOutcome.Refused:
                    await RefusedAsync(entry, result).ConfigureAwait(false);
                    break;
                default:
                    return; // only when stopping: the record stays queued
            }
        }
    }

    private static TgMessage? Read(OutboxEntry entry)
    {
        try
        {
            return TgMessageJson.Parse(entry.Payload);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// One attempt: the alert text, or with <see cref="TelegramSinkOptions.Forward"/> the message forwarded (a deletion has
    /// nothing to forward; a message Telegram refuses to forward goes as the text).
    /// </summary>
    private async ValueTask<PostResult> PostOnceAsync(TgMessage message, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        if (_options.Forward && message.Kind != MessageKind.Delete)
        {
            var forwarded = await _poster.ForwardAsync(_options.Chat, message.Chat.Id, message.MessageId, linked.Token).ConfigureAwait(false);
            if (forwarded.Outcome != PostOutcome.Refused) return forwarded;
            if (!_notForwardedSaid) TelegramLog.NotForwarded(Logger, Settings.Name, message.Key, forwarded.Code, forwarded.Description);
            _notForwardedSaid = true;
        }
        return await _poster.PostAsync(_options.Chat, AlertText.Format(message), linked.Token).ConfigureAwait(false);
    }

    private bool ShouldRetry(Outcome<PostResult> outcome)
    {
        if (Stopping.IsCancellationRequested) return false;
        if (outcome.Exception is { } e) return FaultClassifier.Default.Classify(e, Stopping).Kind != FaultKind.Cancelled;
        return outcome.Result.Outcome == PostOutcome.Retry;
    }

    /// <summary>The fault and a short reason that names no address (exception messages may carry one, with the token in it).</summary>
    private (Fault Fault, string Reason) Describe(Outcome<PostResult> outcome)
    {
        if (outcome.Exception is not { } e)
        {
            var r = outcome.Result;
            var reason = $"{r.Code} {r.Description}".TrimEnd();
            return r.Code == 429
                ? (new Fault(FaultKind.RateLimited, r.RetryAfter), reason)
                : (FaultClassifier.Default.Classify(new HttpRequestException(HttpRequestError.Unknown, reason, null, (HttpStatusCode)r.Code)), reason);
        }
        var fault = FaultClassifier.Default.Classify(e, Stopping);
        return (fault, SendFailureText.Of(e, fault, _options.RequestTimeout, "the alert goes again"));
    }

    /// <summary>A post Telegram refuses for good: the record goes to dead letters, said once until a post goes through.</summary>
    private async Task RefusedAsync(OutboxEntry entry, PostResult result)
    {
        EndStreak();
        if (!_refusalSaid)
        {
            _refusalSaid = true;
            TelegramLog.Refused(Logger, Settings.Name, _options.Chat, result.Code, result.Description, Hint(result.Code), Stage);
        }
        _refusedSinceSaid++;
        var fault = result.Code is 401 or 403 ? FaultKind.Auth : FaultKind.Bug;
        await DeadLetterAsync([entry], "TelegramRefusal", $"Telegram refused the alert to {_options.Chat}: {result.Code} {result.Description}".TrimEnd(), fault, 1).ConfigureAwait(false);
    }

    private void RefusalsOver()
    {
        if (_refusalSaid) TelegramLog.RefusalsOver(Logger, Settings.Name, _options.Chat, _refusedSinceSaid);
        _refusalSaid = false;
        _refusedSinceSaid = 0;
    }

    private static string Hint(int code) => code switch
    {
        400 => ": check the chat's id or @username, and that the bot is a member of it",
        403 => ": the bot was blocked, or removed from the chat, or may not write there",
        _ => "",
    };
}
