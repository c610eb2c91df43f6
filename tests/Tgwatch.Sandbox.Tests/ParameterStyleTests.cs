using Tgwatch.Sandbox.Admin;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Parameters are taken from the query string, urlencoded and multipart forms, and JSON bodies, as Telegram takes them.</summary>
public sealed class ParameterStyleTests
{
    private const long Group = -1001000000001;

    public enum Style { Query, PostQuery, Form, Multipart, Json, JsonStrings }

    private static Task<Answer> Call(RawBot bot, Style style, string method, params (string Name, string Value, bool Raw)[] fields) => style switch
    {
        Style.Query => bot.GetAsync(method, Query(fields)),
        Style.PostQuery => bot.SendAsync(new HttpRequestMessage(HttpMethod.Post, bot.Url(method, null) + "?" + Query(fields)), default),
        Style.Form => bot.PostFormAsync(method, [.. fields.Select(f => (f.Name, f.Value))]),
        Style.Multipart => bot.PostMultipartAsync(method, [.. fields.Select(f => (f.Name, f.Value))]),
        Style.Json => bot.PostJsonAsync(method, "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{(f.Raw ? f.Value : System.Text.Json.JsonSerializer.Serialize(f.Value))}")) + "}"),
        _ => bot.PostJsonAsync(method, "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{System.Text.Json.JsonSerializer.Serialize(f.Value)}")) + "}"),
    };

    private static string Query((string Name, string Value, bool Raw)[] fields) =>
        string.Join("&", fields.Select(f => $"{f.Name}={Uri.EscapeDataString(f.Value)}"));

    [Theory]
    [InlineData(Style.Query)]
    [InlineData(Style.PostQuery)]
    [InlineData(Style.Form)]
    [InlineData(Style.Multipart)]
    [InlineData(Style.Json)]
    [InlineData(Style.JsonStrings)]
    public async Task GetUpdates_TakesOffsetLimitAndAllowedUpdates_InEveryStyle(Style style)
    {
        await using var s = await Running.StartAsync();
        var ids = new List<int>();
        for (var i = 1; i <= 4; i++) ids.Add((await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = $"m{i}" })).UpdateId!.Value);

        var answer = await Call(s.Bot, style, "getUpdates",
            ("offset", ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), true), ("limit", "2", true), ("allowed_updates", """["channel_post"]""", true));
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal(["m2", "m3"], answer.Updates.Select(u => u.Message!.Text));
        Assert.Null((await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "filtered" })).UpdateId);
    }

    [Theory]
    [InlineData(Style.Query)]
    [InlineData(Style.Form)]
    [InlineData(Style.Multipart)]
    [InlineData(Style.Json)]
    [InlineData(Style.JsonStrings)]
    public async Task SendMessage_TakesChatTextAndReplyParameters_InEveryStyle(Style style)
    {
        await using var s = await Running.StartAsync();
        var first = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "question «ж»" });

        var answer = await Call(s.Bot, style, "sendMessage",
            ("chat_id", Group.ToString(System.Globalization.CultureInfo.InvariantCulture), true), ("text", "answer «ж» & more", false),
            ("reply_parameters", $$"""{"message_id":{{first.MessageId}}}""", true));
        Assert.True(answer.Status == 200, answer.Body);
        var sent = answer.As<Telegram.Bot.Types.Message>();
        Assert.Equal("answer «ж» & more", sent.Text);
        Assert.Equal(Group, sent.Chat.Id);
        Assert.Equal(first.MessageId, sent.ReplyToMessage!.MessageId);
    }

    [Fact]
    public async Task ChatIdByUsername_IsAccepted()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = -1003000000003, Chat = new SandboxChat { Username = "sandbox_news" }, Text = "hello" });
        var answer = await s.Bot.GetAsync("sendMessage", "chat_id=@sandbox_news&text=hi");
        Assert.True(answer.Status == 200, answer.Body);
        var sent = answer.As<Telegram.Bot.Types.Message>();
        Assert.Equal(-1003000000003, sent.Chat.Id);
        Assert.Equal(-1003000000003, sent.SenderChat!.Id);
    }
}
