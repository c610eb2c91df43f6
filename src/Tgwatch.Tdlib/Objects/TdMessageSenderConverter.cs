using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageSender</c>.</summary>
internal sealed class TdMessageSenderConverter : TdUnionConverter<TdMessageSender, TdMessageSenderConverter.Fields>
{
    private const int User = 0, Chat = 1;

    internal struct Fields
    {
        public long? Id;
    }

    /// <inheritdoc />
    protected override string Name => "MessageSender";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("messageSenderUser"u8) ? User : type.ValueTextEquals("messageSenderChat"u8) ? Chat : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        if (!reader.ValueTextEquals(constructor == User ? "user_id"u8 : "chat_id"u8)) return false;
        fields.Id = TdValue.Int53(ref reader, constructor == User ? "user_id" : "chat_id");
        return true;
    }

    /// <inheritdoc />
    protected override TdMessageSender Create(int constructor, in Fields fields) => constructor == User
        ? new TdMessageSenderUser { UserId = Required(fields.Id, "messageSenderUser", "user_id") }
        : new TdMessageSenderChat { ChatId = Required(fields.Id, "messageSenderChat", "chat_id") };

    /// <inheritdoc />
    protected override TdMessageSender Unknown(string type) => new TdUnknownSender(type);
}
