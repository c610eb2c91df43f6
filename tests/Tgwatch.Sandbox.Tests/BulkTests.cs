using Tgwatch.Sandbox.Admin;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Thousands of messages at once, drained the documented way.</summary>
public sealed class BulkTests
{
    [Fact]
    public async Task FiveThousandMessages_DrainedWithOffsets_GiveExactlyFiveThousandDistinctIdsInOrder()
    {
        await using var s = await Running.StartAsync();
        long[] chats = [-1001000000001, -1001000000002, -4001, 777];
        var bulk = await s.Admin.SendBulkAsync(new InjectBulk { ChatIds = chats, Count = 5_000 });
        Assert.Equal(5_000, bulk.Queued);
        Assert.Equal(bulk.FirstUpdateId + 4_999, bulk.LastUpdateId);

        var ids = new List<int>();
        var texts = new List<string>();
        long? offset = null;
        for (var round = 0; round < 100; round++)
        {
            var batch = await s.Bot.UpdatesAsync(offset is null ? "timeout=0" : $"offset={offset}&timeout=0");
            if (batch.Length == 0) break;
            Assert.True(batch.Length <= 100);
            ids.AddRange(batch.Select(u => u.Id));
            texts.AddRange(batch.Select(u => u.Message!.Text!));
            offset = batch[^1].Id + 1;
        }

        Assert.Equal(5_000, ids.Count);
        Assert.Equal(5_000, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(bulk.FirstUpdateId!.Value, 5_000), ids);
        Assert.Equal(Enumerable.Range(1, 5_000).Select(i => $"message {i}"), texts);
        var injected = await s.Admin.ListInjectedAsync();
        Assert.Equal(5_000, injected.Count);
        Assert.Equal(ids, injected.Select(i => i.UpdateId!.Value));
        // Message ids count per chat: 1,250 messages in each of the four chats.
        Assert.All(injected.GroupBy(i => i.ChatId), chat => Assert.Equal(Enumerable.Range(1, 1_250), chat.Select(i => i.MessageId)));
        Assert.Equal(0, (await s.Admin.GetStatsAsync()).Bots[0].PendingUpdates);
    }

    [Fact]
    public async Task BulkChannelPosts_AreChannelPosts()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1002000000002], Count = 3, Channel = true, Text = "post" });
        var updates = await s.Bot.UpdatesAsync();
        Assert.Equal(["post 1", "post 2", "post 3"], updates.Select(u => u.ChannelPost!.Text));
    }
}
