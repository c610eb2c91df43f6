using System.Text.Json;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>TDLib 1.8.65 objects in Fixtures/, written from td_api.tl in the shape td_json gives them.</summary>
internal static class Fixture
{
    public const long Ada = 1001, Bob = 1002;
    public const long Traders = -1001234567890, News = -1009876543210, Family = -4242, SecretWithBob = -1999999999993;

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonElement Load(string name) => Parse(Text(name));

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>Ada, Bob, the chats with them, Traders (supergroup), News (channel), Family (basic group).</summary>
    public static readonly string[] DirectoryUpdates =
    [
        "updateUser.json", "updateUser.no_username.json", "updateSupergroup.json", "updateSupergroup.channel.json",
        "updateNewChat.private.json", "updateNewChat.basic_group.json", "updateNewChat.supergroup.json",
        "updateNewChat.channel.json", "updateNewChat.secret.json",
    ];

    /// <summary>Fields of fixture updates that Tgwatch needs: an update without one of them is malformed.</summary>
    public static readonly (string Fixture, string Path)[] RequiredFields =
    [
        ("updateNewMessage.text.json", "message.id"),
        ("updateNewMessage.text.json", "message.chat_id"),
        ("updateNewMessage.text.json", "message.sender_id"),
        ("updateNewMessage.text.json", "message.date"),
        ("updateNewMessage.text.json", "message.content"),
        ("updateNewMessage.text.json", "message.content.text"),
        ("updateNewMessage.text.json", "message.content.text.text"),
        ("updateNewMessage.text.json", "message.sender_id.user_id"),
        ("updateNewMessage.text.json", "message.sender_id.@type"),
        ("updateNewMessage.text.json", "message.content.@type"),
        ("updateNewMessage.text.json", "message"),
        ("updateNewMessage.reply.json", "message.reply_to.message_id"),
        ("updateNewMessage.forward_channel.json", "message.forward_info.origin"),
        ("updateNewMessage.forward_channel.json", "message.forward_info.date"),
        ("updateNewMessage.forward_channel.json", "message.forward_info.origin.message_id"),
        ("updateNewMessage.forward_user.json", "message.forward_info.origin.sender_user_id"),
        ("updateNewMessage.forward_hidden_user.json", "message.forward_info.origin.sender_name"),
        ("updateNewMessage.forward_chat.json", "message.forward_info.origin.sender_chat_id"),
        ("updateMessageSendSucceeded.json", "old_message_id"),
        ("updateMessageEdited.json", "chat_id"),
        ("updateMessageEdited.json", "message_id"),
        ("updateMessageEdited.json", "edit_date"),
        ("updateMessageContent.json", "new_content"),
        ("updateMessageContent.json", "message_id"),
        ("updateDeleteMessages.permanent.json", "message_ids"),
        ("updateDeleteMessages.permanent.json", "is_permanent"),
        ("updateDeleteMessages.permanent.json", "from_cache"),
        ("updateDeleteMessages.permanent.json", "chat_id"),
        ("updateAuthorizationState.waitPhoneNumber.json", "authorization_state"),
        ("updateAuthorizationState.waitPhoneNumber.json", "authorization_state.@type"),
        ("updateUser.json", "user.id"),
        ("updateUser.json", "user.first_name"),
        ("updateNewChat.private.json", "chat.type"),
        ("updateNewChat.private.json", "chat.type.user_id"),
        ("updateNewChat.channel.json", "chat.type.is_channel"),
        ("updateNewChat.channel.json", "chat.title"),
        ("updateSupergroup.json", "supergroup.is_channel"),
        ("updateChatTitle.json", "title"),
    ];

    /// <summary>A reader of account user777 that has seen <see cref="DirectoryUpdates"/>.</summary>
    public static TdUpdateReader ReaderWithDirectory()
    {
        var reader = new TdUpdateReader("user777");
        foreach (var name in DirectoryUpdates) Assert.IsType<TdDirectoryChanged>(reader.Read(Load(name)));
        return reader;
    }

    public static TdMappedMessage NewMessage(TdUpdateReader reader, string name) =>
        Assert.IsType<TdNewMessage>(reader.Read(Load(name))).Message;
}
