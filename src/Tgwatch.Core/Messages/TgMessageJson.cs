using System.Diagnostics;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Tgwatch.Formatting;

namespace Tgwatch.Messages;

/// <summary>
/// The JSON form of a <see cref="TgMessage"/>. The contract form is the JSONL record of ARCHITECTURE §4, field
/// for field and in that order; the full form adds what the contract leaves out (<c>forward</c>,
/// <c>reply_update</c>, <c>media_update</c>, <c>media.file</c>) for Tgwatch's own storage (dead letters, outbox, pending replies).
/// </summary>
public static class TgMessageJson
{
    private const string DateFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    /// <summary>Writes <paramref name="message"/> as one JSON object.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="message">The message.</param>
    /// <param name="full">False: exactly the JSONL contract. True: the contract plus <c>forward</c>, <c>reply_update</c>, <c>media_update</c> and <c>media.file</c>.</param>
    public static void Write(Utf8JsonWriter writer, TgMessage message, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        writer.WriteStartObject();
        writer.WriteString(Names.Account, message.Account);
        writer.WriteString(Names.Connector, message.Connector);
        writer.WriteNumber(Names.ChatId, message.Chat.Id);
        writer.WriteNumber(Names.MessageId, message.MessageId);
        // A reply or media update is an edit-like record for append-only readers; the full form keeps the real kind.
        writer.WriteString(Names.Kind, MessageKey.KindName(message.IsUpdate && !full ? MessageKind.Edit : message.Kind));
        WriteDate(writer, Names.Date, message.Date);
        if (message.EditDate is { } edit) WriteDate(writer, Names.EditDate, edit);
        else writer.WriteNull(Names.EditDate);
        if (message.Sender is { } sender)
        {
            writer.WriteStartObject(Names.Sender);
            writer.WriteNumber(Names.Id, sender.Id);
            WriteStringOrNull(writer, Names.Name, sender.Name);
            WriteStringOrNull(writer, Names.Username, sender.Username);
            writer.WriteEndObject();
        }
        else writer.WriteNull(Names.Sender);
        writer.WriteStartObject(Names.Chat);
        WriteStringOrNull(writer, Names.Title, message.Chat.Title);
        WriteStringOrNull(writer, Names.Username, message.Chat.Username);
        WriteStringOrNull(writer, Names.Type, message.Chat.Type);
        writer.WriteEndObject();
        WriteStringOrNull(writer, Names.Text, message.Text);
        if (message.Media is { } media)
        {
            writer.WriteStartObject(Names.Media);
            writer.WriteString(Names.Type, media.Type);
            WriteStringOrNull(writer, Names.Caption, media.Caption);
            if (media.Download is { } download) WriteDownload(writer, download);
            if (full && media.File is { } file) WriteFile(writer, file);
            writer.WriteEndObject();
        }
        else writer.WriteNull(Names.Media);
        if (message.ReplyTo is { } reply)
        {
            writer.WriteStartObject(Names.ReplyTo);
            writer.WriteNumber(Names.ChatId, reply.ChatId);
            writer.WriteNumber(Names.MessageId, reply.MessageId);
            writer.WriteString(Names.State, reply.State == ReplyState.Resolved ? "resolved" : "unresolved");
            WriteStringOrNull(writer, Names.Text, reply.Text);
            writer.WriteEndObject();
        }
        else writer.WriteNull(Names.ReplyTo);
        if (full)
        {
            if (message.Forward is { } forward)
            {
                writer.WriteStartObject(Names.Forward);
                writer.WriteString(Names.Type, forward.Type);
                if (forward.Id is { } id) writer.WriteNumber(Names.Id, id); else writer.WriteNull(Names.Id);
                WriteStringOrNull(writer, Names.Name, forward.Name);
                if (forward.Date is { } date) WriteDate(writer, Names.Date, date); else writer.WriteNull(Names.Date);
                if (forward.MessageId is { } mid) writer.WriteNumber(Names.MessageId, mid); else writer.WriteNull(Names.MessageId);
                writer.WriteEndObject();
            }
            else writer.WriteNull(Names.Forward);
            if (message.IsReplyUpdate) writer.WriteBoolean(Names.ReplyUpdate, true);
            if (message.IsMediaUpdate) writer.WriteBoolean(Names.MediaUpdate, true);
        }
        writer.WriteEndObject();
    }

    /// <summary>The message as one line of UTF-8 JSON, without a line end.</summary>
    public static byte[] ToUtf8(TgMessage message, bool full = false)
    {
        var writer = TgMessageJsonWriter.Rent();
        var bytes = writer.Write(message, full).ToArray();
        TgMessageJsonWriter.Return(writer);
        return bytes;
    }

    /// <summary>The message as a JSON string.</summary>
    public static string ToJson(TgMessage message, bool full = false)
    {
        var writer = TgMessageJsonWriter.Rent();
        var json = System.Text.Encoding.UTF8.GetString(writer.Write(message, full).Span);
        TgMessageJsonWriter.Return(writer);
        return json;
    }

    /// <summary>Options that write text as it is (no escaping of non-ASCII letters), on one line.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Reads a record in either form.</summary>
    /// <exception cref="FormatException">Not a valid record; the message names the field (one line).</exception>
    public static TgMessage Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(utf8.ToArray()); }
        catch (JsonException e) { throw new FormatException($"not a JSON record: {TextLines.FirstLine(e.Message)}", e); }
        using (doc) return Read(doc.RootElement);
    }

    /// <summary>Reads a record in either form.</summary>
    /// <exception cref="FormatException">Not a valid record; the message names the field (one line).</exception>
    public static TgMessage Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>Reads a record in either form from a parsed element.</summary>
    /// <exception cref="FormatException">Not a valid record; the message names the field (one line).</exception>
    public static TgMessage Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException("a record must be a JSON object");
        var account = RequiredString(e, "account");
        var connector = RequiredString(e, "connector");
        var chatId = RequiredLong(e, "chat_id");
        var messageId = RequiredLong(e, "message_id");
        var chat = Object(e, "chat");
        var sender = Object(e, "sender");
        var media = Object(e, "media");
        var reply = Object(e, "reply_to");
        var forward = Object(e, "forward");
        var kind = RequiredString(e, "kind") switch
        {
            "new" => MessageKind.New,
            "edit" => MessageKind.Edit,
            "delete" => MessageKind.Delete,
            var other => throw new FormatException($"\"kind\" must be new, edit or delete, not \"{other}\""),
        };
        return new TgMessage
        {
            Account = account,
            Connector = connector,
            Chat = new ChatInfo(chatId, OptionalString(chat, "type"), OptionalString(chat, "title"), OptionalString(chat, "username")),
            MessageId = messageId,
            Kind = kind,
            Date = ParseDate(RequiredString(e, "date"), "date"),
            EditDate = OptionalString(e, "edit_date") is { } ed ? ParseDate(ed, "edit_date") : null,
            Sender = sender is { } s ? new SenderInfo(RequiredLong(s, "id", "sender.id"), OptionalString(s, "name"), OptionalString(s, "username")) : null,
            Text = OptionalString(e, "text"),
            Media = media is { } m ? ReadMedia(m) : null,
            ReplyTo = reply is { } r
                ? new ReplyRef(RequiredLong(r, "chat_id", "reply_to.chat_id"), RequiredLong(r, "message_id", "reply_to.message_id"),
                    RequiredString(r, "state", "reply_to.state") switch
                    {
                        "resolved" => ReplyState.Resolved,
                        "unresolved" => ReplyState.Unresolved,
                        var other => throw new FormatException($"\"reply_to.state\" must be resolved or unresolved, not \"{other}\""),
                    },
                    OptionalString(r, "text"))
                : null,
            Forward = forward is { } f
                ? new ForwardInfo(RequiredString(f, "type", "forward.type"), OptionalLong(f, "id"), OptionalString(f, "name"),
                    OptionalString(f, "date") is { } fd ? ParseDate(fd, "forward.date") : null, OptionalLong(f, "message_id"))
                : null,
            IsReplyUpdate = e.TryGetProperty("reply_update", out var ru) && ru.ValueKind == JsonValueKind.True,
            IsMediaUpdate = e.TryGetProperty("media_update", out var mu) && mu.ValueKind == JsonValueKind.True,
        };
    }

    /// <summary>A date as the contract writes it: ISO-8601 UTC, whole seconds unless it has fractions.</summary>
    public static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    // As FormatDate, without a string made for it.
    private static void WriteDate(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset date)
    {
        var utc = date.UtcDateTime;
        if (utc.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            // A whole second (every date Telegram gives): the same text by the sortable format's fast path, as UTF-8.
            Span<byte> utf8 = stackalloc byte[24];
            if (!utc.TryFormat(utf8, out var n, "s", CultureInfo.InvariantCulture)) throw new UnreachableException("a date is longer than 24 bytes");
            utf8[n++] = (byte)'Z';
            writer.WriteString(name, utf8[..n]);
            return;
        }
        Span<char> text = stackalloc char[40];
        if (!utc.TryFormat(text, out var length, DateFormat, CultureInfo.InvariantCulture)) throw new UnreachableException("a date is longer than 40 characters");
        writer.WriteString(name, text[..length]);
    }

    // The contract's download fields: all five once downloads are on, null where they do not apply.
    private static void WriteDownload(Utf8JsonWriter writer, MediaDownload download)
    {
        writer.WriteString(Names.State, MediaDownload.StateName(download.State));
        WriteStringOrNull(writer, Names.Path, download.Path);
        if (download.Size is { } size) writer.WriteNumber(Names.Size, size); else writer.WriteNull(Names.Size);
        WriteStringOrNull(writer, Names.Sha256, download.Sha256);
        WriteStringOrNull(writer, Names.Error, download.Error);
    }

    private static void WriteFile(Utf8JsonWriter writer, MediaFile file)
    {
        writer.WriteStartObject(Names.File);
        writer.WriteString(Names.Id, file.Id);
        writer.WriteString(Names.UniqueId, file.UniqueId);
        if (file.Size is { } size) writer.WriteNumber(Names.Size, size); else writer.WriteNull(Names.Size);
        WriteStringOrNull(writer, Names.Ext, file.Extension);
        writer.WriteEndObject();
    }

    /// <summary>The record's field names, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Account = JsonEncodedText.Encode("account");
        public static readonly JsonEncodedText Caption = JsonEncodedText.Encode("caption");
        public static readonly JsonEncodedText Chat = JsonEncodedText.Encode("chat");
        public static readonly JsonEncodedText ChatId = JsonEncodedText.Encode("chat_id");
        public static readonly JsonEncodedText Connector = JsonEncodedText.Encode("connector");
        public static readonly JsonEncodedText Date = JsonEncodedText.Encode("date");
        public static readonly JsonEncodedText EditDate = JsonEncodedText.Encode("edit_date");
        public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
        public static readonly JsonEncodedText Ext = JsonEncodedText.Encode("ext");
        public static readonly JsonEncodedText File = JsonEncodedText.Encode("file");
        public static readonly JsonEncodedText Forward = JsonEncodedText.Encode("forward");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText Media = JsonEncodedText.Encode("media");
        public static readonly JsonEncodedText MediaUpdate = JsonEncodedText.Encode("media_update");
        public static readonly JsonEncodedText MessageId = JsonEncodedText.Encode("message_id");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
        public static readonly JsonEncodedText ReplyTo = JsonEncodedText.Encode("reply_to");
        public static readonly JsonEncodedText ReplyUpdate = JsonEncodedText.Encode("reply_update");
        public static readonly JsonEncodedText Sender = JsonEncodedText.Encode("sender");
        public static readonly JsonEncodedText Sha256 = JsonEncodedText.Encode("sha256");
        public static readonly JsonEncodedText Size = JsonEncodedText.Encode("size");
        public static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
        public static readonly JsonEncodedText Text = JsonEncodedText.Encode("text");
        public static readonly JsonEncodedText Title = JsonEncodedText.Encode("title");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText UniqueId = JsonEncodedText.Encode("unique_id");
        public static readonly JsonEncodedText Username = JsonEncodedText.Encode("username");
    }

    private static MediaInfo ReadMedia(JsonElement m)
    {
        var file = Object(m, "file");
        var state = OptionalString(m, "state", "media.state") switch
        {
            null => (MediaState?)null,
            "pending" => MediaState.Pending,
            "done" => MediaState.Done,
            "failed" => MediaState.Failed,
            var other => throw new FormatException($"\"media.state\" must be pending, done or failed, not \"{other}\""),
        };
        return new MediaInfo(RequiredString(m, "type", "media.type"), OptionalString(m, "caption"))
        {
            Download = state is { } s
                ? new MediaDownload(s, OptionalString(m, "path", "media.path"), OptionalLong(m, "size", "media.size"),
                    OptionalString(m, "sha256", "media.sha256"), OptionalString(m, "error", "media.error"))
                : null,
            File = file is { } f
                ? new MediaFile(RequiredString(f, "id", "media.file.id"), RequiredString(f, "unique_id", "media.file.unique_id"),
                    OptionalLong(f, "size", "media.file.size"), OptionalString(f, "ext", "media.file.ext"))
                : null,
        };
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    private static JsonElement? Object(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new FormatException($"\"{name}\" must be an object or null");
        return v;
    }

    private static string RequiredString(JsonElement e, string name, string? path = null) =>
        OptionalString(e, name, path) ?? throw new FormatException($"\"{path ?? name}\" is missing");

    private static string? OptionalString(JsonElement? e, string name, string? path = null)
    {
        if (e is not { } o || !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"\"{path ?? name}\" must be a string");
    }

    private static long RequiredLong(JsonElement e, string name, string? path = null) =>
        OptionalLong(e, name, path) ?? throw new FormatException($"\"{path ?? name}\" is missing");

    private static long? OptionalLong(JsonElement e, string name, string? path = null)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : throw new FormatException($"\"{path ?? name}\" must be an integer");
    }

    private static DateTimeOffset ParseDate(string text, string name) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : throw new FormatException($"\"{name}\" is not an ISO-8601 date: \"{text}\"");

}
