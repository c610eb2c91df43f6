using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// A cross-check against a Bot API emulator we did not write, npm <c>telegram-test-api@4.2.1</c>, run as a real
/// node process (<see cref="TelegramTestApi"/>); our connector through our real pipeline.
/// Its quirks: getUpdates answers at once (no long polling) and ignores <c>offset</c>, <c>limit</c> and
/// <c>allowed_updates</c>; it hands each update out once (it marks it read), so an update taken and not committed
/// is not given again (the sandbox tests cover redelivery); it has no channel posts. Its <c>getMe</c> has no
/// <c>is_bot</c>, and the messages it relays carry the client's extra <c>botToken</c> field and, for every chat
/// type, both a <c>title</c> and the user's names; Telegram.Bot reads all of it.
/// </summary>
public sealed class TelegramTestApiTests : IAsyncLifetime
{
    private const string Token = "123456789:AAtelegramTestApiCrossCheck";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(300);
    private TelegramTestApi? _started;
    private readonly CollectingLoggerProvider _logs = new();

    private TelegramTestApi Api => _started ?? throw new InvalidOperationException("the emulator did not start");

    public async Task InitializeAsync() => _started = await TelegramTestApi.StartAsync();

    public async Task DisposeAsync()
    {
        if (_started is null) return;
        await _started.DisposeAsync();
        Assert.True(_started.HasExited, "the node child is still running");
    }

    private BotApiConnector Connector(int limit = 100, HttpClient? http = null, TimeProvider? time = null) => new(new BotApiOptions
    {
        Token = Token,
        ApiUrl = Api.ApiUrl,
        PollTimeout = TimeSpan.FromSeconds(2),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        EmptyPollFloor = Floor,
        Limit = limit,
    }, _logs.CreateLogger("Tgwatch.BotApi"), time, http);

    private static PipelineOptions Fast() => new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    private EmulatedUser Ada() => Api.User(Token, 1001, "Ada", "ada", chatId: 1001);

    /// <summary>Runs a pipeline until <paramref name="until"/> holds and then for <paramref name="linger"/> more (to catch repeats), then stops it.</summary>
    private async Task RunUntilAsync(MessagePipeline pipeline, Func<bool> until, TimeSpan linger = default, Func<Task>? during = null,
        [CallerArgumentExpression(nameof(until))] string what = "")
    {
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        if (during is not null) await during();
        try
        {
            // A run that ended by itself fails the wait with its exception.
            await Eventually.TrueAsync(until, what, Patience, running: run);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}; the emulator said:\n{Api.Stderr}", e.InnerException);
        }
        // A real node process: what it would give again comes, if at all, within a few polls.
        await Task.Delay(linger);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(until(), $"{what}: no longer after the stop; the emulator said:\n{Api.Stderr}");
    }

    /// <summary>What a stored user message should become: (chat id, chat type, chat title, message id, sender, text, reply).</summary>
    private static (long, string?, string?, long, SenderInfo?, string?, ReplyRef?) Expected(JsonElement stored)
    {
        var m = stored.GetProperty("message");
        var chat = m.GetProperty("chat");
        var from = m.GetProperty("from");
        ReplyRef? reply = m.TryGetProperty("reply_to_message", out var r)
            ? new ReplyRef(r.GetProperty("chat").GetProperty("id").GetInt64(), r.GetProperty("message_id").GetInt64(), ReplyState.Resolved, r.GetProperty("text").GetString())
            : null;
        return (chat.GetProperty("id").GetInt64(), chat.GetProperty("type").GetString(), chat.GetProperty("title").GetString(),
            stored.GetProperty("messageId").GetInt64(),
            new SenderInfo(from.GetProperty("id").GetInt64(), from.GetProperty("first_name").GetString(), from.GetProperty("username").GetString()),
            m.GetProperty("text").GetString(), reply);
    }

    private static (long, string?, string?, long, SenderInfo?, string?, ReplyRef?) Actual(TgMessage m) =>
        (m.Chat.Id, m.Chat.Type, m.Chat.Title, m.MessageId, m.Sender, m.Text, m.ReplyTo);

    [Fact]
    public async Task EveryClientMessage_ArrivesOnce_WithItsChatSenderAndReply_AndASecondRunOnTheSameStoreDeliversOnlyWhatIsNew()
    {
        var ada = Ada();
        var adaInTeam = Api.User(Token, 1001, "Ada", "ada", chatId: -2001, chatType: "group", chatTitle: "Team");
        var bobInTeam = Api.User(Token, 1002, "Bob", "bob", chatId: -2001, chatType: "group", chatTitle: "Team");
        for (var i = 0; i < 3; i++) await ada.SendMessageAsync($"hello {i}");
        await adaInTeam.SendMessageAsync("morning team");
        var history = await Api.HistoryAsync(Token);
        await bobInTeam.ReplyAsync("morning Ada", history.Single(h => h.GetProperty("message").GetProperty("text").GetString() == "morning team"));
        await bobInTeam.SendCommandAsync("/status now");
        await bobInTeam.SendCallbackAsync("pressed"); // a callback_query: the emulator ignores allowed_updates
        history = await Api.HistoryAsync(Token);
        var messages = history.Where(h => h.TryGetProperty("message", out _)).ToList();
        Assert.Equal(6, messages.Count);

        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = Connector();
        var pipeline = new MessagePipeline(connector, [sink], store, Fast());
        await RunUntilAsync(pipeline, () => sink.Keys.Count >= 6 && connector.Stats.SkippedUpdates >= 1, linger: Floor * 3);

        // Exactly once each, as the emulated client sent it; the connector gave no repeats (the pipeline dropped none).
        Assert.Equal(6, sink.Writes.Count);
        Assert.Equal(0, pipeline.Stats.Duplicates);
        Assert.Equal(
            messages.Select(Expected).OrderBy(x => x.Item4),
            sink.Writes.Select(Actual).OrderBy(x => x.Item4));
        var reply = sink.Writes.Single(m => m.Text == "morning Ada");
        Assert.Equal(new ReplyRef(-2001, sink.Writes.Single(m => m.Text == "morning team").MessageId, ReplyState.Resolved, "morning team"), reply.ReplyTo);
        Assert.All(sink.Writes, m => Assert.Equal(("bot123456789", "botapi", MessageKind.New), (m.Account, m.Connector, m.Kind)));
        Assert.Equal(1, connector.Stats.SkippedUpdates);
        Assert.Equal(0, connector.Stats.Malformed);
        // Its getMe (no is_bot) was read; the one notice is the skipped kind, no fault line.
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 4001 && e.Message.Contains("@TestNameBot (id 666)", StringComparison.Ordinal));
        Assert.Equal([(4007, "callback_query")], _logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => (e.EventId.Id, e.Message.Contains("callback_query", StringComparison.Ordinal) ? "callback_query" : e.Message)));
        // The checkpoint is past the last update, the skipped callback included.
        var last = history.Max(h => h.GetProperty("updateId").GetInt64());
        var committed = (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"];
        Assert.Equal(last, committed);

        // A second run on the same store: it asks from committed + 1 (which the emulator ignores) and delivers only
        // the message sent during it.
        var before = Api.GetUpdatesCalls(Token).Count;
        var second = new CollectingSink("second");
        await using var again = Connector();
        var secondPipeline = new MessagePipeline(again, [second], store, Fast());
        await RunUntilAsync(secondPipeline, () => second.Keys.Count >= 1, linger: Floor * 3, during: async () =>
        {
            await Eventually.TrueAsync(() => Api.GetUpdatesCalls(Token).Count > before, "the second run's first poll", Patience);
            await ada.SendMessageAsync("hello again");
        });
        Assert.Equal(["hello again"], second.Writes.Select(m => m.Text));
        Assert.Equal(0, secondPipeline.Stats.Duplicates);
        var polls = Api.GetUpdatesCalls(Token).Skip(before).ToList();
        Assert.NotEmpty(polls);
        Assert.Equal(committed + 1, polls[0].GetProperty("body").GetProperty("offset").GetInt64());
        Assert.Equal(last + 1, (await store.LoadCheckpointsAsync(again.Account, "botapi", default))["updates"]);
    }

    [Fact]
    public async Task ABatchLargerThanTheLimitAsked_IsDeliveredWhole_InOrder()
    {
        var ada = Ada();
        for (var i = 0; i < 25; i++) await ada.SendMessageAsync($"m {i}");
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var answers = new AnswerRecorder();
        using var http = new HttpClient(answers);
        await using var connector = Connector(limit: 10, http: http);
        var pipeline = new MessagePipeline(connector, [sink], store, Fast());
        await RunUntilAsync(pipeline, () => sink.Keys.Count >= 25, linger: Floor * 2);

        // One answer held all 25: the emulator ignores limit = 10.
        Assert.Equal(25, answers.GetUpdatesSizes.Max());
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"m {i}"), sink.Writes.Select(m => m.Text));
        Assert.Equal(0, pipeline.Stats.Duplicates);
        Assert.Equal(25, (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"]);
    }

    [Fact]
    public async Task AnEmulatorThatAnswersAtOnce_DoesNotMakeItSpin_AndWhatComesMeanwhileArrives()
    {
        var sink = new CollectingSink();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var connector = Connector(time: time);
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast());
        using var stop = new CancellationTokenSource();
        var started = time.GetUtcNow();
        var run = pipeline.RunAsync(stop.Token);
        // A second or more of empty polls on the clock, then a message; the run goes on a while after it arrives (so
        // repeats would show). The clock moves in steps, with real time between them for the emulator's answers.
        var step = TimeSpan.FromMilliseconds(10);
        await Eventually.OnClockAsync(time, step, () => (time.GetUtcNow() - started >= TimeSpan.FromSeconds(1) && Api.GetUpdatesCalls(Token).Count >= 3) || run.IsCompleted,
            "a second of polls", TimeSpan.FromMinutes(1));
        await Ada().SendMessageAsync("while polling");
        await Eventually.OnClockAsync(time, step, () => sink.Keys.Count >= 1 || run.IsCompleted, "the message", TimeSpan.FromMinutes(1));
        var arrived = time.GetUtcNow();
        await Eventually.OnClockAsync(time, step, () => time.GetUtcNow() - arrived >= Floor * 3 || run.IsCompleted, "three floors more", TimeSpan.FromMinutes(1));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        var elapsed = time.GetUtcNow() - started;

        Assert.Equal(["while polling"], sink.Writes.Select(m => m.Text));
        var seen = Api.GetUpdatesCalls(Token);
        // Each getUpdates came back at once ("timeout": 2 asked, not honoured), so only the empty-poll floor paces it:
        // one per 300 ms (plus the one right after the message), not thousands.
        Assert.All(seen, r => Assert.Equal(2, r.GetProperty("body").GetProperty("timeout").GetInt32()));
        Assert.InRange(seen.Count, 3, (int)(elapsed / Floor) + 2);
        Assert.InRange(connector.Stats.Polls, seen.Count - 1, seen.Count); // the last may have been cut by the stop
    }
}

/// <summary>Keeps how many updates each getUpdates answer held, as the connector received them.</summary>
internal sealed class AnswerRecorder() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _sizes = new();

    public IReadOnlyList<int> GetUpdatesSizes => [.. _sizes];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath.EndsWith("/getUpdates", StringComparison.Ordinal))
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            _sizes.Enqueue(answer.RootElement.GetProperty("result").GetArrayLength());
        }
        return response;
    }
}
