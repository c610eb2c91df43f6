using Tgwatch.Secrets;
using System.Diagnostics;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Sandbox.Tests;

/// <summary>getUpdates held to the Bot API documentation: long polling, offset, limit, allowed_updates, conflicts.</summary>
public sealed class GetUpdatesTests
{
    private const long Group = -1001000000001;

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);

    private static Task<InjectedUpdate> Say(Running s, string text, long chat = Group) =>
        s.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Text = text });

    [Fact]
    public async Task LongPoll_AnswersAsSoonAsAnUpdateArrives()
    {
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var s = await Running.StartAsync(new SandboxOptions { TimeProvider = time });
        var poll = s.Bot.GetAsync("getUpdates", "timeout=30");
        await Eventually.TrueAsync(() => time.DueTimes.Contains(LongPoll), "the long poll waiting");
        Assert.False(poll.IsCompleted, "nothing was queued: the request must wait");

        var clock = Stopwatch.StartNew();
        var injected = await Say(s, "wake up");
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
        var update = Assert.Single(answer.Updates);
        Assert.Equal(injected.UpdateId, update.Id);
        Assert.Equal("wake up", update.Message!.Text);
    }

    [Fact]
    public async Task LongPoll_AnswersAnEmptyArray_WhenTheTimeoutEnds()
    {
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var s = await Running.StartAsync(new SandboxOptions { TimeProvider = time });
        var poll = s.Bot.GetAsync("getUpdates", "timeout=1");
        // The clock moves once the request waits on it: a clock moved while the request is still on its way would start its
        // second late, and the answer would seem to take longer than the timeout.
        await Eventually.TrueAsync(() => time.DueTimes.Contains(TimeSpan.FromSeconds(1)), "the long poll waiting");
        Assert.False(poll.IsCompleted, "nothing was queued: the request must wait its second");
        time.Advance(TimeSpan.FromSeconds(1));
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"ok":true,"result":[]}""", answer.Body);
    }

    [Fact]
    public async Task LongPoll_AnswersAtOnce_WhenUpdatesArePending()
    {
        await using var s = await Running.StartAsync();
        await Say(s, "waiting already");
        var clock = Stopwatch.StartNew();
        var updates = await s.Bot.UpdatesAsync("timeout=30");
        Assert.Single(updates);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task WithoutOffset_UnconfirmedUpdatesAreReturnedAgain()
    {
        await using var s = await Running.StartAsync();
        for (var i = 1; i <= 3; i++) await Say(s, $"m{i}");
        var first = await s.Bot.UpdatesAsync();
        var second = await s.Bot.UpdatesAsync();
        Assert.Equal(3, first.Length);
        Assert.Equal(first.Select(u => u.Id), second.Select(u => u.Id));
    }

    [Fact]
    public async Task Offset_ConfirmsEveryEarlierUpdate_AndIdsIncreaseByOne()
    {
        await using var s = await Running.StartAsync();
        for (var i = 1; i <= 4; i++) await Say(s, $"m{i}");
        var all = await s.Bot.UpdatesAsync();
        Assert.Equal(Enumerable.Range(all[0].Id, 4), all.Select(u => u.Id));

        var rest = await s.Bot.UpdatesAsync($"offset={all[2].Id}");
        Assert.Equal([all[2].Id, all[3].Id], rest.Select(u => u.Id));
        // Confirmed updates are forgotten: asking without an offset, or with an older one, does not bring them back.
        Assert.Equal([all[2].Id, all[3].Id], (await s.Bot.UpdatesAsync()).Select(u => u.Id));
        Assert.Equal([all[2].Id, all[3].Id], (await s.Bot.UpdatesAsync($"offset={all[0].Id}")).Select(u => u.Id));

        Assert.Empty(await s.Bot.UpdatesAsync($"offset={all[3].Id + 1}"));
        Assert.Empty(await s.Bot.UpdatesAsync());
        var next = await Say(s, "m5");
        Assert.Equal(all[3].Id + 1, next.UpdateId);
        Assert.Equal([next.UpdateId!.Value], (await s.Bot.UpdatesAsync()).Select(u => u.Id));
    }

    // "If there are no new updates for at least a week, then identifier of the next update will be chosen randomly
    // instead of sequentially": acted out by the admin API; an offset above such an id confirms it like any other.
    [Fact]
    public async Task UpdatesRenumberedLower_AreReturnedWithoutAnOffset_AndConfirmedByAHigherOne()
    {
        await using var s = await Running.StartAsync();
        for (var i = 1; i <= 3; i++) await Say(s, $"m{i}");
        var all = await s.Bot.UpdatesAsync();
        Assert.Empty(await s.Bot.UpdatesAsync($"offset={all[^1].Id + 1}"));

        await s.Admin.RenumberUpdatesAsync(new RenumberUpdates { Next = 2 });
        var lower = await Say(s, "after a week");
        var next = await Say(s, "and one more");

        Assert.Equal((2, 3), (lower.UpdateId, next.UpdateId));
        Assert.Equal([2, 3], (await s.Bot.UpdatesAsync()).Select(u => u.Id));
        Assert.Empty(await s.Bot.UpdatesAsync($"offset={all[^1].Id + 1}"));
        var refused = await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.RenumberUpdatesAsync(new RenumberUpdates { Next = 0 }));
        Assert.Equal(400, refused.StatusCode);
    }

    [Fact]
    public async Task NegativeOffset_ReturnsTheLastUpdates_AndForgetsTheOnesBefore()
    {
        await using var s = await Running.StartAsync();
        for (var i = 1; i <= 5; i++) await Say(s, $"m{i}");
        var last2 = await s.Bot.UpdatesAsync("offset=-2");
        Assert.Equal(["m4", "m5"], last2.Select(u => u.Message!.Text));
        Assert.Equal(["m4", "m5"], (await s.Bot.UpdatesAsync()).Select(u => u.Message!.Text));
        Assert.Equal(["m5"], (await s.Bot.UpdatesAsync("offset=-1")).Select(u => u.Message!.Text));
        Assert.Equal(["m5"], (await s.Bot.UpdatesAsync("offset=-100")).Select(u => u.Message!.Text));
    }

    [Fact]
    public async Task Limit_CutsTheBatch_AndDefaultsTo100()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendBulkAsync(new InjectBulk { ChatIds = [Group], Count = 150 });
        var two = await s.Bot.UpdatesAsync("limit=2");
        Assert.Equal(["message 1", "message 2"], two.Select(u => u.Message!.Text));
        Assert.Equal(100, (await s.Bot.UpdatesAsync()).Length);
        Assert.Equal(100, (await s.Bot.UpdatesAsync("limit=1000")).Length);
        Assert.Single(await s.Bot.UpdatesAsync("limit=0"));
        var rest = await s.Bot.UpdatesAsync($"offset={two[^1].Id + 100}");
        Assert.Equal(49, rest.Length);
    }

    [Fact]
    public async Task AllowedUpdates_FiltersUpdatesCreatedAfterwards_NotTheOnesAlreadyQueued()
    {
        await using var s = await Running.StartAsync();
        await Say(s, "before the filter");
        var before = await s.Bot.UpdatesAsync("""allowed_updates=["channel_post"]""");
        Assert.Equal("before the filter", Assert.Single(before).Message!.Text);

        var refused = await Say(s, "refused");
        var post = await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = -1002000000002, Text = "a post" });
        Assert.Null(refused.UpdateId);
        Assert.NotNull(post.UpdateId);
        var after = await s.Bot.UpdatesAsync($"offset={before[0].Id + 1}");
        Assert.Equal("a post", Assert.Single(after).ChannelPost!.Text);

        // The setting stays until changed; an empty list means every type (the default).
        Assert.Null((await Say(s, "still refused")).UpdateId);
        await s.Bot.UpdatesAsync($"offset={after[0].Id + 1}&allowed_updates=[]");
        Assert.NotNull((await Say(s, "allowed again")).UpdateId);
    }

    [Fact]
    public async Task WhileAWebhookIsSet_GetUpdatesAnswers409_UntilDeleteWebhook()
    {
        await using var s = await Running.StartAsync();
        await Say(s, "queued");
        var set = await s.Bot.GetAsync("setWebhook", "url=https://example.org/hook");
        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook was set"}""", set.Body);
        var info = await s.Bot.GetAsync("getWebhookInfo");
        Assert.Equal("https://example.org/hook", info.Result.GetProperty("url").GetString());
        Assert.Equal(1, info.Result.GetProperty("pending_update_count").GetInt32());

        var conflict = await s.Bot.GetAsync("getUpdates");
        Assert.Equal(409, conflict.Status);
        Assert.Equal("""{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}""", conflict.Body);

        Assert.Equal("""{"ok":true,"result":true,"description":"Webhook was deleted"}""", (await s.Bot.GetAsync("deleteWebhook")).Body);
        Assert.Equal("queued", Assert.Single(await s.Bot.UpdatesAsync()).Message!.Text);
        Assert.Equal("", (await s.Bot.GetAsync("getWebhookInfo")).Result.GetProperty("url").GetString());
    }

    [Fact]
    public async Task SetWebhook_TerminatesAWaitingLongPoll_With409()
    {
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var s = await Running.StartAsync(new SandboxOptions { TimeProvider = time });
        var poll = s.Bot.GetAsync("getUpdates", "timeout=30");
        await Eventually.TrueAsync(() => time.DueTimes.Contains(LongPoll), "the long poll waiting");
        await s.Bot.GetAsync("setWebhook", "url=https://example.org/hook");
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(409, answer.Status);
    }

    [Fact]
    public async Task DeleteWebhook_DropPendingUpdates_ForgetsTheQueue()
    {
        await using var s = await Running.StartAsync();
        await Say(s, "to be dropped");
        await s.Bot.GetAsync("deleteWebhook", "drop_pending_updates=true");
        Assert.Empty(await s.Bot.UpdatesAsync());
    }

    [Fact]
    public async Task ASecondGetUpdates_TerminatesTheOlderRequest_With409()
    {
        var time = new SteppedClock(DateTimeOffset.UtcNow);
        await using var s = await Running.StartAsync(new SandboxOptions { TimeProvider = time });
        var older = s.Bot.GetAsync("getUpdates", "timeout=30");
        await Eventually.TrueAsync(() => time.DueTimes.Contains(LongPoll), "the older long poll waiting");
        var newer = s.Bot.GetAsync("getUpdates", "timeout=30");

        var terminated = await older.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(409, terminated.Status);
        Assert.Equal("""{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}""", terminated.Body);
        Assert.False(newer.IsCompleted, "the newer request goes on waiting");

        await Say(s, "for the newer one");
        var answer = await newer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("for the newer one", Assert.Single(answer.Updates).Message!.Text);
    }

    [Fact]
    public async Task BotsHaveTheirOwnQueues()
    {
        string[] tokens = [BotToken.Generate(), BotToken.Generate()];
        await using var s = await Running.StartAsync(new SandboxOptions { Tokens = tokens });
        await s.Admin.SendMessageAsync(new InjectMessage { BotId = BotToken.IdOf(tokens[1]), ChatId = Group, Text = "for the second bot" });
        Assert.Empty((await s.Bot.GetAsync("getUpdates", token: tokens[0])).Updates);
        Assert.Equal("for the second bot", Assert.Single((await s.Bot.GetAsync("getUpdates", token: tokens[1])).Updates).Message!.Text);
        Assert.Equal(BotToken.IdOf(tokens[1]), (await s.Bot.GetAsync("getMe", token: tokens[1])).As<Telegram.Bot.Types.User>().Id);
    }
}
