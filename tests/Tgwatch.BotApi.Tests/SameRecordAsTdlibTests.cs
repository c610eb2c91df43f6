using System.Text.Json;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// ARCHITECTURE §4: both connectors write the same record for the same message. Each Bot API update here is the
/// Bot API's view of a TDLib fixture (same chat, sender, ids, dates, text); the records must be equal but for
/// account and connector, and for the reply, which TDLib leaves for the connector to resolve.
/// </summary>
public sealed class SameRecordAsTdlibTests
{
    private const long Ada = 1001, Traders = -1001234567890, News = -1009876543210;
    private const string AdaUser = """{"id": 1001, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace", "username": "ada"}""";
    private const string BobUser = """{"id": 1002, "is_bot": false, "first_name": "Bob"}""";
    private const string AdaChat = """{"id": 1001, "type": "private", "first_name": "Ada", "last_name": "Lovelace", "username": "ada"}""";
    private const string TradersChat = """{"id": -1001234567890, "type": "supergroup", "title": "Traders", "username": "traders"}""";
    private const string NewsChat = """{"id": -1009876543210, "type": "channel", "title": "News", "username": "news"}""";

    private static readonly UpdateMapper BotApi = new("bot42");

    private static JsonElement Tdlib(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TdlibFixtures", name))).RootElement;

    private static TdUpdateReader TdlibReader()
    {
        var reader = new TdUpdateReader("user777");
        foreach (var name in new[] { "updateUser.json", "updateUser.no_username.json", "updateSupergroup.json", "updateSupergroup.channel.json",
                     "updateNewChat.private.json", "updateNewChat.supergroup.json", "updateNewChat.channel.json" })
            Assert.IsType<TdDirectoryChanged>(reader.Read(Tdlib(name)));
        return reader;
    }

    private static TgMessage FromBotApi(string update) =>
        BotApi.Map(UpdateMapper.Read(update)).Message ?? throw new InvalidOperationException("no message");

    private static TgMessage FromTdlib(string fixture) =>
        Assert.IsType<TdNewMessage>(TdlibReader().Read(Tdlib(fixture))).Message.Message;

    private static void AssertSame(TgMessage botApi, TgMessage tdlib)
    {
        Assert.Equal(("bot42", "botapi", "user777", "tdlib"), (botApi.Account, botApi.Connector, tdlib.Account, tdlib.Connector));
        // A file's ids are each connector's own (the contract record leaves them out).
        Assert.Equal(WithoutFile(botApi), WithoutFile(tdlib) with { Account = botApi.Account, Connector = botApi.Connector });
    }

    private static TgMessage WithoutFile(TgMessage m) => m with { Media = m.Media is { } media ? media with { File = null } : null };

    [Fact]
    public void A_private_message_forwarded_from_a_channel()
    {
        AssertSame(
            FromBotApi($$$"""
                {"update_id": 1, "message": {"message_id": 8, "date": 1764064805, "chat": {{{AdaChat}}}, "from": {{{AdaUser}}}, "text": "look",
                  "forward_origin": {"type": "channel", "date": 1764060000, "message_id": 321, "chat": {{{NewsChat}}} } } }
                """),
            FromTdlib("updateNewMessage.forward_channel.json"));
    }

    [Fact]
    public void A_private_message_forwarded_from_a_user_from_a_hidden_user_and_from_a_group()
    {
        AssertSame(
            FromBotApi($$$"""
                {"update_id": 2, "message": {"message_id": 9, "date": 1764064806, "chat": {{{AdaChat}}}, "from": {{{AdaUser}}}, "text": "from bob",
                  "forward_origin": {"type": "user", "date": 1764060001, "sender_user": {{{BobUser}}} } } }
                """),
            FromTdlib("updateNewMessage.forward_user.json"));
        AssertSame(
            FromBotApi($$$"""
                {"update_id": 3, "message": {"message_id": 10, "date": 1764064807, "chat": {{{AdaChat}}}, "from": {{{AdaUser}}}, "text": "from someone",
                  "forward_origin": {"type": "hidden_user", "date": 1764060002, "sender_user_name": "Carol C"} } }
                """),
            FromTdlib("updateNewMessage.forward_hidden_user.json"));
        AssertSame(
            FromBotApi($$$"""
                {"update_id": 4, "message": {"message_id": 11, "date": 1764064808, "chat": {{{AdaChat}}}, "from": {{{AdaUser}}}, "text": "from admins",
                  "forward_origin": {"type": "chat", "date": 1764060003, "sender_chat": {{{TradersChat}}}, "author_signature": "boss"} } }
                """),
            FromTdlib("updateNewMessage.forward_chat.json"));
    }

    [Fact]
    public void A_channel_post_with_a_photo_and_a_caption()
    {
        AssertSame(
            FromBotApi($$$"""
                {"update_id": 5, "channel_post": {"message_id": 5, "date": 1764064802, "chat": {{{NewsChat}}}, "sender_chat": {{{NewsChat}}},
                  "author_signature": "Ed", "media_group_id": "13600000000000001",
                  "photo": [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 320, "height": 180}], "caption": "chart"}}
                """),
            FromTdlib("updateNewMessage.photo_caption.json"));
    }

    [Fact]
    public void A_reply_in_a_supergroup_once_the_connector_resolved_it()
    {
        var botApi = FromBotApi($$$"""
            {"update_id": 6, "message": {"message_id": 78, "date": 1764064803, "chat": {{{TradersChat}}}, "from": {{{AdaUser}}}, "text": "sell?",
              "reply_to_message": {"message_id": 70, "date": 1764064700, "chat": {{{TradersChat}}}, "from": {{{BobUser}}}, "text": "buy now"} } }
            """);
        var tdlib = FromTdlib("updateNewMessage.reply.json");
        Assert.Equal(new ReplyRef(Traders, 70, ReplyState.Unresolved), tdlib.ReplyTo);
        AssertSame(botApi, tdlib with { ReplyTo = tdlib.ReplyTo! with { State = ReplyState.Resolved, Text = "buy now" } });
    }

    [Fact]
    public void An_edit_read_again_after_update_message_edited()
    {
        var botApi = FromBotApi($$$"""
            {"update_id": 7, "edited_message": {"message_id": 70, "date": 1764064700, "edit_date": 1764064750, "chat": {{{TradersChat}}},
              "from": {{{BobUser}}}, "text": "buy now"}}
            """);
        var history = Tdlib("messages.getChatHistory.json").GetProperty("messages");
        var tdlib = TdlibReader().ReadMessage(history[2], MessageKind.Edit, out var malformed);
        Assert.Null(malformed);
        AssertSame(botApi, tdlib!.Message);
    }

    [Fact]
    public void The_chats_of_both_connectors_are_the_same()
    {
        var reader = TdlibReader();
        Assert.Equal(FromBotApi($$$"""{"update_id": 8, "message": {"message_id": 1, "date": 1, "chat": {{{AdaChat}}}, "text": "x"}}""").Chat, reader.Directory.Chat(Ada));
        Assert.Equal(FromBotApi($$$"""{"update_id": 9, "message": {"message_id": 1, "date": 1, "chat": {{{TradersChat}}}, "text": "x"}}""").Chat, reader.Directory.Chat(Traders));
        Assert.Equal(FromBotApi($$$"""{"update_id": 10, "channel_post": {"message_id": 1, "date": 1, "chat": {{{NewsChat}}}, "text": "x"}}""").Chat, reader.Directory.Chat(News));
    }

    [Fact]
    public void A_message_of_an_anonymous_group_admin_is_sent_by_the_group()
    {
        // Bot API: "from" is a fake user (GroupAnonymousBot) kept for backward compatibility, "sender_chat" the sender.
        var botApi = FromBotApi($$$"""
            {"update_id": 11, "message": {"message_id": 77, "date": 1764064801, "chat": {{{TradersChat}}}, "sender_chat": {{{TradersChat}}},
              "from": {"id": 1087968824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"}, "author_signature": "boss", "text": "hello **there**"}}
            """);
        var fixture = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TdlibFixtures", "updateNewMessage.text.json")))!;
        fixture["message"]!["chat_id"] = Traders;
        fixture["message"]!["id"] = TdMessageIds.FromServerId(77);
        fixture["message"]!["sender_id"] = new System.Text.Json.Nodes.JsonObject { ["@type"] = "messageSenderChat", ["chat_id"] = Traders };
        var tdlib = Assert.IsType<TdNewMessage>(TdlibReader().Read(JsonDocument.Parse(fixture.ToJsonString()).RootElement)).Message.Message;
        Assert.Equal(new SenderInfo(Traders, "Traders", "traders"), tdlib.Sender);
        AssertSame(botApi, tdlib);
    }
}
