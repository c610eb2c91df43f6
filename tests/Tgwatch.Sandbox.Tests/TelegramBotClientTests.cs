using Tgwatch.Secrets;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Telegram.Bot's own client (its JSON bodies, its error handling) pointed at the sandbox.</summary>
public sealed class TelegramBotClientTests
{
    private const long Group = -1001000000001;

    private static TelegramBotClient Client(Running s, HttpClient http) =>
        new(new TelegramBotClientOptions(s.Sandbox.Token, s.Sandbox.BaseUrl.ToString()) { RetryCount = 0 }, http);

    [Fact]
    public async Task GetMe_GetUpdates_SendMessage_WorkThroughTelegramBot()
    {
        await using var s = await Running.StartAsync();
        using var http = new HttpClient();
        var bot = Client(s, http);

        var me = await bot.GetMe();
        Assert.Equal(BotToken.IdOf(s.Sandbox.Token), me.Id);
        Assert.True(me.IsBot);

        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "hello bot" });
        var post = await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = -1002000000002, Text = "post" });
        var updates = await bot.GetUpdates(timeout: 5, allowedUpdates: [UpdateType.Message, UpdateType.ChannelPost]);
        Assert.Equal([UpdateType.Message, UpdateType.ChannelPost], updates.Select(u => u.Type));

        var sent = await bot.SendMessage(Group, "hello human", replyParameters: new ReplyParameters { MessageId = updates[0].Message!.MessageId });
        Assert.Equal("hello bot", sent.ReplyToMessage!.Text);

        Assert.Empty(await bot.GetUpdates(offset: post.UpdateId + 1, timeout: 1));
    }

    [Fact]
    public async Task Errors_ReachTelegramBotAsApiRequestExceptions_WithRetryAfter()
    {
        await using var s = await Running.StartAsync();
        using var http = new HttpClient();
        var bot = Client(s, http);

        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, RetryAfter = 9 });
        var limited = await Assert.ThrowsAsync<ApiRequestException>(() => bot.GetUpdates());
        Assert.Equal(429, limited.ErrorCode);
        Assert.Equal(9, limited.Parameters?.RetryAfter);

        await bot.SetWebhook("https://example.org/hook");
        var conflict = await Assert.ThrowsAsync<ApiRequestException>(() => bot.GetUpdates());
        Assert.Equal(409, conflict.ErrorCode);
        Assert.Equal("https://example.org/hook", (await bot.GetWebhookInfo()).Url);
        await bot.DeleteWebhook();

        var wrong = new TelegramBotClient(new TelegramBotClientOptions("1234:AAwrong", s.Sandbox.BaseUrl.ToString()), http);
        Assert.Equal(401, (await Assert.ThrowsAsync<ApiRequestException>(() => wrong.GetMe())).ErrorCode);
    }
}
