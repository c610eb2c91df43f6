using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Tgwatch.Formatting;
using Tgwatch.Messages;

namespace Tgwatch.BotApi;

/// <summary>
/// Reads one update of a <c>getUpdates</c> answer (<see cref="Read(ref Utf8JsonReader, JsonSerializerOptions)"/>) and turns
/// it into a message (<see cref="Map"/>). Each update is read on its own, so a malformed one never costs the rest of the batch; the Bot API sends replies inline, so
/// <c>reply_to</c> comes resolved from the update itself.
/// </summary>
internal sealed class UpdateMapper(string account)
{
    /// <summary>What one update became.</summary>
    public readonly record struct Mapped(long UpdateId, TgMessage? Message, string? Skipped, string? Malformed);

    /// <summary>
    /// An update of the shapes a monitor meets (a photo with a caption from a user in a group, forwarded from a channel, in
    /// reply to a text with entities), read once by <see cref="WarmUp"/>.
    /// </summary>
    internal const string WarmUpUpdate = """
        {"update_id":1,"message":{"message_id":2,"from":{"id":3,"is_bot":false,"first_name":"A","last_name":"B","username":"ab","language_code":"en"},
        "chat":{"id":-1004,"title":"T","type":"supergroup","username":"t"},"date":1700000000,
        "reply_to_message":{"message_id":1,"from":{"id":5,"is_bot":true,"first_name":"C"},"chat":{"id":-1004,"title":"T","type":"supergroup"},"date":1700000000,
        "text":"hi https://t.me","entities":[{"offset":3,"length":12,"type":"url"},{"offset":0,"length":2,"type":"bold"}]},
        "forward_origin":{"type":"channel","chat":{"id":-1006,"title":"N","type":"channel"},"message_id":7,"date":1700000000},
        "photo":[{"file_id":"f","file_unique_id":"u","width":90,"height":90,"file_size":1000},{"file_id":"g","file_unique_id":"v","width":800,"height":800,"file_size":90000}],
        "caption":"c","caption_entities":[{"offset":0,"length":1,"type":"italic"}]}}
        """;

    /// <summary>Reads <see cref="WarmUpUpdate"/> into a message and throws it away: what the first update read costs, paid ahead.</summary>
    /// <returns>What it became (for tests: the update stays one the mapper reads whole).</returns>
    internal static Mapped WarmUp() => new UpdateMapper("bot0").Map(Read(WarmUpUpdate));

    /// <summary>
    /// One update of an answer as read: its <c>update_id</c> when it has one that can be read (null otherwise), and
    /// Telegram.Bot's update, or the first line of why it could not be read; <see cref="Kind"/> names the field of an update
    /// that carries no message (the kind counted as skipped).
    /// </summary>
    internal readonly record struct RawUpdate(long? Id, Update? Update, string? Error, string? Kind);

    /// <summary>Reads the update at <paramref name="reader"/> (its first token), leaving the reader on its last token.</summary>
    /// <remarks>
    /// Read whole into Telegram.Bot's update at once; only an update that fails that (or whose id reads as 0, as a missing
    /// one does) is looked at again for its <c>update_id</c>, as a JSON tree would answer it (the last of the name wins).
    /// </remarks>
    internal static RawUpdate Read(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        var start = reader;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            SkipValue(ref reader);
            return new(null, null, null, null);
        }
        Update update;
        try
        {
            // Telegram.Bot's contract of an update (its compiled one, through the options' resolvers; the options keep it once made).
            update = JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<Update>)options.GetTypeInfo(typeof(Update))) ?? throw new JsonException("null update");
        }
        // Telegram.Bot's converters fail on what they cannot read with more than JsonException: a date beyond DateTime's
        // range with an ArgumentOutOfRangeException, a forward_origin without its type with a KeyNotFoundException. The
        // update is whole in the buffer and read without I/O, so whatever its reading throws is about it alone: escaping
        // here, it would fail the whole answer, which is asked for again and again.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reader = start;
            SkipValue(ref reader);
            return new(IdOf(start), null, TextLines.FirstLine(e.Message), null);
        }
        var id = update.Id != 0 ? update.Id : IdOf(start);
        var carries = update.Message ?? update.EditedMessage ?? update.ChannelPost ?? update.EditedChannelPost;
        return new(id, update, null, carries is null ? KindOf(start) : null);
    }

    /// <summary>Reads one update of JSON text (tests, the warm-up).</summary>
    internal static RawUpdate Read(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        if (!reader.Read()) throw new JsonException("no update");
        return Read(ref reader, JsonBotAPI.Options);
    }

    /// <summary>
    /// Moves past the value at <paramref name="reader"/>. The reader of an answer read as it streams in may not have seen
    /// the answer's end yet even with the whole list in its buffer (an answer that fills the buffer exactly): Skip() then
    /// throws, failing the whole answer, where TrySkip() moves past a value that is whole in the buffer, as each update is.
    /// </summary>
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip()) throw new JsonException("an update is cut short");
    }

    /// <summary>The last <c>update_id</c> of the object at <paramref name="reader"/> (a copy), when it is a 64-bit integer.</summary>
    private static long? IdOf(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        long? id = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            var isId = reader.ValueTextEquals("update_id"u8);
            reader.Read();
            if (isId) id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
            SkipValue(ref reader);
        }
        return id;
    }

    /// <summary>The name of the first field besides <c>update_id</c> of the object at <paramref name="reader"/> (a copy).</summary>
    private static string KindOf(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (!reader.ValueTextEquals("update_id"u8)) return reader.GetString()!;
            reader.Read();
            SkipValue(ref reader);
        }
        return "empty";
    }

    /// <summary>What an update read by <see cref="Read(ref Utf8JsonReader, JsonSerializerOptions)"/> is: a message, a kind skipped, or malformed.</summary>
    public Mapped Map(RawUpdate raw)
    {
        if (raw.Id is not { } id) return new(-1, null, null, "an update without an update_id");
        if (raw.Update is not { } update) return new(id, null, null, $"update {id} is not a valid update: {raw.Error}");
        var (message, kind) = update switch
        {
            { Message: { } m } => (m, MessageKind.New),
            { EditedMessage: { } m } => (m, MessageKind.Edit),
            { ChannelPost: { } m } => (m, MessageKind.New),
            { EditedChannelPost: { } m } => (m, MessageKind.Edit),
            _ => (null, MessageKind.New),
        };
        if (message is null) return new(id, null, raw.Kind ?? "empty", null);
        if (message.Chat is null) return new(id, null, null, $"update {id} has a message without a chat");
        // A forward whose origin lacks its sender still carries the message: it is delivered with what is known.
        var incomplete = message.ForwardOrigin is MessageOriginUser { SenderUser: null } or MessageOriginChat { SenderChat: null } or MessageOriginChannel { Chat: null };
        return new(id, ToMessage(message, kind), null, incomplete ? $"update {id} has a forward_origin without its sender" : null);
    }

    private TgMessage ToMessage(Message m, MessageKind kind) => new()
    {
        Account = account,
        Connector = BotApiConnector.ConnectorName,
        Chat = ToChat(m.Chat),
        MessageId = m.Id,
        Kind = kind,
        Date = Utc(m.Date),
        EditDate = kind == MessageKind.Edit && m.EditDate is { } edited ? Utc(edited) : null,
        // A message sent on behalf of a chat (an anonymous group admin, a linked channel's automatic forward) is sent by
        // sender_chat; "from" then holds a fake user (GroupAnonymousBot, Telegram) for backward compatibility.
        Sender = m.SenderChat is { } chat ? new SenderInfo(chat.Id, chat.Title ?? NameOf(chat.FirstName, chat.LastName), chat.Username)
            : m.From is { } from ? new SenderInfo(from.Id, NameOf(from.FirstName, from.LastName), from.Username)
            : null,
        Text = MessageText.Bound(m.Text),
        Media = MediaType(m.Type) is { } media ? new MediaInfo(media, MessageText.Bound(m.Caption)) { File = FileOf(m) } : null,
        ReplyTo = m.ReplyToMessage is { } r
            ? new ReplyRef(r.Chat?.Id ?? m.Chat.Id, r.Id, ReplyState.Resolved, MessageText.Bound(r.Text ?? r.Caption))
            : null,
        Forward = m.ForwardOrigin switch
        {
            MessageOriginUser { SenderUser: { } user } u => new ForwardInfo("user", user.Id, NameOf(user.FirstName, user.LastName), Utc(u.Date)),
            MessageOriginHiddenUser h => new ForwardInfo("hidden_user", null, h.SenderUserName, Utc(h.Date)),
            MessageOriginChat { SenderChat: { } sender } c => new ForwardInfo("chat", sender.Id, sender.Title, Utc(c.Date)),
            MessageOriginChannel { Chat: { } channel } ch => new ForwardInfo("channel", channel.Id, channel.Title, Utc(ch.Date), ch.MessageId),
            MessageOrigin { Type: var type } o => new ForwardInfo(OriginName(type), Date: Utc(o.Date)),
            _ => null,
        },
    };

    /// <summary>The file a message carries (a photo's largest size), with the extension to store it with; null for none.</summary>
    private static MediaFile? FileOf(Message m) => m switch
    {
        { Photo: { Length: > 0 } sizes } => File(sizes[^1], MediaFile.ExtensionFor("photo", null)),
        { Video: { } v } => File(v, MediaFile.ExtensionFor("video", v.FileName)),
        { Document: { } d } => File(d, MediaFile.ExtensionFor("document", d.FileName)),
        { Audio: { } a } => File(a, MediaFile.ExtensionFor("audio", a.FileName)),
        { Voice: { } v } => File(v, MediaFile.ExtensionFor("voice", null)),
        { Animation: { } a } => File(a, MediaFile.ExtensionFor("animation", a.FileName)),
        { VideoNote: { } n } => File(n, MediaFile.ExtensionFor("video_note", null)),
        // The Bot API says which kind of sticker it is; its file has no name.
        { Sticker: { } s } => File(s, s.IsVideo ? "webm" : s.IsAnimated ? "tgs" : MediaFile.ExtensionFor("sticker", null)),
        _ => null,
    };

    private static MediaFile File(FileBase f, string ext) => new(f.FileId, f.FileUniqueId, f.FileSize, ext);

    private static string OriginName(MessageOriginType type) => type switch
    {
        MessageOriginType.User => "user",
        MessageOriginType.HiddenUser => "hidden_user",
        MessageOriginType.Chat => "chat",
        _ => "channel",
    };

    private static ChatInfo ToChat(Chat c) => new(c.Id, c.Type switch
    {
        ChatType.Private => "private",
        ChatType.Group => "group",
        ChatType.Supergroup => "supergroup",
        ChatType.Channel => "channel",
        _ => null,
    }, c.Title ?? NameOf(c.FirstName, c.LastName), c.Username);

    private static string? NameOf(string? first, string? last) =>
        (first, last) switch
        {
            (null or "", null or "") => null,
            (null or "", _) => last,
            (_, null or "") => first,
            _ => $"{first} {last}",
        };

    private static DateTimeOffset Utc(DateTime date) => new(DateTime.SpecifyKind(date, DateTimeKind.Utc));

    /// <summary>The media summary type of a message type; null for plain text and service messages.</summary>
    private static string? MediaType(MessageType type) => type switch
    {
        MessageType.Text or MessageType.Unknown => null,
        MessageType.Photo => "photo",
        MessageType.Video => "video",
        MessageType.Audio => "audio",
        MessageType.Voice => "voice",
        MessageType.Document => "document",
        MessageType.Sticker => "sticker",
        MessageType.Animation => "animation",
        MessageType.VideoNote => "video_note",
        MessageType.Location => "location",
        MessageType.Venue => "venue",
        MessageType.Contact => "contact",
        MessageType.Poll => "poll",
        MessageType.Dice => "dice",
        MessageType.Game => "game",
        _ => "other",
    };

}
