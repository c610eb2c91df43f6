using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Tgwatch.Sinks.Webhook;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Webhook;

/// <summary>
/// The webhook sender's waits, on a fake clock with a fixed randomizer: between attempts of a delivery, between probes of
/// an endpoint that refuses every record, and while the outbox fails, each the backoff of its attempt (1 s doubling up to
/// 8 s here, three quarters of the step with a randomizer of 0.5), or what a <c>Retry-After</c> asks for.
/// </summary>
public sealed class WebhookBackoffTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TestLogging _logs = new();
    // A request's time-out and the shutdown's are timers too: only the waits shorter than them are the backoff's.
    private readonly SteppedClock _clock = new(SomeMessage.Date) { Steps = due => due < TimeSpan.FromHours(1) };
    private readonly ObservedStore _store = new();

    public void Dispose() => _logs.Dispose();

    private WebhookSink Sink(HttpClient http) => new(new WebhookSinkOptions
    {
        Url = new Uri("http://hook.invalid/hook"),
        MinBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(8),
        RequestTimeout = TimeSpan.FromHours(1),
        ShutdownTimeout = TimeSpan.FromHours(1),
    }, _store, http, _logs.For<WebhookSink>(), _clock, () => 0.5);

    [Fact]
    public async Task ADeliveryThatFails_IsSentAgainAfterTheBackoff_OrAfterTheRetryAfter()
    {
        using var http = new HttpClient(new ScriptedEndpoint(
            (HttpStatusCode.InternalServerError, null), (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.TooManyRequests, 120),
            (HttpStatusCode.InternalServerError, null), (HttpStatusCode.BadGateway, null)));
        var sink = Sink(http);
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 2), default);

        // Steps 1, 2 s, the 120 s the server asked for, then 8 s (4 s doubled) and 8 s (the most).
        Assert.Equal(SteppedClock.Milliseconds(750, 1500, 120_000, 6000, 6000), await _clock.StepThroughAsync(5));
        Assert.Equal(2, (await _store.Deleted.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Count);
        await sink.DisposeAsync();
        Assert.Equal((2L, 5L), (sink.Stats.Sent, sink.Stats.FailedAttempts));
    }

    [Fact]
    public async Task AnEndpointRefusingEveryRecord_IsProbedAfterTheBackoff_UntilItAcceptsOne()
    {
        using var http = new HttpClient(new ScriptedEndpoint([.. Enumerable.Repeat(((HttpStatusCode)422, (int?)null), 5)]));
        var sink = Sink(http);
        await sink.StartAsync(default);

        await sink.WriteAsync([SomeMessage.New(1)], default);

        Assert.Equal(SteppedClock.Milliseconds(750, 1500, 3000, 6000, 6000), await _clock.StepThroughAsync(5));
        Assert.Single(await _store.Deleted.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        await sink.DisposeAsync();
        Assert.Equal((1L, 0L), (sink.Stats.Sent, sink.Stats.DeadLettered));
        Assert.Single(_logs.WithId(3211)); // one line while it refuses
    }

    [Fact]
    public async Task AnOutboxThatFails_IsTriedAgainAfterTheBackoff_SaidOnceWhenItFailsAndOnceWhenItWorks()
    {
        using var http = new HttpClient(new ScriptedEndpoint());
        var sink = Sink(http);
        _store.PeekFailures = 6;
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 3), default);

        Assert.Equal(SteppedClock.Milliseconds(750, 1500, 3000, 6000, 6000, 6000), await _clock.StepThroughAsync(6));
        Assert.Equal(3, (await _store.Deleted.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Count);
        await sink.DisposeAsync();
        Assert.Equal(3L, sink.Stats.Sent);
        Assert.Contains("trying again in 750ms", Assert.Single(_logs.WithId(3206)).Message);
        Assert.Contains("after 6 failed attempt(s)", Assert.Single(_logs.WithId(3212)).Message);
    }

    /// <summary>An endpoint in a message handler: the scripted answers in order (a status and a <c>Retry-After</c> in seconds), then 200.</summary>
    private sealed class ScriptedEndpoint(params (HttpStatusCode Status, int? RetryAfter)[] answers) : HttpMessageHandler
    {
        private int _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var i = Interlocked.Increment(ref _requests) - 1;
            var (status, retryAfter) = i < answers.Length ? answers[i] : (HttpStatusCode.OK, null);
            var response = new HttpResponseMessage(status);
            if (retryAfter is { } seconds) response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
            return Task.FromResult(response);
        }
    }

    /// <summary>A state store whose outbox fails its first peeks (a full disk, ENOSPC as .NET gives it on Linux), and tells each deletion (records delivered) once it is done.</summary>
    private sealed class ObservedStore() : DelegatingStateStore(new InMemoryStateStore())
    {
        private ObservedOutbox? _outbox;

        public int PeekFailures { get; set; }

        public Channel<IReadOnlyList<long>> Deleted { get; } = Channel.CreateUnbounded<IReadOnlyList<long>>();

        public override IOutbox Outbox => _outbox ??= new ObservedOutbox(this, Inner.Outbox);

        private sealed class ObservedOutbox(ObservedStore store, IOutbox inner) : IOutbox
        {
            public ValueTask<IReadOnlyList<OutboxEntry>> PeekAsync(string sink, int max, CancellationToken ct) =>
                store.PeekFailures-- > 0 ? throw new IOException("No space left on device", 28) : inner.PeekAsync(sink, max, ct);

            public async ValueTask DeleteAsync(string sink, IReadOnlyList<long> ids, CancellationToken ct)
            {
                await inner.DeleteAsync(sink, ids, ct);
                store.Deleted.Writer.TryWrite(ids);
            }

            public ValueTask<int> EnqueueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => inner.EnqueueAsync(sink, items, ct);

            public ValueTask<int> RequeueAsync(string sink, IReadOnlyList<OutboxItem> items, CancellationToken ct) => inner.RequeueAsync(sink, items, ct);

            public ValueTask<IReadOnlyList<OutboxEntry>> PeekAfterAsync(string sink, long afterId, int max, CancellationToken ct) => inner.PeekAfterAsync(sink, afterId, max, ct);

            public ValueTask<long> CountAsync(string sink, CancellationToken ct) => inner.CountAsync(sink, ct);

            public ValueTask<IReadOnlyDictionary<string, long>> WaitingAsync(CancellationToken ct) => inner.WaitingAsync(ct);

            public ValueTask<OutboxMove> MoveAsync(string from, string to, CancellationToken ct) => inner.MoveAsync(from, to, ct);

            public ValueTask<long> DropAsync(string sink, CancellationToken ct) => inner.DropAsync(sink, ct);
        }
    }
}
