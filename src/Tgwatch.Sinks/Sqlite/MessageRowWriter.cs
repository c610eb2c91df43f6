using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tgwatch.Messages;

namespace Tgwatch.Sinks.Sqlite;

/// <summary>
/// The sink's prepared statements, bound row by row: the upsert of a message, the update of
/// the unresolved replies of a message and that of its pending media download. One JSON buffer is reused for every row.
/// </summary>
internal sealed class MessageRowWriter : IDisposable
{
    private const string Upsert = """
        INSERT INTO messages (key, account, connector, chat_id, chat_type, chat_title, chat_username, message_id, kind, date, edit_date,
            sender_id, sender_name, sender_username, text, media_type, media_caption,
            reply_chat_id, reply_message_id, reply_state, reply_text, forward_json, json, inserted_at)
        VALUES (@key, @account, @connector, @chat_id, @chat_type, @chat_title, @chat_username, @message_id, @kind, @date, @edit_date,
            @sender_id, @sender_name, @sender_username, @text, @media_type, @media_caption,
            @reply_chat_id, @reply_message_id, @reply_state, @reply_text, @forward_json, @json, @inserted_at)
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
        UPDATE messages SET reply_state = @state, reply_text = @text,
            json = json_set(json, '$.reply_to.state', @state, '$.reply_to.text', @text)
        WHERE chat_id = @chat_id AND message_id = @message_id AND account = @account AND reply_state = 'unresolved'
        """;

    // A media update ends the pending download of the message's stored rows (never undoes one that ended).
    private const string UpdateMedia = """
        UPDATE messages SET json = json_set(json, '$.media.state', @state, '$.media.path', @path, '$.media.size', @size,
            '$.media.sha256', @sha256, '$.media.error', @error)
        WHERE chat_id = @chat_id AND message_id = @message_id AND account = @account AND json_extract(json, '$.media.state') = 'pending'
        """;

    private static readonly string[] MediaParameters = ["@state", "@path", "@size", "@sha256", "@error", "@chat_id", "@message_id", "@account"];

    private static readonly string[] RowParameters =
    [
        "@key", "@account", "@connector", "@chat_id", "@chat_type", "@chat_title", "@chat_username", "@message_id", "@kind", "@date", "@edit_date",
        "@sender_id", "@sender_name", "@sender_username", "@text", "@media_type", "@media_caption",
        "@reply_chat_id", "@reply_message_id", "@reply_state", "@reply_text", "@forward_json", "@json", "@inserted_at",
    ];

    private static readonly string[] ReplyParameters = ["@state", "@text", "@chat_id", "@message_id", "@account"];
    private static readonly object Resolved = "resolved";
    private static readonly object Unresolved = "unresolved";
    private static readonly object[] KindNames = ["new", "edit", "delete"];

    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter[] _row;
    private readonly SqliteCommand _updateReply;
    private readonly SqliteParameter[] _reply;
    private readonly SqliteCommand _updateMedia;
    private readonly SqliteParameter[] _media;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public MessageRowWriter(SqliteConnection connection)
    {
        (_upsert, _row) = Prepare(connection, Upsert, RowParameters);
        (_updateReply, _reply) = Prepare(connection, UpdateReply, ReplyParameters);
        (_updateMedia, _media) = Prepare(connection, UpdateMedia, MediaParameters);
        _json = new Utf8JsonWriter(_buffer, TgMessageJson.WriterOptions);
    }

    /// <summary>Enlists both statements in the batch's transaction.</summary>
    public void Begin(SqliteTransaction transaction, long insertedAt)
    {
        _upsert.Transaction = transaction;
        _updateReply.Transaction = transaction;
        _updateMedia.Transaction = transaction;
        _row[23].Value = insertedAt;
    }

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
        var r = _row;
        r[0].Value = m.Key;
        r[1].Value = m.Account;
        r[2].Value = m.Connector;
        r[3].Value = m.Chat.Id;
        r[4].Value = OrNull(m.Chat.Type);
        r[5].Value = OrNull(m.Chat.Title);
        r[6].Value = OrNull(m.Chat.Username);
        r[7].Value = m.MessageId;
        r[8].Value = KindNames[(int)m.Kind];
        r[9].Value = m.Date.ToUnixTimeSeconds();
        r[10].Value = m.EditDate is { } edit ? edit.ToUnixTimeSeconds() : DBNull.Value;
        var sender = m.Sender;
        r[11].Value = sender is null ? DBNull.Value : sender.Id;
        r[12].Value = OrNull(sender?.Name);
        r[13].Value = OrNull(sender?.Username);
        r[14].Value = OrNull(m.Text);
        r[15].Value = OrNull(m.Media?.Type);
        r[16].Value = OrNull(m.Media?.Caption);
        var reply = m.ReplyTo;
        r[17].Value = reply is null ? DBNull.Value : reply.ChatId;
        r[18].Value = reply is null ? DBNull.Value : reply.MessageId;
        r[19].Value = reply is null ? DBNull.Value : State(reply.State);
        r[20].Value = OrNull(reply?.Text);
        r[21].Value = m.Forward is { } forward ? ForwardJson(forward) : DBNull.Value;
        r[22].Value = ContractJson(m);
        _upsert.ExecuteNonQuery();
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
        var p = _reply;
        p[0].Value = State(resolved.State);
        p[1].Value = OrNull(resolved.Text);
        p[2].Value = m.Chat.Id;
        p[3].Value = m.MessageId;
        p[4].Value = m.Account;
        _updateReply.ExecuteNonQuery();
    }

    private void WriteMedia(TgMessage m, MediaDownload download)
    {
        var p = _media;
        p[0].Value = MediaDownload.StateName(download.State);
        p[1].Value = OrNull(download.Path);
        p[2].Value = download.Size is { } size ? size : DBNull.Value;
        p[3].Value = OrNull(download.Sha256);
        p[4].Value = OrNull(download.Error);
        p[5].Value = m.Chat.Id;
        p[6].Value = m.MessageId;
        p[7].Value = m.Account;
        _updateMedia.ExecuteNonQuery();
    }

    private string ContractJson(TgMessage m)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        TgMessageJson.Write(_json, m);
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private string ForwardJson(ForwardInfo forward)
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
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private static object State(ReplyState state) => state == ReplyState.Resolved ? Resolved : Unresolved;

    private static object OrNull(string? value) => (object?)value ?? DBNull.Value;

    private static (SqliteCommand, SqliteParameter[]) Prepare(SqliteConnection connection, string sql, string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameters = new SqliteParameter[names.Length];
        for (var i = 0; i < names.Length; i++) parameters[i] = command.Parameters.Add(new SqliteParameter(names[i], DBNull.Value));
        return (command, parameters);
    }
}
