using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageContent</c>: text, caption or emoji, and which media; other constructors become <see cref="TdOtherContent"/>.</summary>
internal sealed class TdMessageContentConverter : TdUnionConverter<TdMessageContent, TdMessageContentConverter.Fields>
{
    private enum Case
    {
        Text, AnimatedEmoji, Photo, Video, Document, Audio, VoiceNote, Animation, PaidMedia,
        Sticker, VideoNote, Location, LiveLocation, Venue, Contact, Poll, Dice, Game,
    }

    internal struct Fields
    {
        public string? Text;
        public string? Caption;
        public string? Emoji;
    }

    /// <inheritdoc />
    protected override string Name => "MessageContent";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) => (int)(
        type.ValueTextEquals("messageText"u8) ? Case.Text
        : type.ValueTextEquals("messagePhoto"u8) ? Case.Photo
        : type.ValueTextEquals("messageVideo"u8) ? Case.Video
        : type.ValueTextEquals("messageDocument"u8) ? Case.Document
        : type.ValueTextEquals("messageSticker"u8) ? Case.Sticker
        : type.ValueTextEquals("messageAnimation"u8) ? Case.Animation
        : type.ValueTextEquals("messageVoiceNote"u8) ? Case.VoiceNote
        : type.ValueTextEquals("messageAudio"u8) ? Case.Audio
        : type.ValueTextEquals("messageAnimatedEmoji"u8) ? Case.AnimatedEmoji
        : type.ValueTextEquals("messageVideoNote"u8) ? Case.VideoNote
        : type.ValueTextEquals("messagePoll"u8) ? Case.Poll
        : type.ValueTextEquals("messageLocation"u8) ? Case.Location
        : type.ValueTextEquals("messageLiveLocation"u8) ? Case.LiveLocation
        : type.ValueTextEquals("messageVenue"u8) ? Case.Venue
        : type.ValueTextEquals("messageContact"u8) ? Case.Contact
        : type.ValueTextEquals("messageDice"u8) ? Case.Dice
        : type.ValueTextEquals("messageGame"u8) ? Case.Game
        : type.ValueTextEquals("messagePaidMedia"u8) ? Case.PaidMedia
        : (Case)(-1));

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        switch ((Case)constructor)
        {
            case Case.Text when reader.ValueTextEquals("text"u8):
                fields.Text = TdValue.FormattedText(ref reader, "text");
                return true;
            case Case.AnimatedEmoji when reader.ValueTextEquals("emoji"u8):
                fields.Emoji = TdValue.String(ref reader, "emoji");
                return true;
            case Case.Photo or Case.Video or Case.Document or Case.Audio or Case.VoiceNote or Case.Animation or Case.PaidMedia
                when reader.ValueTextEquals("caption"u8):
                fields.Caption = TdValue.FormattedText(ref reader, "caption");
                return true;
            default:
                return false;
        }
    }

    // Media without a caption carry nothing else: one shared object per kind.
    private static readonly TdMediaContent Sticker = new("sticker"), VideoNote = new("video_note"), Location = new("location"),
        Venue = new("venue"), Contact = new("contact"), Poll = new("poll"), Dice = new("dice"), Game = new("game");

    /// <inheritdoc />
    protected override TdMessageContent Create(int constructor, in Fields fields) => (Case)constructor switch
    {
        Case.Text => new TdMessageText { Text = Required(fields.Text, "messageText", "text") },
        Case.AnimatedEmoji => new TdMessageAnimatedEmoji { Emoji = Required(fields.Emoji, "messageAnimatedEmoji", "emoji") },
        Case.Photo => new TdMediaContent("photo", fields.Caption),
        Case.Video => new TdMediaContent("video", fields.Caption),
        Case.Document => new TdMediaContent("document", fields.Caption),
        Case.Audio => new TdMediaContent("audio", fields.Caption),
        Case.VoiceNote => new TdMediaContent("voice", fields.Caption),
        Case.Animation => new TdMediaContent("animation", fields.Caption),
        Case.PaidMedia => new TdMediaContent("other", fields.Caption),
        Case.Sticker => Sticker,
        Case.VideoNote => VideoNote,
        Case.Location or Case.LiveLocation => Location,
        Case.Venue => Venue,
        Case.Contact => Contact,
        Case.Poll => Poll,
        Case.Dice => Dice,
        Case.Game => Game,
        _ => throw new JsonException($"no MessageContent case {constructor}"),
    };

    /// <inheritdoc />
    protected override TdMessageContent Unknown(string type) => new TdOtherContent(type);
}

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

/// <summary>Reads <c>MessageSendingState</c> (which one only: its presence is what matters).</summary>
internal sealed class TdMessageSendingStateConverter : TdUnionConverter<TdMessageSendingState, TdMessageSendingStateConverter.Fields>
{
    private const int Pending = 0, Failed = 1;

    internal struct Fields;

    /// <inheritdoc />
    protected override string Name => "MessageSendingState";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("messageSendingStatePending"u8) ? Pending : type.ValueTextEquals("messageSendingStateFailed"u8) ? Failed : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields) => false;

    /// <inheritdoc />
    protected override TdMessageSendingState Create(int constructor, in Fields fields) =>
        constructor == Pending ? TdMessageSendingStatePending.Instance : TdMessageSendingStateFailed.Instance;

    /// <inheritdoc />
    protected override TdMessageSendingState Unknown(string type) => new TdUnknownSendingState(type);
}

/// <summary>Reads <c>ChatType</c>.</summary>
internal sealed class TdChatTypeConverter : TdUnionConverter<TdChatType, TdChatTypeConverter.Fields>
{
    private const int Private = 0, BasicGroup = 1, Supergroup = 2, Secret = 3;

    internal struct Fields
    {
        public long? Id;
        public bool? IsChannel;
        public int? SecretChatId;
    }

    /// <inheritdoc />
    protected override string Name => "ChatType";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("chatTypePrivate"u8) ? Private
        : type.ValueTextEquals("chatTypeBasicGroup"u8) ? BasicGroup
        : type.ValueTextEquals("chatTypeSupergroup"u8) ? Supergroup
        : type.ValueTextEquals("chatTypeSecret"u8) ? Secret
        : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        switch (constructor)
        {
            case Private or Secret when reader.ValueTextEquals("user_id"u8):
                fields.Id = TdValue.Int53(ref reader, "user_id");
                return true;
            case BasicGroup when reader.ValueTextEquals("basic_group_id"u8):
                fields.Id = TdValue.Int53(ref reader, "basic_group_id");
                return true;
            case Supergroup when reader.ValueTextEquals("supergroup_id"u8):
                fields.Id = TdValue.Int53(ref reader, "supergroup_id");
                return true;
            case Supergroup when reader.ValueTextEquals("is_channel"u8):
                fields.IsChannel = TdValue.Bool(ref reader, "is_channel");
                return true;
            case Secret when reader.ValueTextEquals("secret_chat_id"u8):
                fields.SecretChatId = TdValue.Int32(ref reader, "secret_chat_id");
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override TdChatType Create(int constructor, in Fields fields) => constructor switch
    {
        Private => new TdChatTypePrivate { UserId = Required(fields.Id, "chatTypePrivate", "user_id") },
        BasicGroup => new TdChatTypeBasicGroup { BasicGroupId = Required(fields.Id, "chatTypeBasicGroup", "basic_group_id") },
        Supergroup => new TdChatTypeSupergroup
        {
            SupergroupId = Required(fields.Id, "chatTypeSupergroup", "supergroup_id"),
            IsChannel = Required(fields.IsChannel, "chatTypeSupergroup", "is_channel"),
        },
        _ => new TdChatTypeSecret { UserId = Required(fields.Id, "chatTypeSecret", "user_id"), SecretChatId = fields.SecretChatId ?? 0 },
    };

    /// <inheritdoc />
    protected override TdChatType Unknown(string type) => new TdUnknownChatType(type);
}
