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
        public TdFileRef? File;
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
            case Case.Photo when reader.ValueTextEquals("photo"u8):
                fields.File = FileOf(ref reader, "sizes");
                return true;
            case Case.Document when reader.ValueTextEquals("document"u8):
                fields.File = FileOf(ref reader, "document");
                return true;
            case Case.Video when reader.ValueTextEquals("video"u8):
                fields.File = FileOf(ref reader, "video");
                return true;
            case Case.Audio when reader.ValueTextEquals("audio"u8):
                fields.File = FileOf(ref reader, "audio");
                return true;
            case Case.VoiceNote when reader.ValueTextEquals("voice_note"u8):
                fields.File = FileOf(ref reader, "voice");
                return true;
            case Case.Animation when reader.ValueTextEquals("animation"u8):
                fields.File = FileOf(ref reader, "animation");
                return true;
            case Case.VideoNote when reader.ValueTextEquals("video_note"u8):
                fields.File = FileOf(ref reader, "video");
                return true;
            case Case.Sticker when reader.ValueTextEquals("sticker"u8):
                fields.File = FileOf(ref reader, "sticker");
                return true;
            default:
                return false;
        }
    }

    // The media object (photo, document…) whose file is in field fileField.
    private static TdFileRef? FileOf(ref Utf8JsonReader reader, string fileField)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        using var media = JsonDocument.ParseValue(ref reader);
        return TdFileRef.Of(media.RootElement, fileField);
    }

    // Media without a caption carry nothing else: one shared object per kind.
    private static readonly TdMediaContent Sticker = new("sticker"), VideoNote = new("video_note"), Location = new("location"),
        Venue = new("venue"), Contact = new("contact"), Poll = new("poll"), Dice = new("dice"), Game = new("game");

    /// <inheritdoc />
    protected override TdMessageContent Create(int constructor, in Fields fields) => (Case)constructor switch
    {
        Case.Text => new TdMessageText { Text = Required(fields.Text, "messageText", "text") },
        Case.AnimatedEmoji => new TdMessageAnimatedEmoji { Emoji = Required(fields.Emoji, "messageAnimatedEmoji", "emoji") },
        Case.Photo => new TdMediaContent("photo", fields.Caption) { File = fields.File },
        Case.Video => new TdMediaContent("video", fields.Caption) { File = fields.File },
        Case.Document => new TdMediaContent("document", fields.Caption) { File = fields.File },
        Case.Audio => new TdMediaContent("audio", fields.Caption) { File = fields.File },
        Case.VoiceNote => new TdMediaContent("voice", fields.Caption) { File = fields.File },
        Case.Animation => new TdMediaContent("animation", fields.Caption) { File = fields.File },
        Case.PaidMedia => new TdMediaContent("other", fields.Caption),
        Case.Sticker => fields.File is null ? Sticker : new TdMediaContent("sticker") { File = fields.File },
        Case.VideoNote => fields.File is null ? VideoNote : new TdMediaContent("video_note") { File = fields.File },
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
