using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sinks.Sqlite;

/// <summary>
/// The sink's prepared statements, bound by position row by row (<see cref="PreparedStatement"/>): the upsert of a message,
/// the update of the unresolved replies of a message and that of its pending media download. One JSON buffer is reused for
/// every row, and its UTF-8 bound as it is.
/// </summary>
internal sealed class MessageRowWriter : IDisposable
{
    private const string Upsert = """
        INSERT INTO messages (key, account, connector, chat_id, chat_type, chat_title, chat_username, message_id, kind, date, edit_date,
            sender_id, sender_name, sender_username, text, media_type, media_caption,
            reply_chat_id, reply_message_id, reply_state, reply_text, forward_json, json, inserted_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
            ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24)
        ON CONFLICT (key) DO UPDATE SET
            account = excluded.account, connector = excluded.connector, chat_id = excluded.chat_id, chat_type = excluded.chat_type,
            chat_title = excluded.chat_title, chat_username = excluded.chat_username, message_id = excluded.message_id,
            kind = excluded.kind, date = excluded.date, edit_date = excluded.edit_date, sender_id = excluded.sender_id,
            sender_name = excluded.sender_name, sender_username = excluded.sender_username, text = excluded.text,
            media_type = excluded.media_type, media_caption = excluded.media_caption, reply_chat_id = excluded.reply_chat_id,
            reply_message_id = excluded.reply_message_id, reply_state = excluded.reply_state, reply_text = excluded.reply_text,
            forward_json = excluded.forward_json, json = excluded.json
        -- The same record again changes nothing (not even the page); a redelivery never undoes a resolved reply.
        -- (IS, not =: a NULL column must not turn the condition into NULL.)
        WHERE (messages.json IS NOT excluded.json OR messages.forward_json IS NOT excluded.forward_json)
          AND NOT (messages.reply_state IS 'resolved' AND excluded.reply_state IS 'unresolved'
                   AND messages.reply_chat_id IS excluded.reply_chat_id AND messages.reply_message_id IS excluded.reply_message_id)
        """;

    private const string UpdateReply = """
        UPDATE messages SET reply_state = ?1, reply_text = ?2,
            json = json_set(json, '$.reply_to.state', ?1, '$.reply_to.text', ?2)
        WHERE chat_id = ?3 AND message_id = ?4 AND account = ?5 AND reply_state = 'unresolved'
        """;

    // A media update ends the pending download of the message's stored rows (never undoes one that ended).
    private const string UpdateMedia = """
        UPDATE messages SET json = json_set(json, '$.media.state', ?1, '$.media.path', ?2, '$.media.size', ?3,
            '$.media.sha256', ?4, '$.media.error', ?5)
        WHERE chat_id = ?6 AND message_id = ?7 AND account = ?8 AND json_extract(json, '$.media.state') = 'pending'
        """;

    private static readonly string[] KindNames = ["new", "edit", "delete"];

    private readonly PreparedStatement _upsert;
    private readonly PreparedStatement _updateReply;
    private readonly PreparedStatement _updateMedia;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public MessageRowWriter(SqliteConnection connection)
    {
        _upsert = new PreparedStatement(connection, Upsert);
        _updateReply = new PreparedStatement(connection, UpdateReply);
        _updateMedia = new PreparedStatement(connection, UpdateMedia);
        _json = new Utf8JsonWriter(_buffer, TgMessageJson.WriterOptions);
    }

    /// <summary>Starts a batch (the statements run in the connection's transaction): the rows' insertion time.</summary>
    public void Begin(long insertedAt) => _upsert.Bind(24, insertedAt);

    /// <summary>Upserts the message's row, or, for a reply update, resolves the replies of its stored rows.</summary>
    public void Write(TgMessage m)
    {
        if (m.IsReplyUpdate)
        {
            if (m.ReplyTo is { } resolved) WriteReply(m, resolved);
            return;
        }
        if (m.IsMediaUpdate)
        {
            if (m.Media?.Download is { } download) WriteMedia(m, download);
            return;
        }
        var r = _upsert;
        r.Bind(1, m.Key);
        r.Bind(2, m.Account);
        r.Bind(3, m.Connector);
        r.Bind(4, m.Chat.Id);
        r.Bind(5, m.Chat.Type);
        r.Bind(6, m.Chat.Title);
        r.Bind(7, m.Chat.Username);
        r.Bind(8, m.MessageId);
        r.Bind(9, KindNames[(int)m.Kind]);
        r.Bind(10, m.Date.ToUnixTimeSeconds());
        r.Bind(11, m.EditDate?.ToUnixTimeSeconds());
        var sender = m.Sender;
        r.Bind(12, sender?.Id);
        r.Bind(13, sender?.Name);
        r.Bind(14, sender?.Username);
        r.Bind(15, m.Text);
        r.Bind(16, m.Media?.Type);
        r.Bind(17, m.Media?.Caption);
        var reply = m.ReplyTo;
        r.Bind(18, reply?.ChatId);
        r.Bind(19, reply?.MessageId);
        r.Bind(20, reply is null ? null : State(reply.State));
        r.Bind(21, reply?.Text);
        if (m.Forward is { } forward) r.BindUtf8(22, ForwardJson(forward));
        else r.Bind(22, (string?)null);
        r.BindUtf8(23, ContractJson(m));
        r.Run();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _updateReply.Dispose();
        _updateMedia.Dispose();
        _json.Dispose();
    }

    private void WriteReply(TgMessage m, ReplyRef resolved)
    {
        var p = _updateReply;
        p.Bind(1, State(resolved.State));
        p.Bind(2, resolved.Text);
        p.Bind(3, m.Chat.Id);
        p.Bind(4, m.MessageId);
        p.Bind(5, m.Account);
        p.Run();
    }

    private void WriteMedia(TgMessage m, MediaDownload download)
    {
        var p = _updateMedia;
        p.Bind(1, MediaDownload.StateName(download.State));
        p.Bind(2, download.Path);
        p.Bind(3, download.Size);
        p.Bind(4, download.Sha256);
        p.Bind(5, download.Error);
        p.Bind(6, m.Chat.Id);
        p.Bind(7, m.MessageId);
        p.Bind(8, m.Account);
        p.Run();
    }

    /// <summary>The record as the JSONL contract writes it, in UTF-8 (valid until the next record is made).</summary>
    private ReadOnlySpan<byte> ContractJson(TgMessage m)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        TgMessageJson.Write(_json, m);
        _json.Flush();
        return _buffer.WrittenSpan;
    }

    private ReadOnlySpan<byte> ForwardJson(ForwardInfo forward)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("type", forward.Type);
        if (forward.Id is { } id) _json.WriteNumber("id", id); else _json.WriteNull("id");
        if (forward.Name is { } name) _json.WriteString("name", name); else _json.WriteNull("name");
        if (forward.Date is { } date) _json.WriteString("date", TgMessageJson.FormatDate(date)); else _json.WriteNull("date");
        if (forward.MessageId is { } mid) _json.WriteNumber("message_id", mid); else _json.WriteNull("message_id");
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenSpan;
    }

    private static string State(ReplyState state) => state == ReplyState.Resolved ? "resolved" : "unresolved";
}
