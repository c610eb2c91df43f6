using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Resilience;

namespace Tgwatch.Nats.Consumer;

/// <summary>
/// Delivers the records of a JetStream stream through a durable pull consumer (created when absent), for <c>tgwatch consume</c>.
/// A message is acknowledged only once the pipeline committed it to every sink (<see cref="CommitAsync"/>); one that is not
/// (a process killed, a stop cutting it short) is delivered again by the server after the durable's AckWait, and the state
/// store's dedup makes that harmless. Several processes on one durable share its messages; MaxAckPending bounds what waits.
/// A server that is down, or a stream that does not exist yet, is waited for with backoff and said once (after the grace period).
/// Positions are this connector's own count of deliveries (one stream, <see cref="CheckpointStream"/>), going on from the
/// last committed one, so the pipeline's low watermark says which messages every earlier one is done with.
/// </summary>
public sealed class JetStreamConnector : IConnector, ILinkReport
{
    private readonly JetStreamConnectorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<double> _randomizer;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly LinkMonitor _link;
    private readonly ConcurrentQueue<(long Position, INatsJSMsg<byte[]> Message)> _unacked = new();
    private long _badRecords;
    private long _acked;
    private long _ackLost;
    private bool _consuming;

    /// <summary>The stream of positions in the state store.</summary>
    public const string CheckpointStream = "deliveries";

    /// <summary>The connector's name, under which its checkpoints are kept.</summary>
    public const string ConnectorName = "nats";

    /// <summary>A connector reading <paramref name="options"/>' durable.</summary>
    /// <param name="options">The server, the stream, the durable.</param>
    /// <param name="logger">Where its lines go.</param>
    /// <param name="time">The clock of its waits; the system's when null.</param>
    /// <param name="randomizer">Where each backoff wait falls in its step (a number in [0, 1)); random when null.</param>
    public JetStreamConnector(JetStreamConnectorOptions options, ILogger? logger = null, TimeProvider? time = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _randomizer = randomizer ?? Random.Shared.NextDouble;
        _connection = new NatsConnection(options.Address.ClientOptions("tgwatch consume " + options.Durable, options.RequestTimeout));
        _js = new NatsJSContext(_connection);
        _link = new LinkMonitor(options.Grace, _time, this);
        _link.Changed += s => StatusChanged?.Invoke(s);
        _connection.ConnectionDisconnected += (_, _) =>
        {
            _link.Failed(FaultKind.Network, $"lost the connection to {options.Address.ForLog}");
            return ValueTask.CompletedTask;
        };
        // Reconnected while consuming: the client's pulls go on by themselves, so the link is up even before a message comes.
        _connection.ConnectionOpened += (_, _) =>
        {
            if (Volatile.Read(ref _consuming)) _link.Succeeded(0);
            return ValueTask.CompletedTask;
        };
    }

    /// <inheritdoc />
    public string Name => ConnectorName;

    /// <inheritdoc />
    public string Account => $"{_options.Stream}/{_options.Durable}";

    /// <inheritdoc />
    public ConnectionStatus Status => _link.Status;

    /// <inheritdoc />
    public LinkStats LinkStats => _link.Stats;

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>Messages that were not records (acknowledged without being written).</summary>
    public long BadRecords => Interlocked.Read(ref _badRecords);

    /// <summary>Messages acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acked);

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var next = committed.TryGetValue(CheckpointStream, out var last) ? last + 1 : 1;
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            INatsJSConsumer? consumer = null;
            try
            {
                consumer = await OpenAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _link.Failed(FaultClassifier.Default.Classify(e, ct).Kind, Why(e));
            }
            if (consumer is not null)
            {
                _link.Succeeded(0);
                Volatile.Write(ref _consuming, true);
                attempt = 0;
                var messages = consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = _options.PullBatch, IdleHeartbeat = _options.IdleHeartbeat }, cancellationToken: ct).GetAsyncEnumerator(ct);
                await using (messages.ConfigureAwait(false))
                {
                    while (true)
                    {
                        try
                        {
                            if (!await messages.MoveNextAsync().ConfigureAwait(false)) break;
                        }
                        catch (Exception e) when (!ct.IsCancellationRequested)
                        {
                            Volatile.Write(ref _consuming, false);
                            _link.Failed(FaultClassifier.Default.Classify(e, ct).Kind, Why(e));
                            break;
                        }
                        var message = messages.Current;
                        _link.Succeeded(0);
                        var position = next++;
                        _unacked.Enqueue((position, message));
                        yield return new Delivery(Read(message), new Checkpoint(CheckpointStream, position));
                    }
                }
            }
            if (ct.IsCancellationRequested) break;
            await Task.Delay(Backoff.Delay(attempt++, _options.MinBackoff, _options.MaxBackoff, _randomizer()), _time, ct).ConfigureAwait(false);
        }
        _link.Stopped();
    }

    /// <summary>Connects, and finds the durable (or creates it when absent).</summary>
    private async Task<INatsJSConsumer> OpenAsync(CancellationToken ct)
    {
        await NatsUnreachableException.ConnectAsync(_connection, _options.Address.ForLog, _options.RequestTimeout, ct).ConfigureAwait(false);
        try
        {
            return await _js.GetConsumerAsync(_options.Stream, _options.Durable, ct).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == ConsumerNotFound)
        {
        }
        var consumer = await _js.CreateOrUpdateConsumerAsync(_options.Stream, new ConsumerConfig(_options.Durable)
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            MaxAckPending = _options.MaxAckPending,
            FilterSubject = _options.FilterSubject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, ct).ConfigureAwait(false);
        NatsLog.ConsumerCreated(_logger, _options.Stream, _options.Durable, _options.Address.ForLog, _options.FilterSubject, _options.AckWait, _options.MaxAckPending);
        return consumer;
    }

    private const int StreamNotFound = 10059;
    private const int ConsumerNotFound = 10014;

    /// <summary>Why the durable cannot be read, in words that name no credentials.</summary>
    private string Why(Exception e) => e switch
    {
        NatsJSApiException { Error.ErrCode: StreamNotFound } => $"stream {_options.Stream} does not exist yet on {_options.Address.ForLog} (no runner has published)",
        NatsUnreachableException => e.Message,
        _ when FaultClassifier.Default.Classify(e).Kind is FaultKind.Network or FaultKind.Timeout => $"{_options.Address.ForLog} does not answer ({e.GetType().Name})",
        _ => Secrets.SecretRedactor.Default.Redact($"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}"),
    };

    /// <summary>The record a message carries, or null (said once, counted) for one that is none.</summary>
    private TgMessage? Read(INatsJSMsg<byte[]> message)
    {
        try
        {
            // Cut like a connector cuts what the network gives: a huge text does not go to the sinks whole.
            return MessageText.Bound(TgMessageJson.Parse(message.Data ?? []));
        }
        catch (FormatException e)
        {
            if (Interlocked.Increment(ref _badRecords) == 1)
                NatsLog.NotARecord(_logger, _options.Stream, _options.Durable, message.Metadata?.Sequence.Stream ?? 0, message.Subject, TextLines.FirstLine(e.Message));
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Acknowledges every message delivered at or before <paramref name="upTo"/> (commits come in order). When an
    /// acknowledgement cannot be sent (the server is down), the rest waits for the next commit, which tries again; should none
    /// come, the server delivers the messages again after AckWait and the state store's dedup drops them.
    /// </remarks>
    public async ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct)
    {
        while (_unacked.TryPeek(out var head) && head.Position <= upTo.Position)
        {
            try
            {
                await head.Message.AckAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (Interlocked.Increment(ref _ackLost) == 1)
                    NatsLog.AckLost(_logger, _options.Stream, _options.Durable, FaultClassifier.Default.Classify(e).Kind, Secrets.SecretRedactor.Default.Redact($"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}"));
                return;
            }
            Interlocked.Increment(ref _acked);
            _unacked.TryDequeue(out _);
        }
    }

    /// <summary>Acknowledgements that could not be sent when first tried.</summary>
    public long AcksLost => Interlocked.Read(ref _ackLost);

    /// <inheritdoc />
    /// <remarks>A record carries its reply as its runner resolved it: nothing more can be read here.</remarks>
    public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) => ValueTask.FromResult(ReplyResult.Gone);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _link.Dispose();
        if (BadRecords > 1) NatsLog.NotRecords(_logger, _options.Stream, _options.Durable, BadRecords);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    void ILinkReport.Down(DateTimeOffset since, FaultKind fault, string reason) => NatsLog.Down(_logger, _options.Stream, _options.Durable, since.UtcDateTime, fault, reason);

    void ILinkReport.Up(TimeSpan downtime, int updates) => NatsLog.Up(_logger, _options.Stream, _options.Durable, Duration.Format(downtime));

    void ILinkReport.ShortDrops(int drops, TimeSpan window, TimeSpan grace) =>
        NatsLog.ShortDrops(_logger, _options.Stream, _options.Durable, drops, Duration.Format(window), Duration.Format(grace));
}
