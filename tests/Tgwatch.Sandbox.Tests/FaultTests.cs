using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Each fault kind as a raw HTTP client meets it, and the counters that account for them.</summary>
public sealed class FaultTests
{
    private const long Group = -1001000000001;

    [Fact]
    public async Task RateLimit_HitsTheNextKRequests_ThenTheyAreAnsweredAgain()
    {
        await using var s = await Running.StartAsync();
        var armed = await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 2, RetryAfter = 3 });
        Assert.Equal(2, armed.Count);
        Assert.Equal(429, (await s.Bot.GetAsync("getMe")).Status);
        var second = await s.Bot.GetAsync("getUpdates");
        Assert.Equal(3, second.Json.GetProperty("parameters").GetProperty("retry_after").GetInt32());
        Assert.Equal(200, (await s.Bot.GetAsync("getMe")).Status);

        var stats = await s.Admin.GetStatsAsync();
        Assert.Equal(3, stats.RequestsServed);
        Assert.Equal(2, stats.AdminRequests); // the fault armed, and this read of the counters
        Assert.Equal(2, stats.FaultsInjected);
        Assert.Equal(2, stats.FaultsByKind["rate_limit"]);
        Assert.Equal(2, stats.RequestsByMethod["getMe"]);
    }

    [Fact]
    public async Task AFaultForOneMethod_LeavesTheOthersAlone()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Method = "getUpdates" });
        Assert.Equal(200, (await s.Bot.GetAsync("getMe")).Status);
        Assert.Equal(429, (await s.Bot.GetAsync("GetUpdates")).Status);
        Assert.Equal(200, (await s.Bot.GetAsync("getUpdates")).Status);
    }

    [Fact]
    public async Task AFaultForADuration_HitsEveryRequestUntilItEnds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var s = await Running.StartAsync(new SandboxOptions { TimeProvider = time });
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.BadGateway, DurationSeconds = 1.5 });
        for (var i = 0; i < 3; i++) Assert.Equal(502, (await s.Bot.GetAsync("getMe")).Status);
        time.Advance(TimeSpan.FromSeconds(1.4));
        Assert.Equal(502, (await s.Bot.GetAsync("getMe")).Status);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(200, (await s.Bot.GetAsync("getMe")).Status);
    }

    [Fact]
    public async Task BadGateway_IsAnHtmlPage_NotJson()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.BadGateway });
        var answer = await s.Bot.GetAsync("getUpdates");
        Assert.Equal(502, answer.Status);
        Assert.Equal("text/html", answer.ContentType);
        Assert.StartsWith("<html>", answer.Body, StringComparison.Ordinal);
        Assert.Contains("502 Bad Gateway", answer.Body, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(answer.Body));
    }

    [Fact]
    public async Task Drop_ClosesTheConnectionWithoutAnAnswer()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop });
        await Assert.ThrowsAsync<HttpRequestException>(() => s.Bot.GetAsync("getUpdates"));
        Assert.Equal(200, (await s.Bot.GetAsync("getUpdates")).Status);
        Assert.Equal(1, (await s.Admin.GetStatsAsync()).FaultsByKind["drop"]);
    }

    [Fact]
    public async Task DropResponse_CarriesTheRequestOut_ButLosesTheAnswer()
    {
        await using var s = await Running.StartAsync();
        var a = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "a" });
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "b" });
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.DropResponse, Count = 2 });

        // The offset was applied although the answer never came...
        await Assert.ThrowsAsync<HttpRequestException>(() => s.Bot.GetAsync("getUpdates", $"offset={a.UpdateId + 1}"));
        // ...and the message was sent although the client cannot know.
        await Assert.ThrowsAsync<HttpRequestException>(() => s.Bot.GetAsync("sendMessage", $"chat_id={Group}&text=lost+answer"));
        Assert.Equal("b", Assert.Single(await s.Bot.UpdatesAsync()).Message!.Text);
        Assert.Equal("lost answer", Assert.Single(await s.Admin.ListSentAsync()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Stall_NeverAnswers_UntilTheClientGivesUp()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Stall });
        // Started before the client's 1.5 s begin, so the clock sees the whole of them.
        var clock = Stopwatch.StartNew();
        using var impatient = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.Bot.GetAsync("getMe", ct: impatient.Token));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4), $"gave up after {clock.Elapsed}");
        Assert.Equal(200, (await s.Bot.GetAsync("getMe")).Status);
        Assert.Equal(1, (await s.Admin.GetStatsAsync()).FaultsByKind["stall"]);
    }

    [Fact]
    public async Task AStalledRequest_DoesNotHoldUpTheSandboxsStop()
    {
        var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Stall });
        var stalled = s.Bot.GetAsync("getMe");
        await Eventually.TrueAsync(async () => (await s.Admin.GetStatsAsync()).FaultsByKind.GetValueOrDefault("stall") == 1, "the request stalled");
        var clock = Stopwatch.StartNew();
        await s.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"stopping took {clock.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => stalled.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task MalformedUpdate_SitsAmongGoodOnes_WithItsOwnUpdateId()
    {
        await using var s = await Running.StartAsync();
        var before = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "good 1" });
        var bad = await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed });
        var after = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "good 2" });

        var answer = await s.Bot.GetAsync("getUpdates");
        var items = answer.Result.EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal([before.UpdateId!.Value, bad.UpdateIds![0], after.UpdateId!.Value], items.Select(i => i.GetProperty("update_id").GetInt32()));
        Assert.Equal(before.UpdateId + 1, bad.UpdateIds[0]);
        Assert.Equal(JsonValueKind.String, items[1].GetProperty("message").ValueKind);
        // A client that reads the batch as a whole fails on it; one that reads update by update keeps the good ones.
        Assert.ThrowsAny<JsonException>(() => answer.Result.Deserialize<Update[]>(JsonBotAPI.Options));
        Assert.Equal("good 2", items[2].Deserialize<Update>(JsonBotAPI.Options)!.Message!.Text);

        var injected = await s.Admin.ListInjectedAsync();
        Assert.Equal([false, true, false], injected.Select(i => i.Malformed));
        Assert.Equal(1, (await s.Admin.GetStatsAsync()).FaultsByKind["malformed"]);
    }

    [Fact]
    public async Task MalformedShapes_UnknownTypeAndMessageReaction_ReadAsUpdatesThatAreNotMessages()
    {
        await using var s = await Running.StartAsync();
        var armed = await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed, Shape = MalformedShape.UnknownType });
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed, Shape = MalformedShape.MessageReaction, Count = 2 });
        var updates = await s.Bot.UpdatesAsync();
        Assert.Equal([UpdateType.Unknown, UpdateType.MessageReaction, UpdateType.MessageReaction], updates.Select(u => u.Type));
        Assert.Equal(Enumerable.Range(armed.UpdateIds![0], 3), updates.Select(u => u.Id));
        Assert.Null(updates[1].Message);
        Assert.Equal(3, (await s.Admin.GetStatsAsync()).FaultsInjected);
    }

    [Fact]
    public async Task ClearFaults_DisarmsWhatIsLeft()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 5 });
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop, DurationSeconds = 60 });
        Assert.Equal(2, await s.Admin.ClearFaultsAsync());
        Assert.Equal(200, (await s.Bot.GetAsync("getMe")).Status);
    }

    [Fact]
    public async Task BadFaultRequests_AreRefused()
    {
        await using var s = await Running.StartAsync();
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop, Count = 0 }));
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Malformed, DurationSeconds = 5 }));
        using var http = new HttpClient();
        using var unknown = await http.PostAsync(new Uri(s.Sandbox.BaseUrl, "sandbox/faults"), new StringContent("""{"kind":"explode"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)unknown.StatusCode);
    }
}
