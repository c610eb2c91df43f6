using System.Text.Json;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>Each fixture update mapped to its event and record, field by field.</summary>
public sealed class TdUpdateReaderTests
{
    private readonly TdUpdateReader _reader = ReaderWithDirectory();

    private static DateTimeOffset Unix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static long Td(long serverId) => TdMessageIds.FromServerId(serverId);

    [Fact]
    public void A_private_text_message_maps_every_field()
    {
        var mapped = NewMessage(_reader, "updateNewMessage.text.json");
        Assert.Equal((Ada, Td(77), true), (mapped.ChatId, mapped.TdMessageId, mapped.IsServerMessage));
        Assert.Null(mapped.ReplyTo);
        var m = mapped.Message;
        Assert.Equal(("user777", "tdlib", 77L, MessageKind.New), (m.Account, m.Connector, m.MessageId, m.Kind));
        Assert.Equal(new ChatInfo(Ada, "private", "Ada Lovelace", "ada"), m.Chat);
        Assert.Equal(new SenderInfo(Ada, "Ada Lovelace", "ada"), m.Sender);
        Assert.Equal(Unix(1764064801), m.Date);
        Assert.Null(m.EditDate);
        Assert.Equal("hello **there**", m.Text);
        Assert.Null(m.Media);
        Assert.Null(m.ReplyTo);
        Assert.Null(m.Forward);
        Assert.False(m.IsReplyUpdate);
    }

    [Fact]
    public void A_text_over_64Ki_characters_is_kept_cut_with_a_marker()
    {
        var huge = new string('y', 5_000_000);
        var update = Parse(Text("updateNewMessage.text.json").Replace("hello **there**", huge, StringComparison.Ordinal));
        var m = Assert.IsType<TdNewMessage>(_reader.Read(update)).Message.Message;
        Assert.Equal(new string('y', MessageText.MaxChars) + "… [truncated 4934464 chars]", m.Text);
    }

    [Fact]
    public void A_channel_post_with_a_photo_is_sent_by_the_channel_and_has_the_caption()
    {
        var m = NewMessage(_reader, "updateNewMessage.photo_caption.json").Message;
        Assert.Equal(5L, m.MessageId);
        Assert.Equal(new ChatInfo(News, "channel", "News", "news"), m.Chat);
        Assert.Equal(new SenderInfo(News, "News", "news"), m.Sender);
        Assert.Equal(new MediaInfo("photo", "chart") { File = new MediaFile("12", "AQAD12", 70331, "jpg") }, m.Media);
        Assert.Null(m.Text);
        Assert.Equal("chart", m.TextOrCaption);
    }

    [Fact]
    public void A_reply_is_left_unresolved_for_the_connector()
    {
        var mapped = NewMessage(_reader, "updateNewMessage.reply.json");
        Assert.Equal(new MessageRef(Traders, 70), mapped.ReplyTo);
        var m = mapped.Message;
        Assert.Equal(new ReplyRef(Traders, 70, ReplyState.Unresolved), m.ReplyTo);
        Assert.Equal(new ChatInfo(Traders, "supergroup", "Traders", "traders"), m.Chat);
        Assert.Equal(new SenderInfo(Ada, "Ada Lovelace", "ada"), m.Sender);
        Assert.Equal("sell?", m.Text);
    }

    [Fact]
    public void A_reply_to_another_chat_points_there()
    {
        var mapped = NewMessage(_reader, "updateNewMessage.reply_to_other_chat.json");
        Assert.Equal(new MessageRef(News, 5), mapped.ReplyTo);
        Assert.Equal(new ReplyRef(News, 5, ReplyState.Unresolved), mapped.Message.ReplyTo);
        Assert.Equal(new SenderInfo(Bob, "Bob", null), mapped.Message.Sender);
    }

    [Theory]
    [InlineData("""{"@type":"messageReplyToMessage","message_id":73400320}""", 70)]
    [InlineData("""{"@type":"messageReplyToMessage","chat_id":0,"message_id":73400320}""", 70)]
    public void A_reply_without_a_chat_is_in_the_same_chat(string replyTo, long serverId)
    {
        var mapped = MessageWith(""" "reply_to": """ + replyTo);
        Assert.Equal(new MessageRef(Traders, serverId), mapped.ReplyTo);
        Assert.Equal(new ReplyRef(Traders, serverId, ReplyState.Unresolved), mapped.Message.ReplyTo);
    }

    [Theory]
    [InlineData("""{"@type":"messageReplyToMessage","chat_id":0,"message_id":0}""")]
    [InlineData("""{"@type":"messageReplyToStory","story_poster_chat_id":1001,"story_id":5}""")]
    [InlineData("""{"@type":"messageReplyToSomethingNew","x":1}""")]
    public void A_reply_to_an_unknown_message_or_a_story_has_no_reply_reference(string replyTo)
    {
        var mapped = MessageWith(""" "reply_to": """ + replyTo);
        Assert.Null(mapped.ReplyTo);
        Assert.Null(mapped.Message.ReplyTo);
    }

    [Fact]
    public void Forwards_name_their_origin_like_the_bot_api()
    {
        Assert.Equal(new ForwardInfo("channel", News, "News", Unix(1764060000), 321),
            NewMessage(_reader, "updateNewMessage.forward_channel.json").Message.Forward);
        Assert.Equal(new ForwardInfo("user", Bob, "Bob", Unix(1764060001)),
            NewMessage(_reader, "updateNewMessage.forward_user.json").Message.Forward);
        Assert.Equal(new ForwardInfo("hidden_user", null, "Carol C", Unix(1764060002)),
            NewMessage(_reader, "updateNewMessage.forward_hidden_user.json").Message.Forward);
        Assert.Equal(new ForwardInfo("chat", Traders, "Traders", Unix(1764060003)),
            NewMessage(_reader, "updateNewMessage.forward_chat.json").Message.Forward);
    }

    [Fact]
    public void A_forward_from_an_unknown_user_or_chat_keeps_the_id()
    {
        var reader = new TdUpdateReader("user777");
        Assert.Equal(new ForwardInfo("user", Bob, null, Unix(1764060001)),
            NewMessage(reader, "updateNewMessage.forward_user.json").Message.Forward);
        Assert.Equal(new ForwardInfo("channel", News, null, Unix(1764060000), 321),
            NewMessage(reader, "updateNewMessage.forward_channel.json").Message.Forward);
    }

    [Fact]
    public void A_message_being_sent_is_not_a_server_message_until_the_server_has_it()
    {
        var pending = NewMessage(_reader, "updateNewMessage.outgoing_pending.json");
        Assert.False(pending.IsServerMessage);
        Assert.Equal(Td(77) + 1, pending.TdMessageId);
        var sent = Assert.IsType<TdMessageSendSucceeded>(_reader.Read(Load("updateMessageSendSucceeded.json")));
        Assert.Equal(Td(77) + 1, sent.OldTdMessageId);
        Assert.True(sent.Message.IsServerMessage);
        Assert.Equal((80L, "on its way"), (sent.Message.Message.MessageId, sent.Message.Message.Text));
    }

    [Theory]
    [InlineData(""" "sending_state": {"@type":"messageSendingStateFailed","error":{"@type":"error","code":400,"message":"BAD"},"can_retry":false,"need_another_sender":false,"need_another_reply_quote":false,"need_drop_reply":false,"required_paid_message_star_count":0,"retry_after":0.0}""")]
    [InlineData(""" "scheduling_state": {"@type":"messageSchedulingStateSendAtDate","send_date":1764070000,"repeat_period":0}""")]
    [InlineData(""" "id": 80740353""")]
    public void Failed_scheduled_and_local_messages_are_not_server_messages(string field) =>
        Assert.False(MessageWith(field).IsServerMessage);

    [Fact]
    public void An_edit_carries_its_date_and_the_edited_message_maps_as_an_edit()
    {
        var edited = Assert.IsType<TdMessageEdited>(_reader.Read(Load("updateMessageEdited.json")));
        Assert.Equal(new TdMessageEdited(Traders, Td(78), Unix(1764064900)), edited);
        var history = _reader.ReadMessages(Load("messages.getChatHistory.json"), MessageKind.Edit, out var malformed);
        Assert.Empty(malformed);
        var neverEdited = history[0].Message;
        Assert.Equal((MessageKind.Edit, (DateTimeOffset?)null), (neverEdited.Kind, neverEdited.EditDate));
        var m = history[1].Message;
        Assert.Equal((70L, MessageKind.Edit, Unix(1764064750), Unix(1764064700)), (m.MessageId, m.Kind, m.EditDate!.Value, m.Date));
        Assert.Equal(new SenderInfo(Bob, "Bob", null), m.Sender);
    }

    [Fact]
    public void A_new_message_ignores_its_edit_date()
    {
        var m = _reader.ReadMessages(Load("messages.getChatHistory.json"), MessageKind.New, out _)[1].Message;
        Assert.Null(m.EditDate);
    }

    [Fact]
    public void A_content_change_names_the_message()
    {
        Assert.Equal(new TdMessageContentChanged(Traders, Td(78)), _reader.Read(Load("updateMessageContent.json")));
    }

    [Fact]
    public void Deletions_say_whether_they_are_permanent_or_from_the_cache()
    {
        var permanent = Assert.IsType<TdMessagesDeleted>(_reader.Read(Load("updateDeleteMessages.permanent.json")));
        Assert.Equal((Traders, true, false), (permanent.ChatId, permanent.IsPermanent, permanent.FromCache));
        Assert.Equal([Td(78), Td(79)], permanent.TdMessageIds);
        var cache = Assert.IsType<TdMessagesDeleted>(_reader.Read(Load("updateDeleteMessages.from_cache.json")));
        Assert.Equal((News, false, true), (cache.ChatId, cache.IsPermanent, cache.FromCache));
        Assert.Equal([Td(5)], cache.TdMessageIds);
    }

    [Fact]
    public void The_delete_record_has_the_chat_the_server_id_and_the_time_of_deletion()
    {
        var when = Unix(1764065000);
        var m = _reader.Deleted(Traders, Td(78), when);
        Assert.Equal(("user777", "tdlib", 78L, MessageKind.Delete, when), (m.Account, m.Connector, m.MessageId, m.Kind, m.Date));
        Assert.Equal(new ChatInfo(Traders, "supergroup", "Traders", "traders"), m.Chat);
        Assert.Null(m.Sender);
        Assert.Null(m.Text);
        Assert.Equal(new ChatInfo(-5), new TdUpdateReader("user777").Deleted(-5, Td(1), when).Chat);
    }

    [Fact]
    public void Every_connection_state_maps()
    {
        var states = Load("updateConnectionState.all.json").EnumerateArray()
            .Select(u => Assert.IsType<TdConnectionChanged>(_reader.Read(u)).State).ToArray();
        Assert.Equal(
            [TdConnectionState.WaitingForNetwork, TdConnectionState.ConnectingToProxy, TdConnectionState.Connecting,
             TdConnectionState.Updating, TdConnectionState.Ready], states);
    }

    [Fact]
    public void An_authorization_state_is_given_raw_and_outlives_its_document()
    {
        var reader = new TdUpdateReader("user777");
        TdAuthorizationChanged e;
        using (var doc = JsonDocument.Parse(Text("updateAuthorizationState.waitPhoneNumber.json")))
            e = Assert.IsType<TdAuthorizationChanged>(reader.Read(doc.RootElement));
        Assert.Equal("authorizationStateWaitPhoneNumber", e.StateType);
        Assert.Equal("authorizationStateWaitPhoneNumber", e.State.GetProperty("@type").GetString());
    }

    [Fact]
    public void Updates_tgwatch_does_not_act_on_are_other_updates_counted_by_type()
    {
        var reader = new TdUpdateReader("user777");
        Assert.Equal(new TdOtherUpdate("updateUserStatus"), reader.Read(Load("updateUserStatus.json")));
        Assert.Equal(new TdOtherUpdate("updateUserStatus"), reader.Read(Load("updateUserStatus.json")));
        Assert.Equal(new TdOtherUpdate("error"), reader.Read(Load("error.json")));
        Assert.Equal(3, reader.Stats.Count(TdEventKind.Other));
        Assert.Equal(new Dictionary<string, long> { ["updateUserStatus"] = 2, ["error"] = 1 }, reader.Stats.OtherTypes());
    }

    [Fact]
    public void A_message_object_of_an_answer_maps_and_an_error_answer_is_malformed()
    {
        var history = Load("messages.getChatHistory.json").GetProperty("messages");
        var m = _reader.ReadMessage(history[0], MessageKind.New, out var why);
        Assert.Null(why);
        Assert.Equal((Traders, 78L, "sell?"), (m!.ChatId, m.Message.MessageId, m.Message.Text));
        Assert.Null(_reader.ReadMessage(Load("error.json"), MessageKind.New, out why));
        Assert.Equal("TDLib error 404: Not Found", why);
        Assert.Null(_reader.ReadMessage(Load("updateNewChat.private.json"), MessageKind.New, out why));
        Assert.Equal("a message was expected, not \"updateNewChat\"", why);
        Assert.Equal(2, _reader.Stats.MalformedMessages);
        Assert.Equal(0, _reader.Stats.Malformed);
    }

    [Fact]
    public void A_history_answer_skips_missing_messages_and_lists_unreadable_ones()
    {
        var answer = Parse("""{"@type":"messages","total_count":3,"messages":[null,{"@type":"message","id":1}]}""");
        Assert.Empty(_reader.ReadMessages(answer, MessageKind.New, out var malformed));
        Assert.Single(malformed);
        Assert.Empty(_reader.ReadMessages(Load("error.json"), MessageKind.New, out malformed));
        Assert.Equal(["a messages answer was expected, not \"error\""], malformed);
        Assert.Equal(2, _reader.ReadMessages(Load("messages.getChatHistory.json"), MessageKind.New, out malformed).Count);
        Assert.Empty(malformed);
    }

    [Fact]
    public void Chat_ids_of_a_chats_answer()
    {
        Assert.Equal([Traders, News, Ada], TdUpdateReader.ReadChatIds(Load("chats.getChats.json"), out var why));
        Assert.Null(why);
        Assert.Null(TdUpdateReader.ReadChatIds(Load("error.json"), out why));
        Assert.Equal("TDLib error 404: Not Found", why);
    }

    [Fact]
    public void Each_update_counts_once_under_its_event_kind()
    {
        var reader = new TdUpdateReader("user777");
        foreach (var name in DirectoryUpdates) reader.Read(Load(name));
        reader.Read(Load("updateNewMessage.text.json"));
        reader.Read(Load("updateNewMessage.reply.json"));
        reader.Read(Load("updateMessageEdited.json"));
        reader.Read(Load("updateMessageContent.json"));
        reader.Read(Load("updateDeleteMessages.permanent.json"));
        reader.Read(Load("updateConnectionState.all.json")); // an array: malformed
        reader.Read(Load("updateChatTitle.json"));
        var s = reader.Stats;
        Assert.Equal(
            (DirectoryUpdates.Length + 1L, 2L, 1L, 1L, 1L, 1L, 0L),
            (s.Count(TdEventKind.DirectoryChanged), s.Count(TdEventKind.NewMessage), s.Count(TdEventKind.MessageEdited),
             s.Count(TdEventKind.MessageContentChanged), s.Count(TdEventKind.MessagesDeleted), s.Malformed, s.Count(TdEventKind.Other)));
        Assert.Equal(DirectoryUpdates.Length + 7L, s.Total);
    }

    /// <summary>The reply fixture (in Traders, by Ada) with one field added or replaced.</summary>
    private TdMappedMessage MessageWith(string field)
    {
        var json = Text("updateNewMessage.reply.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var extra = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")!.AsObject();
        var message = node["message"]!.AsObject();
        message.Remove("reply_to");
        foreach (var (name, value) in extra.ToArray())
        {
            extra.Remove(name);
            message[name] = value;
        }
        return Assert.IsType<TdNewMessage>(_reader.Read(Parse(node.ToJsonString()))).Message;
    }
}
