using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Sinks.Outbox;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Telegram;

/// <summary>
/// Sends each record as an alert (<see cref="AlertText"/>: the chat, the sender, an excerpt of the text, media and reply
/// markers, a link when the chat is public) into one Telegram chat, through an <see cref="IChatPoster"/> (the run's bot, or its user account's TDLib client).
/// <see cref="WriteAsync"/> only puts the batch into the state store's outbox (durable, idempotent on the key): that is its
/// commit. A background sender posts them in order at the pace Telegram allows (one per <see cref="TelegramSinkOptions.Interval"/>,
/// at most <see cref="TelegramSinkOptions.GroupPerMinute"/> a minute in a group or channel), waits out 429s and retries network
/// failures forever, so a stop or a crash loses no alert; a post Telegram refuses for good goes to dead letters with stage
/// <c>sink:NAME</c>. At least once: a crash after Telegram took an alert and before its record left the outbox sends that one
/// alert again on the next run. A reply update (the same message again, its reply resolved) is not alerted a second time, nor an
/// alert of this run that comes back as a record because its chat is watched (<see cref="IChatPoster.IsOwnPost"/>: a user
/// account's; a bot is not sent its own messages). With <see cref="TelegramSinkOptions.Forward"/> the message itself is forwarded.
/// </summary>
public sealed class TelegramSink : IOutboxSink
{
    private readonly TelegramSinkOptions _options;
    private readonly IChatPoster _poster;
    private readonly TelegramAlertSender _sender;
    private readonly OutboxFront _front;

    /// <summary>Creates the sink; nothing is sent until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The chat, the pace and retry settings; validated here.</param>
    /// <param name="poster">What posts a message into the chat (the run's bot).</param>
    /// <param name="store">The state store whose outbox and dead letters the sink uses.</param>
    /// <param name="logger">Where failures and refusals are reported.</param>
    /// <param name="time">The clock of every wait (pace, backoff, request time-out, shutdown); by default the system clock.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public TelegramSink(TelegramSinkOptions options, IChatPoster poster, IStateStore store, ILogger<TelegramSink>? logger = null, TimeProvider? time = null,
        Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(poster);
        ArgumentNullException.ThrowIfNull(store);
        _options = options.Validate();
        _poster = poster;
        var clock = time ?? TimeProvider.System;
        ILogger log = logger ?? NullLogger<TelegramSink>.Instance;
        _sender = new TelegramAlertSender(_options, poster, store, clock, log, randomizer);
        _front = new OutboxFront(_options.SinkName, store, _sender, clock, log);
    }

    /// <inheritdoc />
    public string Name => _options.SinkName;

    /// <summary>Alerts sent, failed attempts, alerts dead-lettered, alerts waiting, and whether sending is failing now (live).</summary>
    public OutboxSinkStats Stats => _sender.Stats;

    /// <summary>Starts the background sender, which first sends what a previous run left in the outbox.</summary>
    public ValueTask StartAsync(CancellationToken ct) => _front.StartAsync(ct);

    /// <summary>Puts the batch's records into the outbox (each key once, ever; reply updates left out) and wakes the sender.</summary>
    public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => _front.EnqueueAsync(Alerts(batch), replay: false, ct);

    /// <summary>Puts the records into the outbox even if they were sent before (a dead letter's replay) and wakes the sender.</summary>
    public ValueTask ReplayAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct) => _front.EnqueueAsync(Alerts(batch), replay: true, ct);

    /// <summary>
    /// Stops the sender. While Telegram takes alerts, waits up to <see cref="TelegramSinkOptions.ShutdownTimeout"/> for the outbox
    /// to empty; when sending is failing, stops at once. Alerts not sent stay in the outbox for the next run.
    /// </summary>
    public async ValueTask DisposeAsync() => await _front.StopAsync(_options.ShutdownTimeout).ConfigureAwait(false);

    /// <summary>The records to alert: not a reply update, and not an alert of this run come back from a watched chat.</summary>
    private IReadOnlyList<TgMessage> Alerts(IReadOnlyList<TgMessage> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Any(Skipped) ? [.. batch.Where(m => !Skipped(m))] : batch;
    }

    private bool Skipped(TgMessage? m) => m is not null && (m.IsUpdate || _poster.IsOwnPost(m.Chat.Id, m.MessageId));
}
