using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Telegram;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>Alerts through a user account's TDLib client, over the scripted TDLib sending as 1.8.65 does.</summary>
public sealed class TdlibChatPosterTests
{
    private const long Alerts = -1005550001111;

    private static string Id(long chat) => chat.ToString(CultureInfo.InvariantCulture);

    /// <summary>A connector reading the world's updates with <paramref name="poster"/> told of its messages; read in the background until disposed.</summary>
    private static async Task<(TdlibConnector Connector, Task<List<Delivery>> Reading, CancellationTokenSource Stop, List<Delivery> Got)> ReadingAsync(
        TdWorld world, TdlibChatPoster poster, params long[] chats)
    {
        var options = new TdlibConnectorOptions
        {
            Account = "user5000",
            Chats = [.. chats.Select(Id)],
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        var connector = new TdlibConnector(world.Session, new TdUpdateReader(options.Account), options) { Poster = poster };
        var stop = new CancellationTokenSource();
        var got = new List<Delivery>();
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var d in connector.ReadAsync(new Dictionary<string, long>(), stop.Token))
                    lock (got) got.Add(d);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            return got;
        });
        await Task.Yield();
        return (connector, reading, stop, got);
    }

    [Fact]
    public async Task APost_IsOverWhenTheServerHasIt_AndIsKnownAsOwnBeforeItComesBackAsARecord()
    {
        var world = new TdWorld();
        world.AddChat(Alerts, "Alerts", type: "supergroup");
        var poster = new TdlibChatPoster(world.Session);
        var (connector, reading, stop, got) = await ReadingAsync(world, poster, Alerts);
        await using var _ = connector;
        // A chat seen for the first time starts where it is then: post once the connector watches it.
        await Eventually.TrueAsync(() => world.Session.SentOf("openChat").Count == 1, "the chat watched", Patience);

        var result = await poster.PostAsync(Id(Alerts), "keyword seen", default).AsTask().WaitAsync(Patience);

        Assert.Equal(PostOutcome.Posted, result.Outcome);
        var sent = Assert.Single(world.MessagesOf(Alerts));
        Assert.Equal("keyword seen", sent.Text);
        Assert.True(poster.IsOwnPost(Alerts, sent.Id));
        Assert.False(poster.IsOwnPost(Alerts, sent.Id + 1));
        var request = Assert.Single(world.Session.SentOf("sendMessage"));
        Assert.Equal("inputMessageText", (string)request["input_message_content"]!["@type"]!);
        Assert.True((bool)request["input_message_content"]!["link_preview_options"]!["is_disabled"]!);
        // The alert comes back as a record of the watched chat (under its server id): a message like any other.
        await Eventually.TrueAsync(() => { lock (got) return Ids(got).Contains(sent.Id); }, "the alert as a record", Patience);
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AChatByUsername_IsLookedUpOnce()
    {
        var world = new TdWorld();
        world.AddChat(Alerts, "Alerts", type: "supergroup", username: "alertsroom");
        var poster = new TdlibChatPoster(world.Session);
        var (connector, reading, stop, _) = await ReadingAsync(world, poster);
        await using var _ = connector;

        Assert.Equal(PostOutcome.Posted, (await poster.PostAsync("@alertsroom", "one", default).AsTask().WaitAsync(Patience)).Outcome);
        Assert.Equal(PostOutcome.Posted, (await poster.PostAsync("@alertsroom", "two", default).AsTask().WaitAsync(Patience)).Outcome);

        Assert.Equal(["one", "two"], world.MessagesOf(Alerts).Select(m => m.Text));
        Assert.Equal("alertsroom", (string)Assert.Single(world.Session.SentOf("searchPublicChat"))["username"]!);
        await stop.CancelAsync();
        await reading;
    }

    [Theory]
    [InlineData(429, "Too Many Requests: retry after 7", PostOutcome.Retry, 7)]
    [InlineData(403, "CHAT_WRITE_FORBIDDEN", PostOutcome.Refused, 0)]
    [InlineData(500, "Internal Server Error", PostOutcome.Retry, 0)]
    public async Task ASendTheServerRefuses_IsTheResult(int code, string error, PostOutcome outcome, int retryAfter)
    {
        var world = new TdWorld { SendOutcome = (_, _) => (code, error) };
        world.AddChat(Alerts, "Alerts", type: "supergroup");
        var poster = new TdlibChatPoster(world.Session);
        var (connector, reading, stop, _) = await ReadingAsync(world, poster);
        await using var _ = connector;

        var result = await poster.PostAsync(Id(Alerts), "x", default).AsTask().WaitAsync(Patience);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(code, result.Code);
        Assert.Equal(error, result.Description);
        Assert.Equal(retryAfter == 0 ? null : TimeSpan.FromSeconds(retryAfter), result.RetryAfter);
        Assert.Empty(world.MessagesOf(Alerts));
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task AnUnknownChat_IsRefused()
    {
        var world = new TdWorld();
        var poster = new TdlibChatPoster(world.Session);

        var byId = await poster.PostAsync("-1009999", "x", default);
        var byName = await poster.PostAsync("@nobodyhere", "x", default);

        Assert.Equal((PostOutcome.Refused, 400, "Chat not found"), (byId.Outcome, byId.Code, byId.Description));
        Assert.Equal((PostOutcome.Refused, 400, "USERNAME_NOT_OCCUPIED"), (byName.Outcome, byName.Code, byName.Description));
        Assert.Empty(world.Session.SentOf("sendMessage"));
    }

    [Fact]
    public async Task AForward_SendsTheMessageItself_AProtectedOneIsRefused()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Talk, "Talk", type: "supergroup");
        world.AddChat(Alerts, "Alerts", type: "supergroup");
        var original = world.Post(News, "breaking", live: false);
        var secret = world.Post(Talk, "internal", live: false);
        world.ProtectedChats.Add(Talk);
        var poster = new TdlibChatPoster(world.Session);
        var (connector, reading, stop, _) = await ReadingAsync(world, poster);
        await using var _ = connector;

        var forwarded = await poster.ForwardAsync(Id(Alerts), News, original.Id, default).AsTask().WaitAsync(Patience);
        var refused = await poster.ForwardAsync(Id(Alerts), Talk, secret.Id, default).AsTask().WaitAsync(Patience);

        Assert.Equal(PostOutcome.Posted, forwarded.Outcome);
        var sent = Assert.Single(world.MessagesOf(Alerts));
        Assert.Equal(original, sent.ForwardOf);
        Assert.True(poster.IsOwnPost(Alerts, sent.Id));
        var request = world.Session.SentOf("forwardMessages")[0];
        Assert.Equal(TdMessageIds.FromServerId(original.Id), (long)request["message_ids"]![0]!);
        Assert.False((bool)request["send_copy"]!);
        Assert.Equal(PostOutcome.Refused, refused.Outcome);
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task APostGivenUpWhileBeingSent_IsWithdrawn_SoItNeverGoesOutBesideTheRetry()
    {
        var world = new TdWorld { HoldSends = true };
        world.AddChat(Alerts, "Alerts", type: "supergroup");
        var poster = new TdlibChatPoster(world.Session);
        var (connector, reading, stop, _) = await ReadingAsync(world, poster);
        await using var _ = connector;
        using var giveUp = new CancellationTokenSource();

        var post = poster.PostAsync(Id(Alerts), "slow", giveUp.Token).AsTask();
        await Eventually.TrueAsync(() => world.Sending == 1, "the message being sent", Patience);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        var delete = Assert.Single(world.Session.SentOf("deleteMessages"));
        Assert.Equal(Alerts, (long)delete["chat_id"]!);
        Assert.True((bool)delete["revoke"]!);
        Assert.Equal(0, world.Sending);
        world.SettleSends();
        Assert.Empty(world.MessagesOf(Alerts));
        await stop.CancelAsync();
        await reading;
    }

    // The case: a JSONL-like sink takes everything, an alert sink alerts into a chat that is watched too. Each alert comes
    // back as a record (the complete sink has it) and is never alerted again: every source message alerted exactly once.
    [Fact]
    public async Task AlertsIntoAWatchedChat_AreRecordedButNeverAlertedAgain()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        world.AddChat(Alerts, "Alerts", type: "supergroup");
        var poster = new TdlibChatPoster(world.Session);
        var options = new TdlibConnectorOptions
        {
            Account = "user5000",
            Chats = [Id(News), Id(Alerts)],
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        await using var connector = new TdlibConnector(world.Session, new TdUpdateReader(options.Account), options) { Poster = poster };
        var store = new InMemoryStateStore();
        var everything = new CollectingSink("jsonl");
        await using var alerts = new TelegramSink(new TelegramSinkOptions { Chat = Id(Alerts), Interval = TimeSpan.Zero, GroupPerMinute = 0 }, poster, store);
        var pipeline = new MessagePipeline(connector, [everything, alerts], store, new PipelineOptions { BatchSize = 8 });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        // Both chats seen for the first time start where they are now: post once the connector watches them.
        await Eventually.TrueAsync(() => world.Session.SentOf("openChat").Count == 2, "both chats watched", Patience);

        for (var i = 1; i <= 12; i++) world.Post(News, $"news {i}");

        await Eventually.TrueAsync(() => world.MessagesOf(Alerts).Count >= 12 && everything.Keys.Count >= 24, "12 alerts, 24 records", Patience);
        await Eventually.TrueAsync(() => alerts.Stats.Pending == 0, "the outbox empty", Patience);
        await stop.CancelAsync();
        await run;

        var alerted = world.MessagesOf(Alerts);
        Assert.Equal(12, alerted.Count);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"news {i}"), alerted.Select(m => m.Text.Split('\n')[^1]));
        Assert.Equal(12, everything.Writes.Count(m => m.Chat.Id == Alerts));
        Assert.Equal(12, everything.Writes.Count(m => m.Chat.Id == News));
        Assert.Equal(12, alerts.Stats.Sent);
    }
}
