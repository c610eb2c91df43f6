using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageOrigin</c>.</summary>
internal sealed class TdMessageOriginConverter : TdUnionConverter<TdMessageOrigin, TdMessageOriginConverter.Fields>
{
    private const int User = 0, HiddenUser = 1, Chat = 2, Channel = 3;

    internal struct Fields
    {
        public long? Id;
        public long? MessageId;
        public string? Name;
    }

    /// <inheritdoc />
    protected override string Name => "MessageOrigin";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("messageOriginUser"u8) ? User
        : type.ValueTextEquals("messageOriginHiddenUser"u8) ? HiddenUser
        : type.ValueTextEquals("messageOriginChat"u8) ? Chat
        : type.ValueTextEquals("messageOriginChannel"u8) ? Channel
        : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        switch (constructor)
        {
            case User when reader.ValueTextEquals("sender_user_id"u8):
                fields.Id = TdValue.Int53(ref reader, "sender_user_id");
                return true;
            case HiddenUser when reader.ValueTextEquals("sender_name"u8):
                fields.Name = TdValue.String(ref reader, "sender_name");
                return true;
            case Chat when reader.ValueTextEquals("sender_chat_id"u8):
                fields.Id = TdValue.Int53(ref reader, "sender_chat_id");
                return true;
            case Channel when reader.ValueTextEquals("chat_id"u8):
                fields.Id = TdValue.Int53(ref reader, "chat_id");
                return true;
            case Channel when reader.ValueTextEquals("message_id"u8):
                fields.MessageId = TdValue.Int53(ref reader, "message_id");
                return true;
            case Chat or Channel when reader.ValueTextEquals("author_signature"u8):
                fields.Name = TdValue.String(ref reader, "author_signature");
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override TdMessageOrigin Create(int constructor, in Fields fields) => constructor switch
    {
        User => new TdMessageOriginUser { SenderUserId = Required(fields.Id, "messageOriginUser", "sender_user_id") },
        HiddenUser => new TdMessageOriginHiddenUser { SenderName = Required(fields.Name, "messageOriginHiddenUser", "sender_name") },
        Chat => new TdMessageOriginChat { SenderChatId = Required(fields.Id, "messageOriginChat", "sender_chat_id"), AuthorSignature = fields.Name },
        _ => new TdMessageOriginChannel
        {
            ChatId = Required(fields.Id, "messageOriginChannel", "chat_id"),
            MessageId = Required(fields.MessageId, "messageOriginChannel", "message_id"),
            AuthorSignature = fields.Name,
        },
    };

    /// <inheritdoc />
    protected override TdMessageOrigin Unknown(string type) => new TdUnknownOrigin(type);
}
