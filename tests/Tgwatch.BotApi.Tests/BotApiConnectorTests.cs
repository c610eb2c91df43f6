using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.BotApi;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>The connector against the Bot API sandbox (real HTTP on loopback), through the real pipeline.</summary>
public sealed class BotApiConnectorTests : IAsyncLifetime
{
    private const long Chat = -1001234567890;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private BotApiSandbox _sandbox = null!;
    private readonly CollectingLoggerProvider _logs = new();

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private BotApiConnector Connector(string? token = null, TimeSpan? pollTimeout = null, TimeSpan? idleWithoutOffset = null, DateTimeOffset? lastCommittedAt = null,
        TimeProvider? time = null) => new(new BotApiOptions
    {
        Token = token ?? _sandbox.Token,
        ApiUrl = _sandbox.BaseUrl,
        PollTimeout = pollTimeout ?? TimeSpan.FromSeconds(2),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        EmptyPollFloor = TimeSpan.FromMilliseconds(300),
        IdleWithoutOffset = idleWithoutOffset ?? TimeSpan.FromHours(25),
        LastCommittedAt = lastCommittedAt,
    }, _logs.CreateLogger("Tgwatch.BotApi"), time);

    private static PipelineOptions Fast() => new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    private static PipelineOptions Quick()
    {
        var options = Fast();
        options.DrainTimeout = TimeSpan.FromMilliseconds(200);
        return options;
    }

    private async Task InjectAsync(int count, string text = "m")
    {
        for (var i = 0; i < count; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Chat, Text = $"{text} {i}", From = new SandboxUser { Id = 1001, FirstName = "Ada", Username = "ada" } });
    }

    /// <summary>Runs a pipeline until <paramref name="until"/> holds, then stops it.</summary>
    private static async Task RunUntilAsync(MessagePipeline pipeline, Func<bool> until, [CallerArgumentExpression(nameof(until))] string what = "")
    {
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(until, what, TimeSpan.FromSeconds(20), running: run);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(until(), $"{what}: no longer after the stop");
    }

    private async Task<long> GetUpdatesServedAsync() =>
        (await _sandbox.Admin.GetStatsAsync()).RequestsByMethod.GetValueOrDefault("getUpdates");

    [Fact]
    public async Task Messages_Replies_AndChannelPosts_ReachTheSinks_AndTheOffsetIsConfirmedAfterTheCommit()
    {
        await InjectAsync(3);
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Chat, Text = "answer", ReplyToMessageId = 1, From = new SandboxUser { Id = 1002, FirstName = "Bob" } });
        await _sandbox.Admin.SendChannelPostAsync(new InjectMessage { ChatId = -1009, Text = "news", Chat = new SandboxChat { Type = "channel", Title = "News" } });
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = Connector();
        await RunUntilAsync(new MessagePipeline(connector, [sink], store, Fast()), () => sink.Keys.Count == 5);

        var reply = sink.Writes.Single(m => m.Text == "answer");
        Assert.Equal(new ReplyRef(Chat, 1, ReplyState.Resolved, "m 0"), reply.ReplyTo);
        var post = sink.Writes.Single(m => m.Text == "news");
        Assert.Equal(("channel", -1009L), (post.Chat.Type, post.Sender!.Id));
        Assert.Equal(ConnectionState.Disconnected, connector.Status.State); // stopped
        var committed = (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"];
        Assert.Equal(5, committed);

        // A new run with the same store gets nothing again; one more message is all it delivers.
        await InjectAsync(1, "later");
        var second = new CollectingSink("second");
        await using var again = Connector();
        await RunUntilAsync(new MessagePipeline(again, [second], store, Fast()), () => second.Keys.Count == 1);
        Assert.Equal(["later 0"], second.Writes.Select(m => m.Text));
    }

    // After a week without updates Telegram numbers the next update at random, possibly below the ids before. It must be
    // delivered (not confirmed unseen by an offset from before), the checkpoint must keep rising, and a restart goes on.
    [Fact]
    public async Task UpdateIdsThatStartAgainLower_AreDelivered_InANewEpoch_AndARestartGoesOn()
    {
        await InjectAsync(3, "before"); // update ids 1, 2, 3
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        string account;
        // A long while without updates, shortened: a poll after 300 ms of none (and nothing in flight) has no offset.
        await using (var connector = Connector(pollTimeout: TimeSpan.FromSeconds(1), idleWithoutOffset: TimeSpan.FromMilliseconds(300)))
        {
            account = connector.Account;
            var pipeline = new MessagePipeline(connector, [sink], store, Fast());
            using var stop = new CancellationTokenSource();
            var run = pipeline.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Keys.Count == 3, "the three before", Patience);
            await Eventually.TrueAsync(async () => (await _sandbox.Admin.GetStatsAsync()).Bots[0].PendingUpdates == 0, "the three confirmed", Patience);
            var polls = await GetUpdatesServedAsync();
            await Eventually.TrueAsync(async () => await GetUpdatesServedAsync() >= polls + 2, "the end of the poll that confirmed them", Patience);
            await _sandbox.Admin.RenumberUpdatesAsync(new RenumberUpdates { Next = 2 });
            await InjectAsync(2, "after"); // update ids 2, 3 again
            await Eventually.TrueAsync(() => sink.Keys.Count == 5, "the two after", Patience);
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(20));
        }
        Assert.Equal(["before 0", "before 1", "before 2", "after 0", "after 1"], sink.Writes.Select(m => m.Text));
        var committed = (await store.LoadCheckpointsAsync(account, "botapi", default))["updates"];
        Assert.Equal((1L, 3L), (BotApiConnector.EpochOf(committed), BotApiConnector.IdOf(committed)));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 4010);

        await InjectAsync(1, "restart");
        var second = new CollectingSink("second");
        await using var again = Connector();
        await RunUntilAsync(new MessagePipeline(again, [second], store, Fast()), () => second.Keys.Count == 1);
        Assert.Equal(["restart 0"], second.Writes.Select(m => m.Text));
        var after = (await store.LoadCheckpointsAsync(account, "botapi", default))["updates"];
        Assert.Equal((1L, 4L), (BotApiConnector.EpochOf(after), BotApiConnector.IdOf(after)));
    }

    // A start long after the last commit (Telegram has forgotten everything before) asks without an offset at once: an
    // update numbered lower meanwhile is delivered. A start soon after it confirms the last run's commits with an offset.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AStartLongAfterTheLastCommit_DeliversAnUpdateNumberedLowerMeanwhile(bool longAfter)
    {
        await InjectAsync(3, "before"); // update ids 1, 2, 3: delivered and confirmed by an earlier run
        using (var http = new HttpClient())
            (await http.GetAsync(new Uri(_sandbox.BaseUrl, $"./bot{_sandbox.Token}/getUpdates?offset=4"))).EnsureSuccessStatusCode();
        await _sandbox.Admin.RenumberUpdatesAsync(new RenumberUpdates { Next = 2 });
        await InjectAsync(1, "after a week"); // update id 2 again
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using var connector = Connector(lastCommittedAt: DateTimeOffset.UtcNow - (longAfter ? TimeSpan.FromDays(8) : TimeSpan.FromMinutes(5)));
        await store.CommitAsync(new Tgwatch.Storage.StoreCommit(connector.Account, "botapi", [new Checkpoint("updates", 3)], [], DateTimeOffset.UtcNow), default);
        var pipeline = new MessagePipeline(connector, [sink], store, Fast());

        await RunUntilAsync(pipeline, () => longAfter ? sink.Keys.Count == 1 : connector.Stats.Polls >= 1);

        // Soon after the last commit the offset confirms what the earlier run committed (and Telegram's renumbering
        // needs a week without updates, so it does not happen then: the sandbox acts out the impossible here).
        Assert.Equal(longAfter ? ["after a week 0"] : [], sink.Writes.Select(m => m.Text));
    }

    [Theory]
    [InlineData(11L, 10L, false, 0L, 11L)] // the next one
    [InlineData(11L, 10L, true, 0L, 11L)]
    [InlineData(9L, 10L, false, null, null)] // delivered, not yet confirmed: sent again, in flight
    [InlineData(5L, 10L, true, 1L, 5L)] // without an offset, at or below the last delivered: the ids started again
    [InlineData(10L, 10L, true, 1L, 10L)]
    public void AnUpdatesPlace_IsItsIdInTheEpochItBelongsTo(long id, long delivered, bool idRestartPossible, long? epoch, long? placedId)
    {
        var place = BotApiConnector.Place(id, delivered, idRestartPossible);
        Assert.Equal((epoch, placedId), (place is { } p ? BotApiConnector.EpochOf(p) : (long?)null, place is { } q ? BotApiConnector.IdOf(q) : (long?)null));
        // In a later epoch the same holds above it.
        var later = BotApiConnector.Place(id, (3L << 32) | delivered, idRestartPossible);
        Assert.Equal(place is { } r ? ((BotApiConnector.EpochOf(r) + 3) << 32) | BotApiConnector.IdOf(r) : null, later);
    }

    [Fact]
    public async Task AnUpdateNotCommitted_IsDeliveredAgainByTheNextRun()
    {
        await InjectAsync(3);
        var store = new InMemoryStateStore();
        var stuck = new CollectingSink { BeforeWrite = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        await using (var connector = Connector())
        {
            // Stopped once all three are taken (not after a fixed time: a slow machine may not have polled by then).
            var pipeline = new MessagePipeline(connector, [stuck], store, Quick());
            await RunUntilAsync(pipeline, () => pipeline.Stats.Received == 3);
            Assert.Equal(3, pipeline.Stats.Received);
        }
        Assert.Empty(await store.LoadCheckpointsAsync("bot" + Secrets.BotToken.IdOf(_sandbox.Token), "botapi", default));

        var sink = new CollectingSink();
        await using var next = Connector();
        await RunUntilAsync(new MessagePipeline(next, [sink], store, Fast()), () => sink.Keys.Count == 3);
    }

    [Fact]
    public async Task BadGatewaysAndDroppedConnections_AreRetried_AndNothingIsLost()
    {
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.BadGateway, Count = 3, Method = "getUpdates" });
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop, Count = 2, Method = "getUpdates" });
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.DropResponse, Count = 2, Method = "getUpdates" });
        await InjectAsync(20);
        var sink = new CollectingSink();
        await using var connector = Connector();
        await RunUntilAsync(new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()), () => sink.Keys.Count == 20);
        Assert.Equal(20, sink.Writes.Count);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 4002); // short faults: no "down" line
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error); // a proxy's 502 page is the network, not a bug
    }

    [Fact]
    public async Task AWebhookSetOnTheBot_IsOneClearErrorLine_AndPollingResumesOnceItIsRemoved()
    {
        using var http = new HttpClient();
        (await http.PostAsync(_sandbox.MethodUrl("setWebhook") + "?url=https://example.org:443/hook", null)).EnsureSuccessStatusCode();
        await InjectAsync(2);
        var sink = new CollectingSink();
        await using var connector = Connector();
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()).RunAsync(stop.Token);
        // Several polls refused with 409 meanwhile (counted by the server; a fixed sleep may see none on a slow machine).
        await Eventually.TrueAsync(async () => await GetUpdatesServedAsync() >= 4, "four polls", Patience, running: run);
        Assert.Empty(sink.Keys);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4006 && e.Level == LogLevel.Error && e.Message.Contains("deleteWebhook", StringComparison.Ordinal));
        (await http.PostAsync(_sandbox.MethodUrl("deleteWebhook"), null)).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => sink.Keys.Count >= 2, "the two messages", Patience);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, sink.Keys.Count);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4006);
    }

    [Fact]
    public async Task ARateLimit_IsWaitedOutAsTheServerAsked()
    {
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 1, RetryAfter = 1, Method = "getUpdates" });
        await InjectAsync(1);
        var sink = new CollectingSink();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var connector = Connector(time: time);
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()).RunAsync(stop.Token);
        var waited = await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(10), () => sink.Keys.Count == 1 || run.IsCompleted, "the message", TimeSpan.FromMinutes(1));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(sink.Keys);
        Assert.True(waited >= TimeSpan.FromSeconds(1), $"the retry_after was not honoured: the message came after {waited}");
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4005);
    }

    [Fact]
    public async Task AMalformedUpdate_IsCountedAndSkipped_TheRestOfItsBatchArrives()
    {
        await InjectAsync(2, "before");
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed, Count = 1, Shape = MalformedShape.WrongType });
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed, Count = 1, Shape = MalformedShape.UnknownType });
        await InjectAsync(2, "after");
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = Connector();
        await RunUntilAsync(new MessagePipeline(connector, [sink], store, Fast()), () => sink.Keys.Count == 4 && connector.Stats.Malformed + connector.Stats.SkippedUpdates >= 2);
        Assert.Equal(1, connector.Stats.Malformed);
        Assert.Equal(1, connector.Stats.SkippedUpdates);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4008);
        Assert.Equal(6, (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"]); // past the bad ones
    }

    [Fact]
    public async Task ARejectedToken_StopsTheRunWithItsOwnError_AndTheTokenIsInNoLogLine()
    {
        const string unknown = "999999:AAUnknownUnknownUnknownUnknownUnknown1";
        await using var connector = Connector(unknown);
        var e = await Assert.ThrowsAsync<BotTokenRejectedException>(() =>
            new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast()).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(401, e.ErrorCode);
        Assert.DoesNotContain(unknown, e.ToString());
        Assert.All(_logs.Entries, l => Assert.DoesNotContain(unknown, l.Message + l.Exception));
    }

    // A stop that comes once a poll's answer is in, before it is read: Telegram.Bot reports the cancelled read as a
    // RequestException ("exception during deserialization of the response"), which must end the run as a stop.
    [Fact]
    public async Task AStopJustAfterAPollsAnswerCame_IsAStopNotAFailure()
    {
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient(new StopOnAnswerHandler(stop));
        await using var connector = new BotApiConnector(new BotApiOptions { Token = _sandbox.Token, ApiUrl = _sandbox.BaseUrl }, _logs.CreateLogger("Tgwatch.BotApi"), http: http);

        var error = await Record.ExceptionAsync(() =>
            new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast()).RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Null(error);
        Assert.True(stop.IsCancellationRequested);
    }

    /// <summary>Answers getMe; answers getUpdates with an empty batch and, as the answer is handed back, stops the run.</summary>
    private sealed class StopOnAnswerHandler(CancellationTokenSource stop) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var getMe = request.RequestUri!.AbsolutePath.EndsWith("/getMe", StringComparison.Ordinal);
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent(getMe ? """{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"B","username":"b_bot"}}""" : """{"ok":true,"result":[]}""",
                    System.Text.Encoding.UTF8, "application/json"),
            };
            if (!getMe) stop.Cancel();
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task AServerThatAnswersEmptyAtOnce_DoesNotMakeItSpin()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var connector = Connector(pollTimeout: TimeSpan.Zero, time: time); // the server answers [] at once
        var pipeline = new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast());
        using var stop = new CancellationTokenSource();
        var started = time.GetUtcNow();
        var run = pipeline.RunAsync(stop.Token);
        // Two seconds or more of the clock, and two polls at least (a loaded machine may start late).
        var elapsed = await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(10),
            () => (time.GetUtcNow() - started >= TimeSpan.FromSeconds(2) && connector.Stats.Polls >= 2) || run.IsCompleted, "two seconds of polls", TimeSpan.FromMinutes(1));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.InRange(connector.Stats.Polls, 2, (int)(elapsed / TimeSpan.FromMilliseconds(300)) + 2); // one poll per 300 ms floor, not thousands
    }

    private BotApiConnector Scripted(ScriptedBotApi api, HttpClient http) => new(new BotApiOptions
    {
        Token = ScriptedBotApi.Token,
        ApiUrl = new Uri("http://scripted.invalid/"),
        PollTimeout = TimeSpan.FromSeconds(2),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        EmptyPollFloor = TimeSpan.FromMilliseconds(300),
    }, _logs.CreateLogger("Tgwatch.BotApi"), http: http);

    /// <summary>A connector on a scripted server whose clock stands still: a wait for a commit ends only with a commit.</summary>
    private BotApiConnector OnAStillClock(HttpClient http, int? limit = null)
    {
        var options = new BotApiOptions
        {
            Token = ScriptedBotApi.Token,
            ApiUrl = new Uri("http://scripted.invalid/"),
            PollTimeout = TimeSpan.FromSeconds(2),
        };
        if (limit is { } l) options = options with { Limit = l };
        return new BotApiConnector(options, _logs.CreateLogger("Tgwatch.BotApi"), new FakeTimeProvider(DateTimeOffset.UtcNow), http);
    }

    private static string Text(long updateId, int messageId, string text, string date = "1764064801") =>
        $$$"""{"update_id": {{{updateId}}}, "message": {"message_id": {{{messageId}}}, "date": {{{date}}}, "chat": {"id": 1001, "type": "private", "first_name": "Ada"}, "text": "{{{text}}}"}}""";

    [Fact]
    public async Task HalfAnAnswerInFlight_IsNotAskedForAgain_TheNextPollCarriesTheCommit()
    {
        var api = new ScriptedBotApi();
        for (var id = 1; id <= 4; id++) api.Update(id, Text(id, id, $"m{id}"));
        using var http = new HttpClient(api);
        // The clock stands still: the connector's wait for a commit ends only with a commit.
        await using var connector = OnAStillClock(http, limit: 4);
        using var stop = new CancellationTokenSource();
        await using var deliveries = connector.ReadAsync(new Dictionary<string, long>(), stop.Token).GetAsyncEnumerator(stop.Token);
        for (var i = 0; i < 4; i++) Assert.True(await deliveries.MoveNextAsync().AsTask().WaitAsync(Patience));
        api.Update(5, Text(5, 5, "m5"));
        var fifth = deliveries.MoveNextAsync().AsTask();
        // Two of four still in flight, half an answer: the next answer would be half repeats, so no poll goes out. A real
        // wait, for a poll that would go out wrongly to come (nothing comes to wait for when it rightly does not).
        await connector.CommitAsync(new Checkpoint("updates", 2), CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(fifth.IsCompleted);
        Assert.Single(api.Offsets);
        // One in flight: the poll goes out, confirming what is committed.
        await connector.CommitAsync(new Checkpoint("updates", 3), CancellationToken.None);
        Assert.True(await fifth.WaitAsync(Patience));
        Assert.Equal("m5", deliveries.Current.Message!.Text);
        Assert.Equal(new long?[] { 1, 4 }, api.Offsets.Take(2));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task AMalformedUpdateAndOneOfAKindNotMonitored_SentAgainWhileInFlight_AreCountedAndLoggedOnce()
    {
        var api = new ScriptedBotApi()
            .Update(1, Text(1, 1, "far future", date: "99999999999999"))
            .Update(2, """{"update_id": 2, "a_kind_to_come": {"x": 1}}""")
            .Update(3, Text(3, 3, "m3"));
        using var http = new HttpClient(api);
        // The clock stands still: with all of an answer in flight, the connector waits for a commit, not for a second.
        await using var connector = OnAStillClock(http);
        using var stop = new CancellationTokenSource();
        await using var deliveries = connector.ReadAsync(new Dictionary<string, long>(), stop.Token).GetAsyncEnumerator(stop.Token);
        var positions = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await deliveries.MoveNextAsync().AsTask().WaitAsync(Patience));
            positions.Add(deliveries.Current.Position.Position);
        }
        var next = deliveries.MoveNextAsync().AsTask();
        // The second poll (none committed) brings all three again: they are in flight, passed over.
        await Eventually.TrueAsync(() => api.Offsets.Count >= 2, "a second poll", Patience);
        api.Update(4, Text(4, 4, "m4"));
        await connector.CommitAsync(new Checkpoint("updates", 3), CancellationToken.None);
        Assert.True(await next.WaitAsync(Patience));
        await stop.CancelAsync();

        Assert.Equal([1L, 2, 3], positions);
        Assert.Equal("m4", deliveries.Current.Message!.Text);
        Assert.Equal((1L, 1L), (connector.Stats.Malformed, connector.Stats.SkippedUpdates));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4008);
    }

    // A date beyond DateTime's range: Telegram.Bot's converter fails with an ArgumentOutOfRangeException. A forward_origin
    // without its type: its reader of origins fails with a KeyNotFoundException, not a JsonException. Either must cost that
    // update only, not its answer (asked for again and again) nor the run.
    [Theory]
    [InlineData("""{"update_id": 11, "message": {"message_id": 2, "date": 99999999999999, "chat": {"id": 1001, "type": "private"}, "text": "far future"}}""")]
    [InlineData("""{"update_id": 11, "message": {"message_id": 2, "date": 1764064801, "chat": {"id": 1001, "type": "private"}, "text": "odd", "forward_origin": {"date": 1}}}""")]
    public async Task AnUpdateTelegramBotsReaderFailsOn_IsCountedAndSkipped_TheRestOfItsAnswerArrives(string odd)
    {
        var api = new ScriptedBotApi()
            .Update(10, Text(10, 1, "before"))
            .Update(11, odd)
            .Update(12, Text(12, 3, "after"));
        using var http = new HttpClient(api);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = Scripted(api, http);
        await RunUntilAsync(new MessagePipeline(connector, [sink], store, Fast()), () => sink.Keys.Count == 2 && connector.Stats.Malformed == 1);
        Assert.Equal(["before", "after"], sink.Writes.Select(m => m.Text));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4008);
        Assert.Equal(12, (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"]);
    }

    /// <summary>The size of the buffer System.Text.Json first reads an answer into.</summary>
    private const int ReadBuffer = 16 * 1024;

    // An answer read as it streams in: its list of updates may be whole in the reader's buffer before the end of the answer
    // is known (an answer that fills the buffer exactly). An update that cannot be read, or one of a kind not monitored,
    // still costs only itself then.
    [Theory]
    [InlineData("""{"update_id": 2, "message": "not a message"}""", 1, 0)]
    [InlineData("""{"update_id": 2, "message": {"message_id": {"nested": [1, {"deep": "x"}]}, "date": 1, "chat": {"id": 1, "type": "private"}}}""", 1, 0)]
    [InlineData("""{"update_id": 2, "message_reaction": {"chat": {"id": 1, "type": "private"}, "message_id": 1, "date": 1764064801, "old_reaction": [], "new_reaction": []}}""", 0, 1)]
    [InlineData("""{"update_id": 2, "sandbox_unknown_update": {"x": 1}}""", 0, 1)]
    [InlineData("\"not an update\"", 1, 0)]
    public async Task AnUpdateNotDelivered_InAnAnswerThatFillsTheReadBufferExactly_CostsOnlyItself(string odd, int malformed, int skipped)
    {
        // The first update's text is padded so that the whole answer (as ScriptedBotApi writes it) is the buffer's size:
        // the list is whole in the buffer while the answer's end has not been read yet.
        var rest = "," + odd + "," + Text(3, 3, "after");
        var frame = """{"ok":true,"result":[""".Length + "]}".Length + Text(1, 1, "").Length + System.Text.Encoding.UTF8.GetByteCount(rest);
        var before = "before" + new string('x', ReadBuffer - frame - "before".Length);
        var api = new ScriptedBotApi()
            .Update(1, Text(1, 1, before))
            .Update(2, odd)
            .Update(3, Text(3, 3, "after"));
        // As in production: through the bound on answers.
        using var http = new HttpClient(new AnswerCapHandler(api, 1 << 20));
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = Scripted(api, http);
        await RunUntilAsync(new MessagePipeline(connector, [sink], store, Fast()), () => sink.Keys.Count >= 2);

        Assert.Equal([before, "after"], sink.Writes.Select(m => m.Text));
        Assert.True(connector.Stats.Malformed >= malformed && (malformed > 0 || connector.Stats.Malformed == 0), $"malformed {connector.Stats.Malformed}");
        Assert.Equal(skipped, connector.Stats.SkippedUpdates);
        Assert.Equal(3, (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"]);
    }

    [Fact]
    public async Task ARateLimitThatAsksForNoWait_IsBackedOff_NotSpun_AndLoggedOnce()
    {
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, DurationSeconds = 2, RetryAfter = 0, Method = "getUpdates" });
        await InjectAsync(1);
        var sink = new CollectingSink();
        await using var connector = Connector();
        await RunUntilAsync(new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()), () => sink.Keys.Count == 1);
        // Backing off from 50 ms up to 400 ms, 2 s of rate limits take a few dozen polls at most, not thousands.
        Assert.InRange(await GetUpdatesServedAsync(), 2, 100);
        var line = Assert.Single(_logs.Entries, e => e.EventId.Id == 4005).Message;
        // What is waited, and why it is not what the server asked.
        Assert.Matches(@"^Bot API: rate limited, waiting \d+ms \(the server asked retry_after 0 s; no less than the backoff", line);
    }

    [Fact]
    public async Task ARateLimitWithARetryAfterTooLongToWait_DoesNotEndTheRun()
    {
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 1, RetryAfter = int.MaxValue, Method = "getUpdates" });
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var connector = Connector(time: time);
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast()).RunAsync(stop.Token);
        // The hour is waited on the clock, which does not move: the run goes on meanwhile.
        await Eventually.TrueAsync(() => time.DueTimes.Contains(TimeSpan.FromHours(1)), "the hour's wait", Patience, running: run);
        Assert.False(run.IsCompleted, "the run ended on a rate limit");
        Assert.Equal("Bot API: rate limited, waiting 1h00m (the server asked retry_after 2147483647 s; 1h00m at most, then it asks again)",
            Assert.Single(_logs.Entries, e => e.EventId.Id == 4005).Message);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20)); // a stop, not a failure
    }

    [Fact]
    public async Task ATokenRejectedWhilePolling_WithNotFound_StopsTheRunWithItsOwnError()
    {
        var api = new ScriptedBotApi();
        for (var i = 0; i < 100; i++) api.Then(System.Net.HttpStatusCode.NotFound, """{"ok":false,"error_code":404,"description":"Not Found"}""");
        using var http = new HttpClient(api);
        await using var connector = Scripted(api, http);
        var e = await Assert.ThrowsAsync<BotTokenRejectedException>(() =>
            new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast()).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(404, e.ErrorCode);
        Assert.DoesNotContain(_logs.Entries, l => l.EventId.Id == 4009);
    }

    [Fact]
    public async Task AnswersThatAreNotTheBotApi_AreOneErrorLine_NotOnePerAttempt_AndNothingIsLost()
    {
        // A captive portal or a misrouted proxy: 200 with an HTML page, again and again, then the Bot API again.
        var api = new ScriptedBotApi().Update(5, Text(5, 1, "through"));
        for (var i = 0; i < 12; i++) api.Then(System.Net.HttpStatusCode.OK, "<html><body>Sign in to the network</body></html>", "text/html");
        using var http = new HttpClient(api);
        var sink = new CollectingSink();
        await using var connector = Scripted(api, http);
        await RunUntilAsync(new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()), () => sink.Keys.Count == 1);
        Assert.True(api.GetUpdatesCalls > 12);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4009);
    }

    private BotApiConnector ScriptedWithShortGrace(HttpClient http) => new(new BotApiOptions
    {
        Token = ScriptedBotApi.Token,
        ApiUrl = new Uri("http://scripted.invalid/"),
        PollTimeout = TimeSpan.FromSeconds(2),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
        EmptyPollFloor = TimeSpan.FromMilliseconds(300),
        Grace = TimeSpan.FromMilliseconds(300),
    }, _logs.CreateLogger("Tgwatch.BotApi"), http: http);

    [Fact]
    public async Task AProxysBadGatewayPage_IsReportedByItsStatus_NotByTheParseErrorOfItsHtml()
    {
        var api = new ScriptedBotApi().Update(5, Text(5, 1, "through"));
        for (var i = 0; i < 15; i++) api.Then(System.Net.HttpStatusCode.BadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
        using var http = new HttpClient(api);
        var sink = new CollectingSink();
        await using var connector = ScriptedWithShortGrace(http);
        await RunUntilAsync(new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()), () => sink.Keys.Count == 1);
        var down = Assert.Single(_logs.Entries, e => e.EventId.Id == 4002).Message;
        Assert.Contains("(Network: HTTP 502 BadGateway, an answer that is not the Bot API's", down);
        Assert.DoesNotContain("JsonReaderException", down);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task AnAnswerThatIsNotHttp_IsTheNetwork_NotABugWithAStackTrace()
    {
        // A proxy in the way answering an HTML page where the status line belongs.
        var api = new ScriptedBotApi().Update(5, Text(5, 1, "through"));
        for (var i = 0; i < 15; i++)
            api.ThenFail(new HttpRequestException(HttpRequestError.InvalidResponse, "Received an invalid status line: '<!DOCTYPE HTML>'."));
        using var http = new HttpClient(api);
        var sink = new CollectingSink();
        await using var connector = ScriptedWithShortGrace(http);
        await RunUntilAsync(new MessagePipeline(connector, [sink], new InMemoryStateStore(), Fast()), () => sink.Keys.Count == 1);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
        var down = Assert.Single(_logs.Entries, e => e.EventId.Id == 4002).Message;
        Assert.Contains("(Network: an answer that is not HTTP (a proxy or captive portal in the way?))", down);
    }

    [Fact]
    public async Task ALinkThatStaysDown_IsReportedWhenTheGraceIsOver_NotAtTheNextAttemptAfterALongBackoff()
    {
        // The network goes away while the connector backs off for longer than the grace: the line must not wait for the next attempt.
        var api = new ScriptedBotApi().ThenFail(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        using var http = new HttpClient(api);
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var connector = new BotApiConnector(new BotApiOptions
        {
            Token = ScriptedBotApi.Token,
            ApiUrl = new Uri("http://scripted.invalid/"),
            MinBackoff = TimeSpan.FromMinutes(10),
            MaxBackoff = TimeSpan.FromMinutes(20),
            Grace = TimeSpan.FromSeconds(5),
        }, _logs.CreateLogger("Tgwatch.BotApi"), time, http, randomizer: () => 0.5);
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [new CollectingSink()], new InMemoryStateStore(), Fast()).RunAsync(stop.Token);
        await Eventually.TrueAsync(() => api.GetUpdatesCalls == 1 && time.DueTimes.Any(d => d >= TimeSpan.FromMinutes(5)), "the first poll failed and the backoff waits", Patience, running: run);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 4002);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 4002); // within the grace: a short drop, no line yet
        time.Advance(TimeSpan.FromSeconds(1));
        var down = Assert.Single(_logs.Entries, e => e.EventId.Id == 4002).Message;
        Assert.Contains("(Network: ", down);
        Assert.Equal(1, api.GetUpdatesCalls); // told by the grace timer, not by a new attempt
        Assert.Equal(ConnectionState.Connecting, connector.Status.State);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
