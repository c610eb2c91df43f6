using System.Text.Json;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Connector;

public sealed class TdlibConnectorTests
{
    /// <summary>Reads deliveries until <paramref name="done"/> holds for what was read.</summary>
    private static async Task<List<Delivery>> ReadUntil(TdlibConnector connector, IReadOnlyDictionary<string, long> committed, Func<List<Delivery>, bool> done,
        Action<List<Delivery>>? onEach = null, Action? first = null)
    {
        var got = new List<Delivery>();
        first?.Invoke();
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            await foreach (var d in connector.ReadAsync(committed, cts.Token))
            {
                got.Add(d);
                onEach?.Invoke(got);
                if (done(got)) break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"timed out with {got.Count} deliveries: {string.Join(", ", got.Select(d => $"{d.Position.Position}:{d.Message?.Kind}"))}");
        }
        return got;
    }

    // the checkpoint is the server id of the last message processed: a restart catches up from it with getChatHistory pages
    // (at most 100 per call, TDLib choosing fewer), in order, then goes on live; nothing twice, nothing missed.
    [Fact]
    public async Task ARestart_CatchesUpFromTheCheckpoint_InPagesOfAtMost100_ThenGoesLive()
    {
        var world = new TdWorld { HistoryPageCap = 37 };
        world.AddChat(News, "News", username: "newsroom");
        for (var i = 0; i < 250; i++) world.Post(News, $"m{i + 1}", live: false);
        await using var connector = NewConnector(world);
        var got = await ReadUntil(connector, At(News, 10), g => Ids(g).Count == 242, g =>
        {
            if (Ids(g).Count == 240) for (var i = 0; i < 2; i++) world.Post(News, "live");
        });
        Assert.Equal(Enumerable.Range(11, 242).Select(i => (long)i), Ids(got));
        Assert.All(got, d => Assert.Equal(d.Message!.MessageId, d.Position.Position));
        Assert.All(got, d => Assert.Equal("tdlib", d.Message!.Connector));
        Assert.All(world.HistoryLimits, l => Assert.InRange(l, 1, 100));
        Assert.True(world.HistoryLimits.Count >= 7, $"{world.HistoryLimits.Count} pages");
        // the two live ones may come from history too, when they are there before the catch-up asks for the newest messages
        Assert.InRange(connector.Stats.HistoryMessages, 240, 242);
        Assert.Single(world.Session.SentOf("openChat"));
    }

    // a watched chat met for the first time starts where it is now, and that position is delivered (empty) so it gets committed.
    [Fact]
    public async Task TheUpdateLoop_IsIdleOnTheHeartbeatWhileItWaitsForTdlib_NotStuckHoweverLongNothingComes()
    {
        var beats = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SomeMessage.Date);
        var heartbeat = new Tgwatch.Health.Heartbeat(beats);
        var world = new TdWorld();
        world.AddChat(News, "News");
        await using var connector = NewConnector(world, heartbeat: heartbeat);
        for (var i = 0; i < 3; i++) world.Post(News, $"live {i}");
        var got = await ReadUntil(connector, At(News, 0), g => Ids(g).Count == 3);
        Assert.Equal([1L, 2L, 3L], Ids(got));
        // Nothing more comes for an hour: the loop waits for TDLib, which is no hang.
        beats.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => heartbeat.Stuck(TimeSpan.FromMinutes(5)).Count == 0, "the update loop idle", Patience);
    }

    [Fact]
    public async Task AChatSeenTheFirstTime_StartsFromNow_AndHasThatPositionCommitted()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        for (var i = 0; i < 5; i++) world.Post(News, "old", live: false);
        await using var connector = NewConnector(world);
        var got = await ReadUntil(connector, new Dictionary<string, long>(), g => g.Count == 2, g =>
        {
            if (g.Count == 1) world.Post(News, "new");
        });
        Assert.Null(got[0].Message);
        Assert.Equal(new Checkpoint(TdlibConnector.StreamOf(News), 5), got[0].Position);
        Assert.Equal(6, got[1].Message!.MessageId);
        Assert.Equal("new", got[1].Message!.Text);
    }

    // chats by @username go through searchPublicChat; one that does not exist is one error line and the others are watched.
    [Fact]
    public async Task ChatsByUsername_AreFound_AndAMissingOneIsOneErrorLine()
    {
        var world = new TdWorld();
        world.AddChat(News, "News", username: "newsroom");
        world.AddChat(Talk, "Talk", type: "supergroup");
        var logs = new CollectingLoggerProvider();
        world.Post(News, "hello");
        await using var connector = NewConnector(world, ["@newsroom", "@nosuchchat", "@ghost_chat"], logs: logs);
        var got = await ReadUntil(connector, At(News, 0), g => Ids(g).Count == 1);
        Assert.Equal(2, world.Session.SentOf("searchPublicChat").Count(r => (string?)r["username"] is "nosuchchat" or "ghost_chat"));
        Assert.Equal(2, logs.Entries.Count(l => l.Message.Contains("was not found", StringComparison.Ordinal)));
        Assert.Equal("News", got.First(d => d.Message is not null).Message!.Chat.Title);
    }

    [Fact]
    public async Task NoWatchedChatFound_EndsTheRunWithOneLine()
    {
        var world = new TdWorld();
        await using var connector = NewConnector(world, ["@nosuchchat"]);
        var e = await Assert.ThrowsAsync<TdlibChatsNotFoundException>(() => ReadUntil(connector, new Dictionary<string, long>(), _ => false));
        Assert.DoesNotContain('\n', e.Message);
    }

    // after a reconnection every chat catches up: messages TDLib never pushed while the link was down are delivered.
    [Fact]
    public async Task AfterAReconnection_MessagesMissedWhileDown_AreDelivered()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Connection("connectionStateConnecting");
        world.Connection("connectionStateUpdating");
        world.Connection("connectionStateReady");
        await using var connector = NewConnector(world);
        var states = new List<ConnectionState>();
        connector.StatusChanged += s => { lock (states) states.Add(s.State); };
        var got = await ReadUntil(connector, At(News, 0), g => Ids(g).Count == 4, g =>
        {
            if (g.Count == 1 && g[0].Message is not null)
            {
                world.Connection("connectionStateWaitingForNetwork");
                world.Post(News, "missed 1", live: false);
                world.Post(News, "missed 2", live: false);
                world.Connection("connectionStateConnecting");
                world.Connection("connectionStateReady");
                world.Post(News, "live after");
            }
        }, first: () => world.Post(News, "first"));
        Assert.Equal([1L, 2, 3, 4], Ids(got));
        Assert.Equal(1, connector.Stats.Reconnects);
        lock (states) Assert.Contains(ConnectionState.Ready, states);
    }

    // the update loop never waits for the consumer: with a tiny live queue and nobody reading, every update is still taken;
    // the messages that did not fit come back from history, in order, once each.
    [Fact]
    public async Task ASlowConsumer_NeverStallsTheUpdates_AndLosesNothing()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        await using var connector = NewConnector(world, tune: o => o with { LiveQueueCapacity = 2, OutputCapacity = 1 });
        using var cts = new CancellationTokenSource(Patience);
        await using var e = connector.ReadAsync(At(News, 0), cts.Token).GetAsyncEnumerator(cts.Token);
        for (var i = 0; i < 60; i++) world.Post(News, $"m{i + 1}");
        Assert.True(await e.MoveNextAsync()); // started; now nobody reads for a while
        await Eventually.TrueAsync(() => connector.Stats.NewMessages >= 60, "all 60 taken in", Patience);
        Assert.Equal(60, connector.Stats.NewMessages);
        Assert.True(connector.Stats.LiveOverflows > 0);
        var ids = new List<long> { e.Current.Message!.MessageId };
        while (ids.Count < 60 && await e.MoveNextAsync()) ids.Add(e.Current.Message!.MessageId);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), ids);
    }

    // FLOOD_WAIT: the wait TDLib names is waited out (on the clock, not in a spin), counted, and the call retried once.
    [Fact]
    public async Task FloodWait_IsWaitedOut_NotSpun()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Post(News, "one", live: false);
        var clock = new SteppedClock(DateTimeOffset.UtcNow);
        var calls = 0;
        world.Session.OnAsync("getChatHistory", (r, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new TdlibErrorException(429, "Too Many Requests: retry after 7", "getChatHistory");
            return Task.FromResult(ScriptedTdSession.Parse($$"""{"@type":"messages","total_count":1,"messages":[{{TdWorld.MessageJson(new TdWorld.Msg(News, 1, "one", 1_700_000_000, null)).ToJsonString()}}]}"""));
        });
        await using var connector = NewConnector(world, time: clock);
        using var cts = new CancellationTokenSource(Patience);
        await using var e = connector.ReadAsync(At(News, 0), cts.Token).GetAsyncEnumerator(cts.Token);
        var next = e.MoveNextAsync().AsTask();
        // The clock moves only once the 7 s wait is on it (the counter is bumped before the wait starts).
        await Eventually.TrueAsync(() => clock.DueTimes.Contains(TimeSpan.FromSeconds(7)), "the 7 s wait on the clock", Patience);
        await Task.Delay(100, cts.Token);
        Assert.Equal(1, connector.Stats.RateLimited);
        Assert.Equal(1, Volatile.Read(ref calls)); // waiting, not retrying
        clock.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(100, cts.Token);
        Assert.Equal(1, Volatile.Read(ref calls));
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(await next.WaitAsync(cts.Token));
        Assert.Equal(1, e.Current.Message!.MessageId);
        Assert.True(Volatile.Read(ref calls) >= 2); // the retry (and the calls that find nothing more)
        Assert.Equal(1, connector.Stats.RateLimited);
    }

    [Theory]
    [InlineData("Too Many Requests: retry after 12", 12)]
    [InlineData("FLOOD_WAIT_3", 3)]
    [InlineData("retry after 0", 1)]
    public void FloodWait_ReadsTheWait(string text, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), FloodWait.Of(text));

    [Fact]
    public void FloodWait_WithoutANumber_IsNull() => Assert.Null(FloodWait.Of("Too Many Requests"));

    // replies: a delivered reply is resolved with getRepliedMessage; a deleted one is Gone; a rate limit and a time-out are failures to retry.
    [Fact]
    public async Task Replies_AreReadWithGetRepliedMessage_AndFailuresDegrade()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Post(News, "question", live: false);
        await using var connector = NewConnector(world, tune: o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var answer = world.Post(News, "answer", replyTo: 1);
        var delivered = await ReadUntil(connector, At(News, 1), g => Ids(g).Contains(answer.Id));
        var reply = delivered.Single(d => d.Message?.MessageId == answer.Id).Message!.ReplyTo!;
        Assert.Equal(new ReplyRef(News, 1, ReplyState.Unresolved), reply);

        var resolved = await connector.ResolveReplyAsync(new MessageRef(News, 1), default);
        Assert.Equal(ReplyResult.Resolved("question"), resolved);
        Assert.Single(world.Session.SentOf("getRepliedMessage"));

        Assert.Equal(ReplyResult.Gone, await connector.ResolveReplyAsync(new MessageRef(News, 999), default));

        world.Session.Fail("getMessage", 429, "Too Many Requests: retry after 5");
        Assert.Equal(FaultKind.RateLimited, (await connector.ResolveReplyAsync(new MessageRef(News, 77), default)).Fault);

        world.Session.OnAsync("getMessage", (_, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => default(JsonElement), TaskScheduler.Default));
        Assert.Equal(FaultKind.Timeout, (await connector.ResolveReplyAsync(new MessageRef(News, 78), default)).Fault);
    }

    // edits are read again with getMessage and delivered as edits; deletions from TDLib's cache are not deletions.
    [Fact]
    public async Task EditsAndPermanentDeletions_AreDelivered_CacheDeletionsAreNot()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        await using var connector = NewConnector(world);
        var got = await ReadUntil(connector, At(News, 0), g => g.Any(d => d.Message?.Kind == MessageKind.Delete), g =>
        {
            if (g.Count == 1 && g[0].Message?.MessageId == 1)
            {
                world.Post(News, "two");
                world.Edit(News, 1, "one, edited");
                world.Delete(News, 2, fromCache: true);
                world.Delete(News, 2);
            }
        }, first: () => world.Post(News, "one"));
        var edit = got.Single(d => d.Message?.Kind == MessageKind.Edit);
        Assert.Equal("one, edited", edit.Message!.Text);
        Assert.NotNull(edit.Message.EditDate);
        Assert.Equal(2, edit.Position.Position); // an edit does not move the stream
        var deletion = got.Single(d => d.Message?.Kind == MessageKind.Delete);
        Assert.Equal(2, deletion.Message!.MessageId);
        Assert.Equal(1, connector.Stats.DeletionsIgnored);
    }

    // a session that is logged out or revoked ends the run with the typed error (exit code 3).
    [Fact]
    public async Task ALostAuthorization_EndsTheRun()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Session.Push("""{"@type":"updateAuthorizationState","authorization_state":{"@type":"authorizationStateLoggingOut"}}""");
        await using var connector = NewConnector(world);
        var e = await Assert.ThrowsAsync<TdlibAuthorizationLostException>(() => ReadUntil(connector, At(News, 0), _ => false));
        Assert.Contains("tgwatch login", e.Message, StringComparison.Ordinal);
    }

    // garbage between updates is counted and skipped; the stream goes on.
    [Fact]
    public async Task MalformedUpdates_AreCounted_AndTheStreamGoesOn()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Session.Push("""{"@type":"updateNewMessage","message":{"@type":"message","id":"not a number"}}""");
        world.Session.Push("[1,2,3]");
        world.Session.Push("""{"@type":"updateSomethingNew","x":1}""");
        world.Post(News, "fine");
        await using var connector = NewConnector(world);
        using var cts = new CancellationTokenSource(Patience);
        await using var e = connector.ReadAsync(At(News, 0), cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(1, e.Current.Message!.MessageId);
        // the message may come from history before the update loop has read the garbage: wait (still running) until it has
        await Eventually.TrueAsync(() => connector.Stats.Updates >= 4, "the four updates read", Patience);
        Assert.Equal(2, connector.Stats.Malformed);
    }

    // answers TDLib should never give (a chat without a numeric id, history pages with garbage entries) are counted, never thrown.
    [Fact]
    public async Task MalformedAnswers_AreCounted_AndTheChatGoesOn()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        world.Session.On("getChat", r => (long)r["chat_id"]! == Talk
            ? $$"""{"@type":"chat","id":"{{Talk}}","title":"Talk"}"""
            : $$"""{"@type":"chat","id":{{News}},"type":{"@type":"chatTypeSupergroup","supergroup_id":1234567890,"is_channel":true},"title":"News"}""");
        var calls = 0;
        world.Session.On("getChatHistory", _ => Interlocked.Increment(ref calls) == 1
            ? $$"""{"@type":"messages","total_count":4,"messages":[{{TdWorld.MessageJson(new TdWorld.Msg(News, 2, "good", 1_700_000_000, null)).ToJsonString()}},{"@type":"message","id":"bad"},null,5]}"""
            : """{"@type":"messages","total_count":0,"messages":[]}""");
        var logs = new CollectingLoggerProvider();
        string[] chats = [News.ToString(System.Globalization.CultureInfo.InvariantCulture), Talk.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        await using var connector = NewConnector(world, chats, logs: logs);
        var got = await ReadUntil(connector, At(News, 1), g => Ids(g).Count == 1);
        Assert.Equal([2L], Ids(got));
        Assert.Equal(2, connector.Stats.Malformed);
        Assert.Single(logs.Entries, e => e.Message.Contains($"chat {Talk} was not found", StringComparison.Ordinal));
    }

    // a chat first heard of while running (no chat named) gets its own stream at once, and a stop still ends promptly.
    [Fact(Timeout = 20_000)]
    public async Task AChatFirstHeardOfWhileRunning_IsDelivered_AndTheStopEndsPromptly()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        await using var connector = NewConnector(world, chats: []);
        var got = await ReadUntil(connector, new Dictionary<string, long>(), g => g.Any(d => d.Message?.Chat.Id == Talk), g =>
        {
            if (g.Count == 1) world.Post(Talk, "late");
        }, first: () => world.Post(News, "early"));
        Assert.Equal("late", got.Single(d => d.Message?.Chat.Id == Talk).Message!.Text);
    }

    // a bot logged in through TDLib has no getChatHistory: that is one line, and the chat goes on live (reconnections do not repeat it).
    [Fact]
    public async Task WithoutHistory_AChatGoesOnLive_WithOneLine()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Session.Fail("getChatHistory", 400, "The method is not available to bots");
        var logs = new CollectingLoggerProvider();
        await using var connector = NewConnector(world, logs: logs);
        var got = await ReadUntil(connector, At(News, 0), g => Ids(g).Count == 2, g =>
        {
            if (Ids(g).Count != 1) return;
            world.Connection("connectionStateConnecting");
            world.Connection("connectionStateReady");
            world.Connection("connectionStateConnecting");
            world.Connection("connectionStateReady");
            world.Post(News, "second");
        }, first: () => world.Post(News, "first"));
        Assert.Equal([1L, 2L], Ids(got));
        Assert.Single(logs.Entries, e => e.Message.Contains("refused", StringComparison.Ordinal));
        Assert.Single(world.Session.SentOf("getChatHistory"));
    }

    // disposing the connector while somebody reads ends the read (it does not wait forever).
    [Fact(Timeout = 20_000)]
    public async Task DisposingWhileReading_EndsTheRead()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        var connector = NewConnector(world);
        var reading = Task.Run(async () =>
        {
            var n = 0;
            await foreach (var _ in connector.ReadAsync(At(News, 0), CancellationToken.None)) n++;
            return n;
        });
        await Eventually.TrueAsync(() => world.Session.SentOf("openChat").Count > 0, "the chat opened");
        await connector.DisposeAsync();
        Assert.Equal(0, await reading.WaitAsync(Patience));
        Assert.Equal(ConnectionState.Disconnected, connector.Status.State);
    }

    // with no chats named every chat is watched; chats with a position from an earlier run catch up from it.
    [Fact]
    public async Task EveryChat_IsWatched_WhenNoneIsNamed_AndKnownOnesCatchUp()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        for (var i = 0; i < 3; i++) world.Post(Talk, "missed", live: false);
        world.Post(News, "live");
        await using var connector = NewConnector(world, chats: []);
        var got = await ReadUntil(connector, At(Talk, 1), g => g.Count(d => d.Message is not null) == 3);
        Assert.Equal([2L, 3L], got.Where(d => d.Message?.Chat.Id == Talk).Select(d => d.Message!.MessageId));
        Assert.Single(got, d => d.Message?.Chat.Id == News);
    }

    // watching every chat, a chat first heard of through an edit or a deletion of an old message starts where the chat is
    // now (its newest message), as a first start does: that old message's id is no position, a restart from it would deliver
    // the chat's history since then.
    [Theory]
    [InlineData("edit")]
    [InlineData("delete")]
    public async Task EveryChat_AChatFirstHeardOfThroughAChangeOfAnOldMessage_StartsAtItsNewestMessage(string change)
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        for (var i = 0; i < 10; i++) world.Post(Talk, $"old {i}", live: false);
        world.Post(News, "live");
        await using var connector = NewConnector(world, chats: []);
        var got = await ReadUntil(connector, At(News, 0), g => g.Any(d => d.Message?.Chat.Id == Talk && d.Message.Kind == MessageKind.New), g =>
        {
            if (g.Count == 1)
            {
                if (change == "edit") world.Edit(Talk, 2, "old 1, edited");
                else world.Delete(Talk, 3);
                world.Post(Talk, "new");
            }
        });

        var changed = got.Single(d => d.Message?.Chat.Id == Talk && d.Message.Kind != MessageKind.New);
        Assert.Equal(10, changed.Position.Position);
        Assert.Equal([11L], Ids(got, Talk));
        Assert.All(got.Where(d => d.Position.Stream == TdlibConnector.StreamOf(Talk)), d => Assert.True(d.Position.Position >= 10, $"position {d.Position.Position}"));
    }

    // watching every chat, a new message that comes while a chat first heard of through a change is placed at its newest
    // message is delivered: TDLib sends its updateNewMessage before the getChat answer that already shows it as the chat's
    // last message, but the update loop (behind here) may not have handed that update to the chat yet.
    [Theory]
    [InlineData("edit")]
    [InlineData("delete")]
    public async Task EveryChat_ANewMessageThatComesWhileAChatFirstHeardOfThroughAChangeIsPlaced_IsDelivered(string change)
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        for (var i = 0; i < 10; i++) world.Post(Talk, $"old {i}", live: false);
        world.Post(News, "live");
        var noise = ScriptedTdSession.Parse("""{"@type":"updateOption","name":"unix_time","value":{"@type":"optionValueInteger","value":"1700000000"}}""");
        var raced = 0;
        world.BeforeGetChat = chatId =>
        {
            if (chatId != Talk || Interlocked.Exchange(ref raced, 1) != 0) return;
            // The update loop is behind: the message's update waits behind many others when the answer comes.
            for (var i = 0; i < 200_000; i++) world.Session.Push(noise);
            world.Post(Talk, "racing");
        };
        await using var connector = NewConnector(world, chats: []);
        var got = await ReadUntil(connector, At(News, 0), g => Ids(g, Talk).Contains(12), g =>
        {
            if (g.Count == 1)
            {
                if (change == "edit") world.Edit(Talk, 2, "old 1, edited");
                else world.Delete(Talk, 3);
            }
            if (g.Any(d => d.Message?.Chat.Id == Talk && d.Message.Kind != MessageKind.New) && Interlocked.Exchange(ref raced, 2) == 1)
                world.Post(Talk, "after");
        });

        Assert.Equal([11L, 12L], Ids(got, Talk));
        var changed = got.Single(d => d.Message?.Chat.Id == Talk && d.Message.Kind != MessageKind.New);
        Assert.True(changed.Position.Position is >= 10 and < 11, $"position {changed.Position.Position}");
    }

    // the whole path: the pipeline over the connector, stopped and restarted while messages keep coming, every message once.
    [Fact]
    public async Task ThePipeline_OverTheConnector_LosesNothingAcrossARestart()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Post(News, "before the first start", live: false);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        for (var run = 0; run < 3; run++)
        {
            await using var connector = NewConnector(world);
            using var stop = new CancellationTokenSource();
            var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions());
            var running = pipeline.RunAsync(stop.Token);
            // the chat's position is taken when it is found (a first start begins there)
            await Eventually.TrueAsync(() => world.Session.SentOf("openChat").Count > run, "the chat opened", Patience);
            for (var i = 0; i < 20; i++) world.Post(News, $"run {run} live {i}");
            var expected = world.Count(News) - 1; // the first one was there before the first start
            await Eventually.TrueAsync(() => sink.Writes.Count >= expected, $"{expected} written", Patience);
            for (var i = 0; i < 5; i++) world.Post(News, $"run {run} while stopping {i}", live: i % 2 == 0);
            await stop.CancelAsync();
            await running.WaitAsync(Patience);
            for (var i = 0; i < 7; i++) world.Post(News, $"after run {run} {i}", live: false); // while nobody runs
        }
        {
            await using var last = NewConnector(world);
            using var stop = new CancellationTokenSource();
            var running = new MessagePipeline(last, [sink], store, new PipelineOptions()).RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Writes.Count >= world.Count(News) - 1, "every message written", Patience);
            await stop.CancelAsync();
            await running.WaitAsync(Patience);
        }
        var ids = sink.Writes.Select(m => m.MessageId).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(Enumerable.Range(2, world.Count(News) - 1).Select(i => (long)i), ids.Order());
    }
}
