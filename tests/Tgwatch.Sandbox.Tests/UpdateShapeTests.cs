using Tgwatch.Secrets;
using System.Text.Json.Nodes;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Tgwatch.Sandbox.Admin;

namespace Tgwatch.Sandbox.Tests;

/// <summary>Every kind of injected update reads as Telegram.Bot's <see cref="Update"/> with the fields Telegram would fill.</summary>
public sealed class UpdateShapeTests
{
    private const long Group = -1001000000001;
    private const long Channel = -1002000000002;

    private static async Task<Update> Only(Running s, int? id)
    {
        Assert.NotNull(id);
        var updates = await s.Bot.UpdatesAsync($"offset={id}&limit=1");
        var update = Assert.Single(updates);
        Assert.Equal(id, update.Id);
        return update;
    }

    [Fact]
    public async Task Message_HasItsChatSenderDateAndText()
    {
        await using var s = await Running.StartAsync();
        var injected = await s.Admin.SendMessageAsync(new InjectMessage
        {
            ChatId = Group,
            Chat = new SandboxChat { Title = "Sandbox group", Username = "sandbox_group" },
            From = new SandboxUser { Id = 4242, FirstName = "Ada", LastName = "L", Username = "ada" },
            Text = "hello «ж» \"quoted\"",
            Date = 1_700_000_000,
        });
        var update = await Only(s, injected.UpdateId);

        Assert.Equal(UpdateType.Message, update.Type);
        var m = update.Message!;
        Assert.Equal(1, m.MessageId);
        Assert.Equal(injected.MessageId, m.MessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).UtcDateTime, m.Date);
        Assert.Equal(Group, m.Chat.Id);
        Assert.Equal(ChatType.Supergroup, m.Chat.Type);
        Assert.Equal("Sandbox group", m.Chat.Title);
        Assert.Equal("sandbox_group", m.Chat.Username);
        Assert.Equal(4242, m.From!.Id);
        Assert.False(m.From.IsBot);
        Assert.Equal(("Ada", "L", "ada"), (m.From.FirstName, m.From.LastName, m.From.Username));
        Assert.Equal("hello «ж» \"quoted\"", m.Text);
        Assert.Null(m.EditDate);
        Assert.Null(m.ReplyToMessage);
        Assert.Null(m.SenderChat);
    }

    [Fact]
    public async Task PrivateAndBasicGroupChats_HaveTheirTypes_AndMessageIdsCountPerChat()
    {
        await using var s = await Running.StartAsync();
        var dm = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = 555, Chat = new SandboxChat { FirstName = "Bob" }, Text = "hi bot" });
        var group = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = -4001, Text = "hi all" });
        var dm2 = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = 555, Text = "again" });
        var updates = await s.Bot.UpdatesAsync();
        Assert.Equal([dm.UpdateId, group.UpdateId, dm2.UpdateId], updates.Select(u => (int?)u.Id));
        Assert.Equal(ChatType.Private, updates[0].Message!.Chat.Type);
        Assert.Equal("Bob", updates[0].Message!.Chat.FirstName);
        Assert.Equal(555, updates[0].Message!.From!.Id);
        Assert.Equal(ChatType.Group, updates[1].Message!.Chat.Type);
        Assert.Equal([1, 1, 2], updates.Select(u => u.Message!.MessageId));
    }

    [Fact]
    public async Task Reply_NestsTheRepliedMessage_OneLevelDeep()
    {
        await using var s = await Running.StartAsync();
        var first = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "first" });
        var second = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "second", ReplyToMessageId = first.MessageId });
        var third = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "third", ReplyToMessageId = second.MessageId });

        var m = (await Only(s, third.UpdateId)).Message!;
        Assert.Equal(second.MessageId, m.ReplyToMessage!.MessageId);
        Assert.Equal("second", m.ReplyToMessage.Text);
        Assert.Equal(Group, m.ReplyToMessage.Chat.Id);
        Assert.Null(m.ReplyToMessage.ReplyToMessage);

        var missing = await Assert.ThrowsAsync<SandboxAdminException>(() =>
            s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "to nothing", ReplyToMessageId = 99 }));
        Assert.Equal(400, missing.StatusCode);
        var otherChat = await Assert.ThrowsAsync<SandboxAdminException>(() =>
            s.Admin.SendMessageAsync(new InjectMessage { ChatId = -4001, Text = "to another chat's id", ReplyToMessageId = 3 }));
        Assert.Equal(400, otherChat.StatusCode);
    }

    [Fact]
    public async Task Edit_IsAnEditedMessage_WithEditDate_AndTheRepliesToItNestTheNewText()
    {
        await using var s = await Running.StartAsync();
        var original = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "tpyo", Date = 1_700_000_000 });
        var edit = await s.Admin.EditAsync(new InjectEdit { ChatId = Group, MessageId = original.MessageId, Text = "typo", EditDate = 1_700_000_060 });
        Assert.Equal("edited_message", edit.Kind);

        var update = await Only(s, edit.UpdateId);
        Assert.Equal(UpdateType.EditedMessage, update.Type);
        var m = update.EditedMessage!;
        Assert.Equal(original.MessageId, m.MessageId);
        Assert.Equal("typo", m.Text);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).UtcDateTime, m.Date);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_060).UtcDateTime, m.EditDate);

        var reply = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "ok", ReplyToMessageId = original.MessageId });
        Assert.Equal("typo", (await Only(s, reply.UpdateId)).Message!.ReplyToMessage!.Text);
    }

    [Fact]
    public async Task ChannelPost_HasSenderChat_AndNoFrom_AndItsEditIsAnEditedChannelPost()
    {
        await using var s = await Running.StartAsync();
        var post = await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = Channel, Chat = new SandboxChat { Title = "News" }, Text = "breaking" });
        var edit = await s.Admin.EditAsync(new InjectEdit { ChatId = Channel, MessageId = post.MessageId, Text = "breaking (updated)" });
        var reply = await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = Channel, Text = "follow-up", ReplyToMessageId = post.MessageId });

        var updates = await s.Bot.UpdatesAsync();
        Assert.Equal([UpdateType.ChannelPost, UpdateType.EditedChannelPost, UpdateType.ChannelPost], updates.Select(u => u.Type));
        var p = updates[0].ChannelPost!;
        Assert.Equal(ChatType.Channel, p.Chat.Type);
        Assert.Equal("News", p.Chat.Title);
        Assert.Equal(Channel, p.SenderChat!.Id);
        Assert.Null(p.From);
        Assert.Equal("breaking", p.Text);
        var e = updates[1].EditedChannelPost!;
        Assert.Equal(post.MessageId, e.MessageId);
        Assert.NotNull(e.EditDate);
        Assert.Equal(Channel, e.SenderChat!.Id);
        Assert.Equal("breaking (updated)", updates[2].ChannelPost!.ReplyToMessage!.Text);
        Assert.Equal(edit.UpdateId + 1, reply.UpdateId);
    }

    [Fact]
    public async Task ChannelsAndOtherChats_AreNotMixedUp()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = Channel, Text = "post" });
        var asMessage = await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.SendMessageAsync(new InjectMessage { ChatId = Channel, Text = "not here" }));
        Assert.Equal(400, asMessage.StatusCode);
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "group" });
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = Group, Text = "not a channel" }));
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = 12, Text = "users are no channels" }));
    }

    [Fact]
    public async Task PhotoAndDocument_HaveMinimalShapes_AndCaptions()
    {
        await using var s = await Running.StartAsync();
        var photo = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Photo = true, Caption = "a photo" });
        var document = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "report.pdf", MimeType = "application/pdf" }, Caption = "a file" });
        var updates = await s.Bot.UpdatesAsync();

        var p = updates[0].Message!;
        Assert.Equal(MessageType.Photo, p.Type);
        Assert.Equal(2, p.Photo!.Length);
        Assert.All(p.Photo, size => Assert.False(string.IsNullOrEmpty(size.FileId)));
        Assert.Equal("a photo", p.Caption);
        Assert.Null(p.Text);
        var d = updates[1].Message!;
        Assert.Equal(MessageType.Document, d.Type);
        Assert.Equal(("report.pdf", "application/pdf"), (d.Document!.FileName, d.Document.MimeType));
        Assert.Equal("a file", d.Caption);

        var captionEdit = await s.Admin.EditAsync(new InjectEdit { ChatId = Group, MessageId = photo.MessageId, Caption = "a better caption" });
        Assert.Equal("a better caption", (await Only(s, captionEdit.UpdateId)).EditedMessage!.Caption);
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.EditAsync(new InjectEdit { ChatId = Group, MessageId = document.MessageId, Text = "text on a document" }));
    }

    [Fact]
    public async Task ForwardOrigin_ReadsAsTelegramBotsMessageOrigin()
    {
        await using var s = await Running.StartAsync();
        var fromUser = await s.Admin.SendMessageAsync(new InjectMessage
        {
            ChatId = Group,
            Text = "forwarded",
            ForwardOrigin = new JsonObject
            {
                ["type"] = "user",
                ["sender_user"] = new JsonObject { ["id"] = 31337, ["is_bot"] = false, ["first_name"] = "Original" },
                ["date"] = 1_600_000_000,
            },
        });
        var fromChannel = await s.Admin.SendMessageAsync(new InjectMessage
        {
            ChatId = Group,
            Text = "from a channel",
            ForwardOrigin = new JsonObject
            {
                ["type"] = "channel",
                ["chat"] = new JsonObject { ["id"] = Channel, ["type"] = "channel", ["title"] = "News" },
                ["message_id"] = 7,
            },
        });
        var updates = await s.Bot.UpdatesAsync();
        var user = Assert.IsType<MessageOriginUser>(updates[0].Message!.ForwardOrigin);
        Assert.Equal(31337, user.SenderUser.Id);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_600_000_000).UtcDateTime, user.Date);
        var channel = Assert.IsType<MessageOriginChannel>(updates[1].Message!.ForwardOrigin);
        Assert.Equal((Channel, 7), (channel.Chat.Id, channel.MessageId));
        Assert.Equal(fromChannel.UpdateId, updates[1].Id);
        Assert.NotEqual(default, channel.Date);
        Assert.Equal(fromUser.UpdateId, updates[0].Id);
    }

    [Fact]
    public async Task SendMessage_ReturnsTheSentMessage_WithoutAnUpdateForTheBot()
    {
        await using var s = await Running.StartAsync();
        var question = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "ping" });
        await s.Bot.UpdatesAsync($"offset={question.UpdateId + 1}");

        var answer = await s.Bot.PostJsonAsync("sendMessage", $$$"""{"chat_id":{{{Group}}},"text":"pong","reply_parameters":{"message_id":{{{question.MessageId}}}}}""");
        var sent = answer.As<Message>();
        Assert.Equal(question.MessageId + 1, sent.MessageId);
        Assert.True(sent.From!.IsBot);
        Assert.Equal(BotToken.IdOf(s.Sandbox.Token), sent.From.Id);
        Assert.Equal("ping", sent.ReplyToMessage!.Text);
        Assert.Empty(await s.Bot.UpdatesAsync());
        var listed = Assert.Single(await s.Admin.ListSentAsync());
        Assert.Equal("pong", listed.GetProperty("text").GetString());

        // A user may reply to the bot's message; the bot's own message cannot be edited through the admin API.
        var reply = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "thanks", ReplyToMessageId = sent.MessageId });
        Assert.True((await Only(s, reply.UpdateId)).Message!.ReplyToMessage!.From!.IsBot);
        await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.EditAsync(new InjectEdit { ChatId = Group, MessageId = sent.MessageId, Text = "x" }));

        var missing = await s.Bot.PostJsonAsync("sendMessage", $$$"""{"chat_id":{{{Group}}},"text":"to nothing","reply_parameters":{"message_id":999}}""");
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: message to be replied not found"}""", missing.Body);
        var empty = await s.Bot.PostJsonAsync("sendMessage", $$"""{"chat_id":{{Group}}}""");
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}""", empty.Body);
    }

    [Fact]
    public async Task ForwardMessage_CopiesTheMessageWithItsOrigin_RecordedAsSent_WithoutAnUpdate()
    {
        await using var s = await Running.StartAsync();
        var original = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "breaking", From = new SandboxUser { Id = 77, FirstName = "Eve" } });
        var target = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Channel, Text = "the target exists" });
        await s.Bot.UpdatesAsync($"offset={target.UpdateId + 1}");

        var answer = await s.Bot.PostJsonAsync("forwardMessage", $$$"""{"chat_id":{{{Channel}}},"from_chat_id":{{{Group}}},"message_id":{{{original.MessageId}}}}""");
        var sent = answer.As<Message>();
        Assert.Equal("breaking", sent.Text);
        Assert.Equal(Channel, sent.Chat.Id);
        var origin = Assert.IsType<Telegram.Bot.Types.MessageOriginUser>(sent.ForwardOrigin);
        Assert.Equal(77, origin.SenderUser.Id);
        Assert.Empty(await s.Bot.UpdatesAsync());
        Assert.Equal("breaking", Assert.Single(await s.Admin.ListSentAsync()).GetProperty("text").GetString());

        var missing = await s.Bot.PostJsonAsync("forwardMessage", $$$"""{"chat_id":{{{Channel}}},"from_chat_id":{{{Group}}},"message_id":999}""");
        Assert.Equal("""{"ok":false,"error_code":400,"description":"Bad Request: message to forward not found"}""", missing.Body);
    }

    [Fact]
    public async Task GetChat_ReadsAsChatFullInfo()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Chat = new SandboxChat { Title = "Team" }, Text = "x" });
        var chat = (await s.Bot.GetAsync("getChat", $"chat_id={Group}")).As<ChatFullInfo>();
        Assert.Equal((Group, ChatType.Supergroup, "Team"), (chat.Id, chat.Type, chat.Title));
    }

    [Fact]
    public async Task Injected_ListsEveryInjectionInOrder()
    {
        await using var s = await Running.StartAsync();
        var a = await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Text = "a" });
        var b = await s.Admin.EditAsync(new InjectEdit { ChatId = Group, MessageId = a.MessageId, Text = "b" });
        var c = await s.Admin.SendChannelPostAsync(new InjectMessage { ChatId = Channel, Text = "c" });
        var listed = await s.Admin.ListInjectedAsync();
        Assert.Equal([a, b, c], listed);
        Assert.Equal(["message", "edited_message", "channel_post"], listed.Select(i => i.Kind));
    }

    [Fact]
    public async Task AdminRequests_WithUnknownFieldsOrMissingOnes_AreRefused()
    {
        await using var s = await Running.StartAsync();
        using var http = new HttpClient();
        using var typo = await http.PostAsync(new Uri(s.Sandbox.BaseUrl, "sandbox/messages"), new StringContent("""{"chat_id":-1001,"txt":"typo"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)typo.StatusCode);
        Assert.Contains("txt", await typo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var noChat = await http.PostAsync(new Uri(s.Sandbox.BaseUrl, "sandbox/messages"), new StringContent("""{"text":"where?"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)noChat.StatusCode);
        Assert.Contains("chat_id", await noChat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noBot = await Assert.ThrowsAsync<SandboxAdminException>(() => s.Admin.SendMessageAsync(new InjectMessage { BotId = 1, ChatId = Group, Text = "x" }));
        Assert.Equal(404, noBot.StatusCode);
    }
}
