using Tgwatch.Secrets;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Answers in Telegram's exact JSON shape: <c>ok</c>, <c>error_code</c>, <c>description</c>, and <c>parameters</c> only when there are some.</summary>
public sealed class ErrorShapeTests
{
    [Fact]
    public async Task UnknownToken_Is401Unauthorized()
    {
        await using var s = await Running.StartAsync();
        var answer = await s.Bot.GetAsync("getMe", token: "42:AAthis-is-not-the-token");
        Assert.Equal(401, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("""{"ok":false,"error_code":401,"description":"Unauthorized"}""", answer.Body);
    }

    [Theory]
    [InlineData("bot{token}/noSuchMethod")]
    [InlineData("botnot-a-token/getMe")]
    [InlineData("something/else")]
    public async Task UnknownMethodOrPath_Is404NotFound(string path)
    {
        await using var s = await Running.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(s.Sandbox.BaseUrl + path.Replace("{token}", s.Sandbox.Token, StringComparison.Ordinal)));
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":404,"description":"Not Found"}""", await response.Content.ReadAsStringAsync());
    }

    // A generated token's secret is random: about one in a thousand holds "bot" in some case, and such a token must work too.
    [Theory]
    [InlineData("1234567890:AAbotbotbotbotbotbotbotbotbotbotbot")]
    [InlineData("1234567890:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxBoT")]
    [InlineData("1234567890:AAxxxxxxxxxxxxxbOtxxxxxxxxxxxxxxx")]
    public async Task ATokenWhoseSecretHoldsBot_IsAnsweredLikeAnyOther(string token)
    {
        await using var s = await Running.StartAsync(new SandboxOptions { Tokens = [token] });
        var answer = await s.Bot.GetAsync("getMe");
        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal(1234567890, answer.As<Telegram.Bot.Types.User>().Id);
        Assert.Equal(401, (await s.Bot.GetAsync("getMe", token: "1234567890:AAbotbot-not-the-token")).Status);
        Assert.Equal(404, (await s.Bot.GetAsync("noSuchMethod")).Status);
    }

    [Fact]
    public async Task MethodNames_AreCaseInsensitive()
    {
        await using var s = await Running.StartAsync();
        Assert.Equal(200, (await s.Bot.GetAsync("GETME")).Status);
        Assert.Equal(200, (await s.Bot.GetAsync("getupdates")).Status);
    }

    [Fact]
    public async Task Success_IsOkTrueWithTheResult()
    {
        await using var s = await Running.StartAsync();
        var answer = await s.Bot.GetAsync("getMe");
        Assert.Equal(200, answer.Status);
        Assert.Equal(
            $$$"""{"ok":true,"result":{"id":{{{BotToken.IdOf(s.Sandbox.Token)}}},"is_bot":true,"first_name":"Sandbox Bot","username":"sandbox_{{{BotToken.IdOf(s.Sandbox.Token)}}}_bot","can_join_groups":true,"can_read_all_group_messages":true,"supports_inline_queries":false}}""",
            answer.Body);
        var me = answer.As<Telegram.Bot.Types.User>();
        Assert.True(me.IsBot);
    }

    [Fact]
    public async Task RateLimit_CarriesRetryAfterInParameters()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, RetryAfter = 7 });
        var answer = await s.Bot.GetAsync("getUpdates");
        Assert.Equal(429, answer.Status);
        Assert.Equal("""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}""", answer.Body);
    }

    [Fact]
    public async Task BadRequests_Are400WithADescription_AndNoParameters()
    {
        await using var s = await Running.StartAsync();
        var noChat = await s.Bot.PostJsonAsync("sendMessage", """{"chat_id":12345,"text":"hi"}""");
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""", noChat.Body);
        Assert.Equal(400, noChat.Status);
        var badOffset = await s.Bot.GetAsync("getUpdates", "offset=abc");
        Assert.Equal(400, badOffset.Status);
        Assert.False(badOffset.Json.GetProperty("ok").GetBoolean());
        Assert.StartsWith("Bad Request: ", badOffset.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
        var badJson = await s.Bot.PostJsonAsync("getUpdates", "{not json");
        Assert.Equal(400, badJson.Status);
    }
}
