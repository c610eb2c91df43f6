using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>Defects found in review of the TDLib connector, each shown by a test.</summary>
public sealed class ReviewTests
{
    /// <summary>Reads until <paramref name="done"/> holds, or until <paramref name="quiet"/> passes without a delivery (then returns what came).</summary>
    private static async Task<List<Delivery>> ReadFor(TdlibConnector connector, IReadOnlyDictionary<string, long> committed, Func<List<Delivery>, bool> done,
        TimeSpan quiet, Func<Delivery, Task>? onEach = null)
    {
        var got = new List<Delivery>();
        using var cts = new CancellationTokenSource(Patience);
        var e = connector.ReadAsync(committed, cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            while (!done(got))
            {
                var next = e.MoveNextAsync().AsTask();
                if (await Task.WhenAny(next, Task.Delay(quiet)) != next)
                {
                    // Quiet for long enough: stop the read, and let the pending step end before the enumerator is disposed.
                    await cts.CancelAsync();
                    await next.ContinueWith(_ => { }, TaskScheduler.Default);
                    break;
                }
                if (!await next) break;
                got.Add(e.Current);
                if (onEach is not null) await onEach(e.Current);
            }
        }
        finally
        {
            await e.DisposeAsync();
        }
        return got;
    }

    // (1) A restart catches up from its checkpoint; TDLib chooses how many messages a page holds, and a page around the
    // checkpoint that TDLib cut at its newer end holds only the checkpoint and older messages. The connector took that for
    // "nothing newer" and ended the catch-up: every message after the checkpoint that is not pushed live again was lost.
    [Fact(Timeout = 30_000)]
    public async Task ACatchUp_WhosePageTdlibCutAtItsNewerEnd_StillReachesTheNewestMessage()
    {
        var world = new TdWorld { HistoryPageCap = 5 };
        world.AddChat(News, "News");
        for (var i = 0; i < 30; i++) world.Post(News, $"m{i + 1}", live: false);
        await using var connector = NewConnector(world);
        var got = await ReadFor(connector, At(News, 10), g => Ids(g).Count >= 20, TimeSpan.FromSeconds(2));
        Assert.Equal(Enumerable.Range(11, 20).Select(i => (long)i), Ids(got));
    }

    // (1) The same with TDLib returning a single message per call (it may): the walk back below a page must not stop at
    // the page's own oldest message, or the stretch between the checkpoint and that page is skipped for good.
    [Fact(Timeout = 30_000)]
    public async Task ACatchUp_WithOneMessagePerPage_LosesNothing()
    {
        var world = new TdWorld { HistoryPageCap = 1 };
        world.AddChat(News, "News");
        for (var i = 0; i < 12; i++) world.Post(News, $"m{i + 1}", live: false);
        await using var connector = NewConnector(world);
        var got = await ReadFor(connector, At(News, 3), g => Ids(g).Count >= 9, TimeSpan.FromSeconds(2));
        Assert.Equal(Enumerable.Range(4, 9).Select(i => (long)i), Ids(got));
    }

    // (2)/noise: a watched chat whose last message TDLib does not know (getChat's last_message "may be null if none or
    // unknown", e.g. a public channel found by @username) got the baseline 0, and its whole history from the very first
    // message was delivered as new messages, instead of starting where the chat is now.
    [Fact(Timeout = 30_000)]
    public async Task AFirstStart_WhenTdlibDoesNotKnowTheLastMessage_StartsFromNow_NotFromTheFirstMessage()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        for (var i = 0; i < 5; i++) world.Post(News, "old", live: false);
        world.Session.On("getChat", _ =>
            $$"""{"@type":"chat","id":{{News}},"type":{"@type":"chatTypeSupergroup","supergroup_id":1234567890,"is_channel":true},"title":"News"}""");
        await using var connector = NewConnector(world);
        var got = await ReadFor(connector, new Dictionary<string, long>(), g => Ids(g).Contains(6), TimeSpan.FromSeconds(2), async d =>
        {
            if (d.Message is null) world.Post(News, "new");
            await connector.CommitAsync(d.Position, default);
        });
        Assert.Equal([6L], Ids(got));
        Assert.Equal(5, got.First(d => d.Message is null).Position.Position);
    }

    // (1) With every chat watched, a chat with no position yet is live only; when its first updates overflow its queue
    // (a burst while the consumer is slow, or before the start), the overflowed messages were left to a catch-up that
    // has no position to start from: they were lost. The first live message seen gives the position to catch up from.
    [Fact(Timeout = 30_000)]
    public async Task AChatWithoutAPosition_WhoseFirstBurstOverflowsItsQueue_LosesNothing()
    {
        var world = new TdWorld();
        world.AddChat(Talk, "Talk", type: "supergroup");
        for (var i = 0; i < 3; i++) world.Post(Talk, "before", live: false);
        // the burst waits in the session before the connector starts (as updates seen while logging in do)
        for (var i = 0; i < 20; i++) world.Post(Talk, $"burst {i}");
        await using var connector = NewConnector(world, chats: [], tune: o => o with { LiveQueueCapacity = 1 });
        var got = await ReadFor(connector, new Dictionary<string, long>(), g => Ids(g).Count >= 20, TimeSpan.FromSeconds(2));
        Assert.True(connector.Stats.LiveOverflows > 0);
        Assert.Equal(Enumerable.Range(4, 20).Select(i => (long)i), Ids(got, Talk));
    }
}
