using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Resilience;

namespace Tgwatch.Nats.Sink;

/// <summary>
/// Publishes each record to a JetStream stream: the JSONL contract record as the body, on <c>SUBJECT.&lt;account&gt;.&lt;chat_id&gt;</c>,
/// with <c>Nats-Msg-Id</c> = the record's key, so the stream drops a record published again within its duplicate window. A batch
/// is written (<see cref="WriteAsync"/> returns) only once the server acknowledged every record of it (a duplicate's
/// acknowledgement counts); while the server is down or restarting, what is not acknowledged is published again with
/// Tgwatch's backoff until it is, said in one line when it starts failing and one when it works again. A record the server
/// refuses (too large) is thrown to the pipeline, whose retry budget and dead letters take it from there. The stream is created
/// when absent (<see cref="NatsSinkOptions"/>).
/// </summary>
public sealed class NatsSink : IMessageSink
{
    private readonly NatsSinkOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly ResiliencePipeline _retry;
    private readonly NatsJSPubOpts[] _noOpts = [];
    private bool _streamReady;
    private bool _failing;
    private long _streakAttempts;
    private long _streakStart;
    private long _published;
    private long _duplicates;

    /// <summary>A sink publishing with <paramref name="options"/>.</summary>
    /// <param name="options">The server, the stream, the subjects and the waits.</param>
    /// <param name="logger">Where its lines go.</param>
    /// <param name="time">The clock of the backoff; the system's when null.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    public NatsSink(NatsSinkOptions options, ILogger? logger = null, TimeProvider? time = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _connection = new NatsConnection(options.Address.ClientOptions("tgwatch sink", options.RequestTimeout));
        _js = new NatsJSContext(_connection);
        _retry = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddBackoffRetry(new BackoffRetryOptions
            {
                MinBackoff = options.MinBackoff,
                MaxBackoff = options.MaxBackoff,
                Randomizer = randomizer ?? Random.Shared.NextDouble,
                // A server down, restarting or slow is waited out here; anything else (a record the server refuses) goes to the
                // pipeline, which retries it within its budget and then dead-letters it, so one bad record cannot hold up the rest.
                ShouldHandle = static args => new ValueTask<bool>(
                    args.Outcome.Exception is { } e && !(e is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)
                    && FaultClassifier.Default.Classify(e, args.Context.CancellationToken).Kind is FaultKind.Network or FaultKind.Timeout or FaultKind.RateLimited),
                OnRetry = args =>
                {
                    Failed(args.Outcome.Exception!, args.AttemptNumber, args.RetryDelay, args.Context.CancellationToken);
                    return default;
                },
            })
            .Build();
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Records the server acknowledged as new.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Records the server acknowledged as duplicates (published before within the duplicate window).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Whether publishing is failing right now.</summary>
    public bool Failing => Volatile.Read(ref _failing);

    /// <inheritdoc />
    /// <remarks>Nothing waits for the server here: one that is down at the start is waited for by the first write, like one that goes down later.</remarks>
    public ValueTask StartAsync(CancellationToken ct) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        var pending = new List<Outgoing>(batch.Count);
        foreach (var message in batch)
            pending.Add(new Outgoing(Subjects.Of(_options.Subject, message), TgMessageJson.ToUtf8(message), Subjects.MessageId(message)));
        await _retry.ExecuteAsync(static (state, token) => state.Self.PublishAsync(state.Pending, token), (Self: this, Pending: pending), ct).ConfigureAwait(false);
        if (_failing)
        {
            NatsLog.PublishRecovered(_logger, Name, _options.Address.ForLog, _streakAttempts, _time.GetElapsedTime(_streakStart));
            Volatile.Write(ref _failing, false);
            _streakAttempts = 0;
        }
    }

    /// <summary>
    /// Publishes what is pending, all at once, and waits for every acknowledgement; the acknowledged leave
    /// <paramref name="pending"/>, and the first failure is thrown for the retry (which publishes the rest again).
    /// </summary>
    private async ValueTask PublishAsync(List<Outgoing> pending, CancellationToken ct)
    {
        await NatsUnreachableException.ConnectAsync(_connection, _options.Address.ForLog, _options.RequestTimeout, ct).ConfigureAwait(false);
        if (!_streamReady)
        {
            await EnsureStreamAsync(ct).ConfigureAwait(false);
            _streamReady = true;
        }
        // An attempt that gets no acknowledgement in time is a timeout, whatever the client waits for (a connection coming back).
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(_options.RequestTimeout * 2);
        var acks = new Task<PubAckResponse>[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            var o = pending[i];
            acks[i] = _js.PublishAsync(o.Subject, o.Body, opts: new NatsJSPubOpts { MsgId = o.MessageId }, cancellationToken: attempt.Token).AsTask();
        }
        try
        {
            await Task.WhenAll(acks).ConfigureAwait(false);
        }
        catch
        {
            // Each is looked at below.
        }
        Exception? first = null;
        var left = new List<Outgoing>();
        for (var i = 0; i < acks.Length; i++)
        {
            var ack = acks[i];
            Exception? failure = ack.Status == TaskStatus.RanToCompletion
                ? ack.Result.Error is { } error ? new NatsJSApiException(error) : null
                : ack.Exception?.GetBaseException()
                    ?? (ct.IsCancellationRequested ? new OperationCanceledException(ct) : new TimeoutException("no acknowledgement (the connection is down, or the server did not answer in time)"));
            if (failure is null)
            {
                Interlocked.Increment(ref ack.Result.Duplicate ? ref _duplicates : ref _published);
                continue;
            }
            first ??= failure;
            left.Add(pending[i]);
        }
        pending.Clear();
        pending.AddRange(left);
        if (first is null) return;
        // No JetStream behind the subject (the stream was deleted, or the server came back without it): made again next time.
        if (first is NatsNoRespondersException or NatsJSPublishNoResponseException) _streamReady = false;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    /// <summary>Creates the stream when the server has none of that name (another runner creating it meanwhile is fine).</summary>
    private async ValueTask EnsureStreamAsync(CancellationToken ct)
    {
        try
        {
            await _js.GetStreamAsync(_options.Stream, cancellationToken: ct).ConfigureAwait(false);
            return;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
        }
        var subjects = _options.Subject + ".>";
        try
        {
            await _js.CreateStreamAsync(new StreamConfig(_options.Stream, [subjects])
            {
                Storage = StreamConfigStorage.File,
                DuplicateWindow = _options.DuplicateWindow,
            }, ct).ConfigureAwait(false);
            NatsLog.StreamCreated(_logger, Name, _options.Stream, _options.Address.ForLog, subjects, _options.DuplicateWindow);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse)
        {
        }
    }

    private const int StreamNameInUse = 10058;

    /// <summary>A failed attempt: the first of a streak is one line (with its stack trace when nobody expects it), the rest are counted.</summary>
    private void Failed(Exception e, int attempt, TimeSpan delay, CancellationToken ct)
    {
        var fault = FaultClassifier.Default.Classify(e, ct).Kind;
        var reason = Secrets.SecretRedactor.Default.Redact($"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}");
        _streakAttempts++;
        if (!_failing)
        {
            Volatile.Write(ref _failing, true);
            _streakStart = _time.GetTimestamp();
            var level = fault is FaultKind.Network or FaultKind.Timeout ? LogLevel.Warning : LogLevel.Error;
            NatsLog.PublishFailing(_logger, level, Name, _options.Address.ForLog, fault, reason, level == LogLevel.Error ? e : null);
        }
        NatsLog.AttemptFailed(_logger, Name, attempt + 1, fault, reason, delay);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);

    private sealed record Outgoing(string Subject, byte[] Body, string MessageId);
}
