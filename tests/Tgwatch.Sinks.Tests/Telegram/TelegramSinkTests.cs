using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Sinks.Telegram;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Telegram;

/// <summary>
/// The alert sink on a fake clock with a fixed randomizer: the pace Telegram allows (1 s between alerts, 20 a minute in a group),
/// a 429's <c>retry_after</c> waited out, network failures retried quietly, refusals dead-lettered and said once.
/// </summary>
public sealed class TelegramSinkTests : IDisposable
{
    private const string Group = "-1001234567890";
    private readonly TestLogging _logs = new();
    // A request's time-out and the shutdown's are timers too: only the waits shorter than them are the pace's and the backoff's.
    private readonly SteppedClock _clock = new(SomeMessage.Date) { Steps = due => due < TimeSpan.FromHours(1) };
    private readonly InMemoryStateStore _store = new();

    public void Dispose() => _logs.Dispose();

    private TelegramSink Sink(IChatPoster poster, string chat = Group, TimeSpan? interval = null, int perMinute = 20, bool forward = false, string? name = null) => new(new TelegramSinkOptions
    {
        Chat = chat,
        Name = name,
        Forward = forward,
        Interval = interval ?? TimeSpan.FromSeconds(1),
        GroupPerMinute = perMinute,
        MinBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(8),
        RequestTimeout = TimeSpan.FromHours(1),
        ShutdownTimeout = TimeSpan.FromHours(1),
    }, poster, _store, _logs.For<TelegramSink>(), _clock, () => 0.5);

    [Fact]
    public async Task AlertsToAPrivateChat_GoOneASecond()
    {
        var poster = new ScriptedPoster(_clock);
        await using var sink = Sink(poster, chat: "12345");
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 21), default);

        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(1), 20), await _clock.StepThroughAsync(20));
        await Eventually.TrueAsync(() => sink.Stats.Sent == 21, "21 sent");
        Assert.Equal([.. Enumerable.Range(1, 21).Select(i => $"message {i}")], poster.Posts.Select(p => p.Text.Split('\n')[2]));
        Assert.All(poster.Posts, p => Assert.Equal("12345", p.Chat));
    }

    [Fact]
    public async Task AlertsToAGroup_GoOneASecond_AndAtMostTwentyAMinute()
    {
        var poster = new ScriptedPoster(_clock);
        await using var sink = Sink(poster);
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 22), default);

        // 20 alerts at 0…19 s; the 21st when the first is a minute old (60 s), the 22nd a second later.
        Assert.Equal([.. Enumerable.Repeat(TimeSpan.FromSeconds(1), 19), TimeSpan.FromSeconds(41), TimeSpan.FromSeconds(1)], await _clock.StepThroughAsync(21));
        await Eventually.TrueAsync(() => sink.Stats.Sent == 22, "22 sent");
        var times = poster.Posts.Select(p => p.At - SomeMessage.Date).ToList();
        for (var i = 20; i < times.Count; i++) Assert.True(times[i] - times[i - 20] >= TimeSpan.FromMinutes(1), $"alert {i + 1} within a minute of alert {i - 19}");
    }

    // Two alert sinks to one chat through one account (two routes, say) share the chat's pace: Telegram's limit is the chat's,
    // not each sink's.
    [Fact]
    public async Task TwoSinksToOneChat_KeepOnePaceBetweenThem()
    {
        var poster = new ScriptedPoster(_clock);
        await using var first = Sink(poster, name: "telegram:a");
        await using var second = Sink(poster, name: "telegram:b");
        await first.StartAsync(default);
        await second.StartAsync(default);

        await first.WriteAsync(SomeMessage.Batch(1, 1), default);
        await second.WriteAsync(SomeMessage.Batch(11, 1), default);

        // One alert goes at once; the other waits the chat's second (with a pace each, both would have gone at once).
        Assert.Equal([TimeSpan.FromSeconds(1)], await _clock.StepThroughAsync(1));
        await Eventually.TrueAsync(() => first.Stats.Sent + second.Stats.Sent == 2, "both sent");
        var times = poster.Posts.Select(p => p.At).Order().ToList();
        Assert.Equal(TimeSpan.FromSeconds(1), times[1] - times[0]);
    }

    [Fact]
    public async Task A429_IsWaitedOutForItsRetryAfter_ThenTheAlertGoesOnce()
    {
        var poster = new ScriptedPoster(_clock, PostResult.Posted, PostResult.Error(429, "Too Many Requests: retry after 7", TimeSpan.FromSeconds(7)));
        await using var sink = Sink(poster, chat: "12345");
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 2), default);

        Assert.Equal(SteppedClock.Milliseconds(1000, 7000), await _clock.StepThroughAsync(2));
        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "both sent");
        Assert.Equal(["message 1", "message 2"], poster.Posts.Where(p => p.Result.Outcome == PostOutcome.Posted).Select(p => p.Text.Split('\n')[2]));
        Assert.Equal((1L, 1L), (sink.Stats.FailedAttempts, sink.Stats.Failures[FaultKind.RateLimited]));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, Assert.Single(_logs.WithId(3201)).Level);
    }

    [Fact]
    public async Task ANetworkFailure_IsRetriedAfterTheBackoff_OneLineDownOneLineUp()
    {
        var poster = new ScriptedPoster(_clock, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)));
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0);
        await sink.StartAsync(default);

        await sink.WriteAsync([SomeMessage.New(1)], default);

        Assert.Equal(SteppedClock.Milliseconds(750), await _clock.StepThroughAsync(1));
        // The line that says it works again comes after the count of what was sent.
        await Eventually.TrueAsync(() => sink.Stats.Sent == 1 && _logs.WithId(3203).Any(), "sent, and said");
        Assert.Equal(1L, sink.Stats.Failures[FaultKind.Network]);
        Assert.Contains("Network", Assert.Single(_logs.WithId(3201)).Message);
        Assert.Single(_logs.WithId(3203));
        Assert.False(sink.Stats.Failing);
    }

    [Fact]
    public async Task Refusals_GoToDeadLetters_SaidOnce_UntilAnAlertGoesThrough()
    {
        var notFound = PostResult.Error(400, "Bad Request: chat not found");
        var poster = new ScriptedPoster(_clock, notFound, notFound, notFound);
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0);
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 4), default);

        // The line that says it takes alerts again comes after the count of what was sent.
        await Eventually.TrueAsync(() => sink.Stats.Sent == 1 && sink.Stats.DeadLettered == 3 && _logs.WithId(3302).Any(), "3 dead letters, 1 sent, and said");
        Assert.Equal((0L, 0L), (sink.Stats.Pending, sink.Stats.FailedAttempts));
        var said = Assert.Single(_logs.WithId(3301));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, said.Level);
        Assert.Contains("400 Bad Request: chat not found", said.Message);
        Assert.Contains("after refusing 3", Assert.Single(_logs.WithId(3302)).Message);
        var letters = await _store.DeadLetters.ListAsync(10, 0, default);
        Assert.Equal([SomeMessage.New(1).Key, SomeMessage.New(2).Key, SomeMessage.New(3).Key], letters.Select(l => l.Letter.Key));
        Assert.All(letters, l => Assert.Equal("sink:telegram:" + Group, l.Letter.Stage));
        Assert.All(letters, l => Assert.Contains("chat not found", l.Letter.Error));
    }

    [Fact]
    public async Task AlertsNotSentAtAStop_StayInTheOutbox_AndTheNextSinkSendsThem()
    {
        var blocked = new ScriptedPoster(_clock, new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)));
        var first = Sink(blocked, interval: TimeSpan.Zero, perMinute: 0);
        await first.StartAsync(default);
        await first.WriteAsync(SomeMessage.Batch(1, 3), default);
        await _clock.NextWaitAsync(); // the backoff after the failure: delivery is failing, the stop does not wait
        await first.DisposeAsync();
        Assert.Equal(3L, await _store.Outbox.CountAsync(first.Name, default));

        var poster = new ScriptedPoster(_clock);
        await using var second = Sink(poster, interval: TimeSpan.Zero, perMinute: 0);
        await second.StartAsync(default);
        await Eventually.TrueAsync(() => second.Stats.Sent == 3, "the 3 left sent");
        Assert.Equal(["message 1", "message 2", "message 3"], poster.Posts.Select(p => p.Text.Split('\n')[2]));
    }

    [Fact]
    public async Task AReplyUpdate_IsNotAlertedASecondTime()
    {
        var poster = new ScriptedPoster(_clock);
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0);
        await sink.StartAsync(default);

        await sink.WriteAsync([SomeMessage.New(1), SomeMessage.New(1) with { IsReplyUpdate = true }], default);

        await Eventually.TrueAsync(() => sink.Stats.Sent == 1, "one sent");
        Assert.Equal(0L, await _store.Outbox.CountAsync(sink.Name, default));
        Assert.Single(poster.Posts);
    }

    [Fact]
    public async Task WithForward_TheMessageItselfIsForwarded_ADeletionGoesAsText()
    {
        var poster = new ScriptedPoster(_clock);
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0, forward: true);
        await sink.StartAsync(default);

        await sink.WriteAsync([SomeMessage.New(7, chatId: -100555), SomeMessage.Delete(8, chatId: -100555)], default);

        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "two sent");
        Assert.Equal("forward -100555/7", poster.Posts[0].Text);
        Assert.EndsWith("\ndeleted", poster.Posts[1].Text, StringComparison.Ordinal);
        Assert.All(poster.Posts, p => Assert.Equal(Group, p.Chat));
    }

    [Fact]
    public async Task AMessageTelegramWillNotForward_GoesAsText_SaidOnce()
    {
        var refused = PostResult.Error(400, "the message can't be forwarded (a protected chat's, or no longer there)");
        var poster = new ScriptedPoster(_clock, refused, PostResult.Posted, refused, PostResult.Posted);
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0, forward: true);
        await sink.StartAsync(default);

        await sink.WriteAsync([SomeMessage.New(1, "one"), SomeMessage.New(2, "two")], default);

        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "two sent");
        Assert.Equal(0, sink.Stats.DeadLettered);
        Assert.Equal(4, poster.Posts.Count);
        Assert.Contains("\none\n", poster.Posts[1].Text, StringComparison.Ordinal);
        Assert.Contains("\ntwo\n", poster.Posts[3].Text, StringComparison.Ordinal);
        Assert.Contains("would not forward", Assert.Single(_logs.WithId(3303)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAlertOfThisRunComingBackAsARecord_IsNotAlertedAgain()
    {
        var poster = new ScriptedPoster(_clock) { Own = { (-1001234567890, 2) } };
        await using var sink = Sink(poster, interval: TimeSpan.Zero, perMinute: 0);
        await sink.StartAsync(default);

        await sink.WriteAsync(SomeMessage.Batch(1, 3), default);

        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "two sent");
        Assert.Equal(0L, await _store.Outbox.CountAsync(sink.Name, default));
        Assert.Equal(2, poster.Posts.Count);
        Assert.DoesNotContain(poster.Posts, p => p.Text.Contains("message 2", StringComparison.Ordinal));
    }

    /// <summary>
    /// A chat poster answering with the scripted results (or throwing the scripted exceptions) in order, then posting; a forward
    /// is recorded as the text <c>forward CHAT/ID</c>; <see cref="Own"/> are its own posts.
    /// </summary>
    private sealed class ScriptedPoster(TimeProvider time, params object[] script) : IChatPoster
    {
        private readonly Lock _sync = new();

        public HashSet<(long Chat, long Id)> Own { get; } = [];

        public bool IsOwnPost(long chatId, long messageId) => Own.Contains((chatId, messageId));

        public ValueTask<PostResult> ForwardAsync(string chat, long fromChatId, long messageId, CancellationToken ct) =>
            PostAsync(chat, $"forward {fromChatId}/{messageId}", ct);
        private readonly List<(string Chat, string Text, DateTimeOffset At, PostResult Result)> _posts = [];
        private int _calls;

        public IReadOnlyList<(string Chat, string Text, DateTimeOffset At, PostResult Result)> Posts
        {
            get { lock (_sync) return [.. _posts]; }
        }

        public ValueTask<PostResult> PostAsync(string chat, string text, CancellationToken ct)
        {
            var i = Interlocked.Increment(ref _calls) - 1;
            var next = i < script.Length ? script[i] : PostResult.Posted;
            if (next is Exception e) throw e;
            var result = (PostResult)next;
            lock (_sync) _posts.Add((chat, text, time.GetUtcNow(), result));
            return ValueTask.FromResult(result);
        }
    }
}
