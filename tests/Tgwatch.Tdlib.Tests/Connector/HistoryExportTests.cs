using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Connector.Export;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>
/// <c>tgwatch export</c>'s reading of a chat's history (<see cref="HistoryExport"/>) through the pipeline, against a scripted
/// TDLib 1.8.65: the range found by date, pages TDLib cuts short, a stop in the middle and the resume, FLOOD_WAIT, empty ranges,
/// and the dedup shared with a run.
/// </summary>
public sealed class HistoryExportTests
{
    private const string Account = "user5001";

    private static DateTimeOffset DateOf(long serverId) => DateTimeOffset.FromUnixTimeSeconds(TdWorld.FirstDate + serverId - 1);

    private static HistoryExport NewExport(TdWorld world, HistoryRange range, TimeProvider? time = null) =>
        new(world.Session, new TdUpdateReader(Account), range, new TdlibConnectorOptions
        {
            Account = Account,
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        }, time: time);

    private static MessagePipeline NewPipeline(IConnector connector, IMessageSink sink, InMemoryStateStore store) =>
        new(connector, [sink], store, new PipelineOptions { OrderWindow = TimeSpan.FromMilliseconds(50), DrainTimeout = TimeSpan.FromMilliseconds(500), BatchSize = 100 });

    /// <summary>Runs an export to its end (or fails the test after a while).</summary>
    private static async Task<MessagePipeline> ExportAsync(TdWorld world, HistoryRange range, CollectingSink sink, InMemoryStateStore store, TimeProvider? time = null)
    {
        await using var export = NewExport(world, range, time);
        var pipeline = NewPipeline(export, sink, store);
        await pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return pipeline;
    }

    private static List<long> Ids(CollectingSink sink) => [.. sink.ByKey.Values.Select(m => m.MessageId).Order()];

    private static IEnumerable<long> Span(long first, long last) => Enumerable.Range((int)first, (int)(last - first + 1)).Select(i => (long)i);

    private static TdWorld ChatWith(int messages, int pageCap = int.MaxValue)
    {
        var world = new TdWorld { HistoryPageCap = pageCap };
        world.AddChat(News, "News", username: "newsroom");
        for (var i = 0; i < messages; i++) world.Post(News, $"m{i + 1}", live: false);
        return world;
    }

    // 5,000 messages (of 6,000) in pages TDLib cuts to 37; the process dies in the middle (a batch half written, never committed):
    // started again with the same range it goes on from its last commit, and every message of the range is in the sink once.
    [Fact]
    public async Task A5000MessageRange_InShortPages_KilledInTheMiddleAndResumed_HasEveryMessageOnce()
    {
        var world = ChatWith(6000, pageCap: 37);
        var range = new HistoryRange("@newsroom", Since: DateOf(501), Before: DateOf(5501));
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        var dead = false;
        sink.BeforeWrite = async (batch, ct) =>
        {
            if (dead || sink.Keys.Count < 2500) return;
            // kill -9 in the middle of a write: half the batch is in the sink, nothing of it will be committed.
            dead = true;
            sink.Store(batch.Take(batch.Count / 2));
            await Task.Delay(Timeout.Infinite, ct);
        };
        store.OnCommit = _ =>
        {
            if (dead) throw new IOException("the process is gone");
        };
        await using (var first = NewExport(world, range))
        {
            var pipeline = NewPipeline(first, sink, store);
            using var stop = new CancellationTokenSource();
            var running = pipeline.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => dead, "the crash", Patience, running);
            await stop.CancelAsync();
            await running.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);
        }
        var committed = (await store.LoadCheckpointsAsync(Account, "tdlib", CancellationToken.None)).Single();
        Assert.Equal("export:" + News.ToString(CultureInfo.InvariantCulture) + ":since=" + HistoryRange.Format(DateOf(501)) + ":before=" + HistoryRange.Format(DateOf(5501)), committed.Key);
        Assert.InRange(committed.Value, 500 + 1, 500 + 2600);
        var writesBefore = sink.Writes.Count;

        store.OnCommit = null;
        sink.BeforeWrite = null;
        var calls = world.HistoryLimits.Count;
        await using var second = NewExport(world, range);
        var resumed = NewPipeline(second, sink, store);
        await resumed.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Span(501, 5500), Ids(sink));
        Assert.Equal(committed.Value, second.Stats.From);
        Assert.Equal(HistoryExportState.Done, second.Stats.State);
        // Only what was never committed came again (the half-written batch's messages, and those behind it in flight).
        Assert.Equal(5500 - committed.Value, resumed.Stats.Received);
        Assert.True(sink.Writes.Count - 5000 <= writesBefore - (committed.Value - 500), "a committed message was written again");
        Assert.All(world.HistoryLimits, l => Assert.InRange(l, 1, 100));
        Assert.True(world.HistoryLimits.Count - calls > (5500 - committed.Value) / 100, "short pages were filled with more calls");
        Assert.Equal(5500, (await store.LoadCheckpointsAsync(Account, "tdlib", CancellationToken.None))[committed.Key]);
    }

    // A FLOOD_WAIT in the middle: the export waits what TDLib says (its end shown while it waits), counts it, and goes on.
    [Fact]
    public async Task AFloodWaitInTheMiddle_IsWaitedOutAsAsked_Counted_AndTheExportGoesOn()
    {
        var world = ChatWith(1000);
        var flooded = 0;
        world.HistoryFault = call => call == 5 && Interlocked.Exchange(ref flooded, 1) == 0
            ? new TdlibErrorException(429, "Too Many Requests: retry after 7", "getChatHistory")
            : null;
        var clock = new SteppedClock(SomeMessage.Date) { Steps = due => due >= TimeSpan.FromSeconds(2) };
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using var export = NewExport(world, new HistoryRange(News.ToString(CultureInfo.InvariantCulture)), clock);
        var pipeline = NewPipeline(export, sink, store);
        var running = pipeline.RunAsync(CancellationToken.None);

        var wait = await clock.NextWaitAsync(Patience);
        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.Equal(clock.GetUtcNow() + wait, export.Stats.FloodWaitUntil(clock.GetUtcNow()));
        Assert.Equal(1, export.Stats.FloodWaits);
        Assert.InRange(export.Stats.Exported, 1, 999);
        clock.Advance(wait);
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Span(1, 1000), Ids(sink));
        Assert.Equal(1000, sink.Writes.Count);
        Assert.Null(export.Stats.FloodWaitUntil(clock.GetUtcNow()));
        Assert.Equal(1, export.TdlibStats.RateLimited);
    }

    // The link is lost in the middle: TDLib stops answering (its requests time out) until it is back; the export waits for
    // it, backing off, and goes on where it was, every message once.
    [Fact]
    public async Task ANetworkLossInTheMiddle_IsWaitedFor_AndTheExportGoesOnWhereItWas()
    {
        var world = ChatWith(600, pageCap: 50);
        var offline = 0;
        world.HistoryFault = call => call == 4 && Interlocked.Increment(ref offline) <= 3
            ? new TimeoutException("TDLib did not answer getChatHistory within 5 s")
            : null;
        world.Connection("connectionStateWaitingForNetwork");
        var sink = new CollectingSink();
        await using var export = NewExport(world, new HistoryRange("@newsroom"));
        var pipeline = NewPipeline(export, sink, new InMemoryStateStore());
        var running = pipeline.RunAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Volatile.Read(ref offline) >= 3, "the requests while offline", Patience, running);
        world.Connection("connectionStateReady");
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Span(1, 600), Ids(sink));
        Assert.Equal(600, sink.Writes.Count);
        Assert.True(export.TdlibStats.Retries >= 3, $"{export.TdlibStats.Retries} retries");
    }

    // --since before the chat's first message: getChatMessageByDate has nothing before it (404), so the export starts at the first.
    [Fact]
    public async Task ASinceBeforeTheChatsFirstMessage_ExportsFromTheFirstMessage()
    {
        var world = ChatWith(150, pageCap: 40);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await ExportAsync(world, new HistoryRange("@newsroom", Since: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)), sink, store);
        Assert.Equal(Span(1, 150), Ids(sink));
        Assert.All(sink.ByKey.Values, m => Assert.Equal("News", m.Chat.Title));
    }

    // --until before the chat's first message: the range holds nothing; the export ends at once and writes nothing.
    [Fact]
    public async Task AnUntilBeforeTheChatsFirstMessage_EndsAtOnce_WritingNothing()
    {
        var world = ChatWith(50);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var pipeline = await ExportAsync(world, new HistoryRange("@newsroom", Before: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)), sink, store);
        Assert.Empty(sink.Writes);
        Assert.Equal(0, pipeline.Stats.Received);
        Assert.Empty(world.HistoryLimits);
    }

    // A range between two messages holds none: no history is read, nothing is written.
    [Fact]
    public async Task AnEmptyRange_BetweenTwoMessages_EndsAtOnce_WritingNothing()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.Post(News, "before", live: false, date: TdWorld.FirstDate);
        world.Post(News, "after", live: false, date: TdWorld.FirstDate + 1000);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var range = new HistoryRange(News.ToString(CultureInfo.InvariantCulture),
            Since: DateTimeOffset.FromUnixTimeSeconds(TdWorld.FirstDate + 10), Before: DateTimeOffset.FromUnixTimeSeconds(TdWorld.FirstDate + 20));
        await using var export = NewExport(world, range);
        var pipeline = NewPipeline(export, sink, store);
        await pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(sink.Writes);
        Assert.Empty(world.HistoryLimits);
        Assert.Equal(HistoryExportState.Done, export.Stats.State);
        Assert.Equal(0, export.Stats.Estimated);
    }

    // The range's dates are kept: --since is the first moment in, --until the moment it stops before.
    [Fact]
    public async Task SinceAndUntil_KeepExactlyTheMessagesOfTheRange()
    {
        var world = ChatWith(300, pageCap: 30);
        var sink = new CollectingSink();
        await ExportAsync(world, new HistoryRange("@newsroom", Since: DateOf(101), Before: DateOf(201)), sink, new InMemoryStateStore());
        Assert.Equal(Span(101, 200), Ids(sink));
    }

    // A range done is committed to its end: the same range again reads nothing more and writes nothing.
    [Fact]
    public async Task TheSameRangeAgain_OnceDone_WritesNothing()
    {
        var world = ChatWith(120);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var range = new HistoryRange("@newsroom", Before: DateOf(101));
        await ExportAsync(world, range, sink, store);
        var again = await ExportAsync(world, range, sink, store);
        Assert.Equal(Span(1, 100), Ids(sink));
        Assert.Equal(100, sink.Writes.Count);
        Assert.Equal(0, again.Stats.Received);
    }

    // A run wrote part of the chat: an export of the whole chat into the same sinks writes only what the run did not, and
    // an export that overlaps an earlier export writes none of the overlap again.
    [Fact]
    public async Task RunAndExport_OfTheSameChat_NeverWriteAMessageTwice()
    {
        var world = ChatWith(100);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        await using (var connector = NewConnector(world))
        {
            // The run caught the chat up from message 30 (its checkpoint).
            await store.CommitAsync(new Tgwatch.Storage.StoreCommit(Account, "tdlib", [new Checkpoint(TdlibConnector.StreamOf(News), 30)], [], DateTimeOffset.UtcNow), CancellationToken.None);
            var run = NewPipeline(connector, sink, store);
            using var stop = new CancellationTokenSource();
            var running = run.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Keys.Count == 70 && run.InFlight == 0, "the run's catch-up", Patience, running);
            await stop.CancelAsync();
            await running.WaitAsync(Patience);
        }
        var part = await ExportAsync(world, new HistoryRange("@newsroom", Before: DateOf(51)), sink, store);
        var whole = await ExportAsync(world, new HistoryRange("@newsroom"), sink, store);

        Assert.Equal(Span(1, 100), Ids(sink));
        Assert.Equal(100, sink.Writes.Count);
        Assert.Equal(30, part.Stats.Written);
        Assert.Equal(20, part.Stats.Duplicates);
        Assert.Equal(0, whole.Stats.Written);
        Assert.Equal(100, whole.Stats.Duplicates);
    }

    // --limit N: at most N messages this time; the same range again goes on after them.
    [Fact]
    public async Task ALimit_StopsAfterThatManyMessages_AndTheSameRangeGoesOnAfterThem()
    {
        var world = ChatWith(100, pageCap: 30);
        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        var range = new HistoryRange("@newsroom") { Limit = 40 };
        await using (var first = NewExport(world, range))
        {
            await NewPipeline(first, sink, store).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HistoryExportState.LimitReached, first.Stats.State);
            Assert.Equal(40, first.Stats.Estimated);
        }
        Assert.Equal(Span(1, 40), Ids(sink));
        await ExportAsync(world, range, sink, store);
        Assert.Equal(Span(1, 80), Ids(sink));
        Assert.Equal(80, sink.Writes.Count);
    }

    // TDLib refuses the chat's history (a bot account): the export ends with one line saying so.
    [Fact]
    public async Task AHistoryTdlibRefuses_EndsTheExportWithOneLine()
    {
        var world = ChatWith(10);
        world.Session.Fail("getChatHistory", 400, "Method is not available for bots");
        await using var export = NewExport(world, new HistoryRange("@newsroom"));
        var pipeline = NewPipeline(export, new CollectingSink(), new InMemoryStateStore());
        var e = await Assert.ThrowsAsync<TdlibHistoryRefusedException>(() => pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task AChatThatDoesNotExist_EndsTheExportWithOneLine()
    {
        var world = ChatWith(1);
        await using var export = NewExport(world, new HistoryRange("@nosuchchat"));
        var pipeline = NewPipeline(export, new CollectingSink(), new InMemoryStateStore());
        var e = await Assert.ThrowsAsync<TdlibChatNotFoundException>(() => pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("@nosuchchat", e.Message, StringComparison.Ordinal);
    }
}
