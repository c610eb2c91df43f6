using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageReplyTo</c>.</summary>
internal sealed class TdMessageReplyToConverter : TdUnionConverter<TdMessageReplyTo, TdMessageReplyToConverter.Fields>
{
    private const int Message = 0, Story = 1;

    internal struct Fields
    {
        public long? ChatId;
        public long? MessageId;
        public int? StoryId;
    }

    /// <inheritdoc />
    protected override string Name => "MessageReplyTo";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("messageReplyToMessage"u8) ? Message : type.ValueTextEquals("messageReplyToStory"u8) ? Story : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        switch (constructor)
        {
            case Message when reader.ValueTextEquals("chat_id"u8):
                fields.ChatId = TdValue.Int53(ref reader, "chat_id");
                return true;
            case Message when reader.ValueTextEquals("message_id"u8):
                fields.MessageId = TdValue.Int53(ref reader, "message_id");
                return true;
            case Story when reader.ValueTextEquals("story_poster_chat_id"u8):
                fields.ChatId = TdValue.Int53(ref reader, "story_poster_chat_id");
                return true;
            case Story when reader.ValueTextEquals("story_id"u8):
                fields.StoryId = TdValue.Int32(ref reader, "story_id");
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override TdMessageReplyTo Create(int constructor, in Fields fields) => constructor == Message
        ? new TdMessageReplyToMessage { ChatId = fields.ChatId ?? 0, MessageId = Required(fields.MessageId, "messageReplyToMessage", "message_id") }
        : new TdMessageReplyToStory { StoryPosterChatId = fields.ChatId ?? 0, StoryId = fields.StoryId ?? 0 };

    /// <inheritdoc />
    protected override TdMessageReplyTo Unknown(string type) => new TdUnknownReplyTo(type);
}
