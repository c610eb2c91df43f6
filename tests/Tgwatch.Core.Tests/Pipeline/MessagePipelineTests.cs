using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

public sealed class MessagePipelineTests
{
    [Fact]
    public async Task EveryMessage_ReachesEverySinkOnce_InOrderPerChat_AndTheCheckpointEndsAtTheLastPosition()
    {
        var messages = PipelineFixture.Chats(chats: 5, perChat: 40).ToList();
        var connector = ScriptedConnector.Of(messages);
        var (a, b) = (new CollectingSink("a"), new CollectingSink("b"));
        var store = new InMemoryStateStore();
        var pipeline = PipelineFixture.Create(connector, [a, b], store);

        await pipeline.RunToEndAsync();

        foreach (var sink in new[] { a, b })
        {
            Assert.Equal(messages.Count, sink.Writes.Count);
            Assert.Equal(messages.Select(m => m.Key).Order(), sink.Keys.Order());
            foreach (var chat in messages.GroupBy(m => m.Chat.Id))
                Assert.Equal(chat.Select(m => m.MessageId), sink.Writes.Where(w => w.Chat.Id == chat.Key).Select(w => w.MessageId));
        }
        var checkpoints = await store.LoadCheckpointsAsync("bot42", "scripted", default);
        Assert.Equal(messages.Count, checkpoints["updates"]);
        Assert.Equal(messages.Count, connector.Committed["updates"]);
        Assert.Equal(messages.Count, pipeline.Stats.Written);
        Assert.Equal(0, pipeline.InFlight);
    }

    [Fact]
    public async Task ASecondRunOnTheSameStore_WritesNothingAgain()
    {
        var messages = SomeMessage.Batch(1, 50);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await PipelineFixture.Create(ScriptedConnector.Of(messages), [sink], store).RunToEndAsync();

        // A connector that ignores the checkpoint and delivers everything again (a redelivery storm).
        var again = new ScriptedConnector(messages.Select((m, i) => new Delivery(m, new Checkpoint("other", i + 1))));
        var second = PipelineFixture.Create(again, [sink], store);
        await second.RunToEndAsync();

        Assert.Equal(50, sink.Writes.Count);
        Assert.Equal(50, second.Stats.Duplicates);
        Assert.Equal(50, again.Committed["other"]);
    }

    [Fact]
    public async Task DuplicatesInOneRun_AreWrittenOnce()
    {
        var m = SomeMessage.Batch(1, 10);
        var log = m.Concat(m).Concat([m[3], m[3]]).ToList();
        var sink = new CollectingSink();
        var pipeline = PipelineFixture.Create(ScriptedConnector.Of(log), [sink], new InMemoryStateStore());
        await pipeline.RunToEndAsync();
        Assert.Equal(10, sink.Writes.Count);
        Assert.Equal(12, pipeline.Stats.Duplicates);
    }

    [Fact]
    public async Task AHandlerThatKeepsFailing_DeadLettersThatMessage_AndTheStreamGoesOn()
    {
        var messages = SomeMessage.Batch(1, 20);
        var calls = 0;
        var handler = new DelegateHandler("boom", (m, _) =>
        {
            Interlocked.Increment(ref calls);
            return m.MessageId == 7 ? throw new TimeoutException("upstream slow") : ValueTask.CompletedTask;
        });
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        var options = PipelineFixture.FastOptions();
        var pipeline = PipelineFixture.Create(ScriptedConnector.Of(messages), [sink], store, options, handlers: [handler]);

        await pipeline.RunToEndAsync();

        var letter = Assert.Single(await store.DeadLetters.ListAsync(10, 0, default));
        Assert.Equal(messages[6].Key, letter.Letter.Key);
        Assert.Equal("handler:boom", letter.Letter.Stage);
        Assert.Equal(FaultKind.Timeout, letter.Letter.Fault);
        Assert.Equal(options.HandlerAttempts, letter.Letter.Attempts);
        Assert.Contains("upstream slow", letter.Letter.Error);
        Assert.Contains("at ", letter.Letter.Error); // with its stack trace
        Assert.Equal(messages[6].Key, TgMessageJson.Parse(letter.Letter.MessageJson).Key);
        Assert.Equal(19 + options.HandlerAttempts, calls);
        Assert.Equal(20, sink.Writes.Count); // the message is still stored
    }

    [Fact]
    public async Task ADeadLetter_StoresItsErrorWithoutSecrets()
    {
        const string token = "1234567890:AAFakeFakeFakeFakeFakeFakeFakeFake_-x";
        var handler = new DelegateHandler("http", (_, _) => throw new InvalidOperationException($"POST https://api.telegram.org/bot{token}/sendMessage: 400"));
        var store = new InMemoryStateStore();
        await PipelineFixture.Create(ScriptedConnector.Of(SomeMessage.Batch(1, 1)), [new CollectingSink()], store, handlers: [handler]).RunToEndAsync();
        var letter = Assert.Single(await store.DeadLetters.ListAsync(10, 0, default)).Letter;
        Assert.DoesNotContain(token, letter.Error);
        Assert.Contains("bot<redacted>/sendMessage", letter.Error);
    }

    [Fact]
    public async Task ABugInAHandler_IsNotRetried()
    {
        var calls = 0;
        var handler = new DelegateHandler("bug", (_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("null somewhere");
        });
        var store = new InMemoryStateStore();
        await PipelineFixture.Create(ScriptedConnector.Of(SomeMessage.Batch(1, 3)), [new CollectingSink()], store, handlers: [handler]).RunToEndAsync();
        Assert.Equal(3, calls);
        var letters = await store.DeadLetters.ListAsync(10, 0, default);
        Assert.Equal(3, letters.Count);
        Assert.All(letters, l => Assert.Equal((FaultKind.Bug, 1), (l.Letter.Fault, l.Letter.Attempts)));
    }

    [Fact]
    public async Task ATransientHandlerFault_IsRetriedAndLeavesNoDeadLetter()
    {
        var failures = 0;
        var handler = new DelegateHandler("flaky", (m, _) =>
            m.MessageId == 2 && Interlocked.Increment(ref failures) < 3 ? throw new TimeoutException() : ValueTask.CompletedTask);
        var store = new InMemoryStateStore();
        var pipeline = PipelineFixture.Create(ScriptedConnector.Of(SomeMessage.Batch(1, 4)), [new CollectingSink()], store, handlers: [handler]);
        await pipeline.RunToEndAsync();
        Assert.Equal(3, failures);
        Assert.Equal(0, await store.DeadLetters.CountAsync(default));
        Assert.Equal(2, pipeline.Stats.HandlerFailures);
    }

    [Fact]
    public async Task AHandlerThatHangsAndIgnoresItsToken_IsAbandonedAtItsDeadline()
    {
        var options = PipelineFixture.FastOptions();
        options.HandlerTimeout = TimeSpan.FromMilliseconds(100);
        options.HandlerAttempts = 1;
        var stuck = new TaskCompletionSource();
        var handler = new DelegateHandler("stuck", async (m, _) =>
        {
            if (m.MessageId == 1) await stuck.Task;
        });
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        var time = new FakeTimeProvider(SomeMessage.Date);
        var run = PipelineFixture.Create(ScriptedConnector.Of(SomeMessage.Batch(1, 3)), [sink], store, options, handlers: [handler], time: time).RunToEndAsync(seconds: 10);
        var took = await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(10), () => run.IsCompleted, "the end of the run", TimeSpan.FromMinutes(1));
        await run;
        stuck.SetResult();
        Assert.True(took >= options.HandlerTimeout, $"abandoned after {took}");
        var letter = Assert.Single(await store.DeadLetters.ListAsync(10, 0, default));
        Assert.Equal(FaultKind.Timeout, letter.Letter.Fault);
        Assert.Equal(3, sink.Writes.Count);
    }

    [Fact]
    public async Task ASinkThatFailsForAWhile_IsRetried_AndTheCheckpointWaitsForIt()
    {
        var messages = SomeMessage.Batch(1, 30);
        var connector = ScriptedConnector.Of(messages);
        var failing = 5;
        var sink = new CollectingSink { BeforeWrite = (_, _) => Interlocked.Decrement(ref failing) >= 0 ? throw new TimeoutException("disk slow") : ValueTask.CompletedTask };
        var store = new InMemoryStateStore();
        var checkpointAhead = false;
        store.OnCommit = commit =>
        {
            foreach (var c in commit.Checkpoints)
                if (messages.Take((int)c.Position).Any(m => !sink.ByKey.ContainsKey(m.Key))) checkpointAhead = true;
        };
        var pipeline = PipelineFixture.Create(connector, [sink], store);
        await pipeline.RunToEndAsync();
        Assert.False(checkpointAhead);
        Assert.Equal(30, sink.Keys.Count);
        Assert.True(pipeline.Stats.SinkRetries >= 5);
        Assert.Equal(0, await store.DeadLetters.CountAsync(default));
    }

    [Fact]
    public async Task AMessageASinkKeepsRejecting_IsDeadLettered_AndTheOthersAreWritten()
    {
        var messages = SomeMessage.Batch(1, 10);
        var sink = new CollectingSink { BeforeWrite = (batch, _) => batch.Any(m => m.MessageId == 4) ? throw new InvalidOperationException("cannot store") : ValueTask.CompletedTask };
        var store = new InMemoryStateStore();
        await PipelineFixture.Create(ScriptedConnector.Of(messages), [sink], store).RunToEndAsync();
        Assert.Equal(messages.Where(m => m.MessageId != 4).Select(m => m.Key).Order(), sink.Keys.Order());
        var letter = Assert.Single(await store.DeadLetters.ListAsync(10, 0, default));
        Assert.Equal(("sink:collect", messages[3].Key), (letter.Letter.Stage, letter.Letter.Key));
    }

    [Fact]
    public async Task TheCheckpoint_NeverPassesAMessageStillInItsHandler()
    {
        // Chat A's first message blocks in its handler; chat B's later messages finish meanwhile.
        var a1 = SomeMessage.New(1, chatId: -1);
        var later = Enumerable.Range(2, 10).Select(i => SomeMessage.New(i, chatId: -2)).ToList();
        var connector = ScriptedConnector.Of([a1, .. later]);
        var release = new TaskCompletionSource();
        var handler = new DelegateHandler("gate", async (m, ct) =>
        {
            if (m.Chat.Id == -1) await release.Task.WaitAsync(ct);
        });
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 2;
        var pipeline = PipelineFixture.Create(connector, [sink], store, options, handlers: [handler]);
        var run = pipeline.RunToEndAsync();

        await Eventually.TrueAsync(() => sink.Keys.Count == 10, "chat B's ten messages written");
        Assert.Empty(connector.Commits);
        Assert.Empty(await store.LoadCheckpointsAsync("bot42", "scripted", default));
        release.SetResult();
        await run;
        Assert.Equal(11, connector.Committed["updates"]);
    }

    [Fact]
    public async Task AReplyIsResolvedWithinTheDeadline()
    {
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([SomeMessage.New(1), reply]);
        connector.Replies[new MessageRef(-1001234567890, 1)] = "the original";
        var sink = new CollectingSink();
        await PipelineFixture.Create(connector, [sink], new InMemoryStateStore()).RunToEndAsync();
        Assert.Equal(new ReplyRef(-1001234567890, 1, ReplyState.Resolved, "the original"), sink.ByKey[reply.Key].ReplyTo);
    }

    [Fact]
    public async Task AReplyThatCannotBeReadInTime_IsDeliveredUnresolved_ThenResolvedInTheBackground()
    {
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([reply]);
        connector.EndWhenDone = false;
        connector.Replies[new MessageRef(-1001234567890, 1)] = "found later";
        var reads = 0;
        var tooLate = new TaskCompletionSource<ReplyResult?>();
        // The first read hangs past the deadline (ignoring its token), the second fails on the network, the third works.
        connector.ReplyFault = async (_, _, ct) => Interlocked.Increment(ref reads) switch
        {
            1 => await tooLate.Task,
            2 => ReplyResult.Failed(FaultKind.Network, "connection reset"),
            _ => null,
        };
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var options = PipelineFixture.FastOptions();
        var time = new FakeTimeProvider(SomeMessage.Date);
        var pipeline = PipelineFixture.Create(connector, [sink], store, options, time: time);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        // A reply update is counted once it is committed, which comes a moment after its write.
        var took = await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(10), () => sink.Writes.Count == 2 && pipeline.Stats.ReplyUpdates == 1,
            "the message and its reply update written and committed", TimeSpan.FromMinutes(1));
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        tooLate.SetResult(ReplyResult.Resolved("too late"));

        Assert.True(took >= options.ReplyDeadline, $"resolved after {took}");

        var first = sink.Writes[0];
        Assert.Equal(ReplyState.Unresolved, first.ReplyTo!.State);
        Assert.False(first.IsReplyUpdate);
        var update = sink.Writes[1];
        Assert.True(update.IsReplyUpdate);
        Assert.Equal(new ReplyRef(-1001234567890, 1, ReplyState.Resolved, "found later"), update.ReplyTo);
        Assert.Equal(reply.MessageId, update.MessageId);
        Assert.NotNull(update.EditDate); // dated when resolved: its contract record differs from the message's
        Assert.Equal(0, update.EditDate.Value.Ticks % TimeSpan.TicksPerSecond);
        Assert.NotEqual(TgMessageJson.ToJson(reply with { ReplyTo = update.ReplyTo }), TgMessageJson.ToJson(update));
        Assert.Equal(0, await store.PendingReplies.CountAsync(default));
        Assert.Equal(1, pipeline.Stats.ReplyUpdates);
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task AReplyToAMessageThatIsGone_StaysUnresolvedAndIsNotRetried()
    {
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([reply]);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await PipelineFixture.Create(connector, [sink], store).RunToEndAsync();
        Assert.Equal(ReplyState.Unresolved, sink.Writes.Single().ReplyTo!.State);
        Assert.Equal(0, await store.PendingReplies.CountAsync(default));
        Assert.Equal(1, connector.ReplyReads);
    }

    [Fact]
    public async Task Filters_TurnAwayMessages_WhoseCheckpointsStillMove()
    {
        var messages = Enumerable.Range(1, 20).Select(i => SomeMessage.New(i, i % 2 == 0 ? "price alert" : "chatter", chatId: i % 3 == 0 ? -5 : -6)).ToList();
        var connector = ScriptedConnector.Of(messages);
        var sink = new CollectingSink();
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), filters: [new ChatFilter(["-6"]), new TextFilter("ALERT")]);
        await pipeline.RunToEndAsync();
        var expected = messages.Where(m => m.Chat.Id == -6 && m.Text!.Contains("alert")).Select(m => m.Key).Order();
        Assert.Equal(expected, sink.Keys.Order());
        Assert.Equal(20 - expected.Count(), pipeline.Stats.Filtered);
        Assert.Equal(20, connector.Committed["updates"]);
    }

    [Fact]
    public async Task ASlowSink_MakesTheConnectorWait_InsteadOfQueueingWithoutBound()
    {
        var options = PipelineFixture.FastOptions();
        options.Capacity = 32;
        options.BatchSize = 4;
        options.Parallelism = 2;
        var messages = PipelineFixture.Chats(4, 100).ToList();
        var connector = ScriptedConnector.Of(messages);
        MessagePipeline? pipeline = null;
        var maxInFlight = 0;
        connector.BeforeDelivery = (_, _) =>
        {
            maxInFlight = Math.Max(maxInFlight, pipeline!.InFlight);
            return ValueTask.CompletedTask;
        };
        // A slow sink: each write takes real time, so the connector outruns it.
        var sink = new CollectingSink { BeforeWrite = async (_, ct) => await Task.Delay(1, ct) };
        pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), options);
        await pipeline.RunToEndAsync();
        Assert.Equal(400, sink.Keys.Count);
        // Two worker channels, the sink stage's channel, a batch in each worker, one at the sink, and those held back
        // for an earlier one (at most the capacity) to be written in the order they came in.
        Assert.InRange(maxInFlight, 1, 16 * 2 + 32 + 4 * 2 + 4 + 2 + 32);
    }

    [Fact]
    public async Task AStop_DrainsWhatIsInFlight_AndCommitsIt()
    {
        var messages = SomeMessage.Batch(1, 200);
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        using var stop = new CancellationTokenSource();
        var delivered = 0;
        connector.BeforeDelivery = (_, _) =>
        {
            if (Interlocked.Increment(ref delivered) == 100) stop.Cancel();
            return ValueTask.CompletedTask;
        };
        // A slow sink: each write takes real time, so the stop comes with messages in flight.
        var sink = new CollectingSink { BeforeWrite = async (_, ct) => await Task.Delay(2, ct) };
        var store = new InMemoryStateStore();
        var pipeline = PipelineFixture.Create(connector, [sink], store);
        await pipeline.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(20));

        var written = sink.Keys.Count;
        Assert.InRange(written, 99, 100);
        Assert.Equal(written, connector.Committed["updates"]);
        Assert.Equal(written, (await store.LoadCheckpointsAsync("bot42", "scripted", default))["updates"]);
        Assert.Equal(0, pipeline.InFlight);
    }

    [Fact]
    public async Task PositionsWithoutAMessage_CompleteAndMoveTheCheckpoint()
    {
        var log = new[]
        {
            new Delivery(SomeMessage.New(1), new Checkpoint("updates", 10)),
            new Delivery(null, new Checkpoint("updates", 11)),
            new Delivery(null, new Checkpoint("updates", 12)),
        };
        var connector = new ScriptedConnector(log);
        await PipelineFixture.Create(connector, [new CollectingSink()], new InMemoryStateStore()).RunToEndAsync();
        Assert.Equal(12, connector.Committed["updates"]);
    }

    [Fact]
    public void SinksWithTheSameName_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new MessagePipeline(ScriptedConnector.Of([]), [new CollectingSink("x"), new CollectingSink("x")], new InMemoryStateStore()));
    }

    [Fact]
    public void BadOptions_AreRefusedWithALineNamingTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => new PipelineOptions { Parallelism = 0 }.Validate());
        Assert.Contains("Parallelism", e.Message);
        e = Assert.Throws<ArgumentException>(() => new PipelineOptions { ReplyDeadline = TimeSpan.Zero }.Validate());
        Assert.Contains("ReplyDeadline", e.Message);
    }

    [Fact]
    public void EveryBadOption_IsALineOfTheSameRefusal()
    {
        var options = new PipelineOptions { BatchSize = 0, MinBackoff = TimeSpan.FromDays(2), MaxBackoff = TimeSpan.FromSeconds(1), OrderWindow = TimeSpan.FromSeconds(-1) };

        var e = Assert.Throws<ArgumentException>(() => new MessagePipeline(ScriptedConnector.Of([]), [new CollectingSink("x")], new InMemoryStateStore(), options));

        Assert.Equal(
        [
            "PipelineOptions.BatchSize: between 1 and 100000",
            "PipelineOptions.MinBackoff: at most a day (1.00:00:00)",
            "PipelineOptions.MaxBackoff: must not be shorter than MinBackoff",
            "PipelineOptions.OrderWindow: must not be negative",
        ], e.Message.Split('\n'));
    }

    [Fact]
    public void GoodOptions_PassTheValidatorAsTheyAre()
    {
        var options = new PipelineOptions();
        Assert.True(new PipelineOptionsValidator().Validate(null, options).Succeeded);
        Assert.Same(options, options.Validate());
    }
}
