using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sinks.Sqlite;

/// <summary>
/// The SQLite sink's file: one row per message key. Dates are Unix seconds (UTC), as Telegram gives
/// them (<c>datetime(date, 'unixepoch')</c> reads them); the <c>json</c> column holds the JSONL
/// contract record with ISO dates. Add a step to change the tables; never edit a released step.
/// </summary>
internal static class MessagesSchema
{
    /// <summary>'TGWM': a Tgwatch message database.</summary>
    public const int ApplicationId = 0x5447574D;

    public static SqliteSchema Schema { get; } = new("sqlite sink", ApplicationId,
    [
        new Migration(1, "messages with indexes by chat and date, chat and message id", """
            CREATE TABLE messages (
                key              TEXT    NOT NULL PRIMARY KEY,
                account          TEXT    NOT NULL,
                connector        TEXT    NOT NULL,
                chat_id          INTEGER NOT NULL,
                chat_type        TEXT,
                chat_title       TEXT,
                chat_username    TEXT,
                message_id       INTEGER NOT NULL,
                kind             TEXT    NOT NULL,
                date             INTEGER NOT NULL,
                edit_date        INTEGER,
                sender_id        INTEGER,
                sender_name      TEXT,
                sender_username  TEXT,
                text             TEXT,
                media_type       TEXT,
                media_caption    TEXT,
                reply_chat_id    INTEGER,
                reply_message_id INTEGER,
                reply_state      TEXT,
                reply_text       TEXT,
                forward_json     TEXT,
                json             TEXT    NOT NULL,
                inserted_at      INTEGER NOT NULL
            );
            CREATE INDEX messages_by_chat_date ON messages (chat_id, date);
            CREATE INDEX messages_by_chat_message ON messages (chat_id, message_id);
            """),
        new Migration(2, "an edit's key holds a hash of its content (two edits of one second are two rows)", """
            UPDATE messages SET key = tgwatch_record_key(json, key) WHERE kind = 'edit';
            """),
    ])
    {
        Functions = connection => connection.CreateFunction<string, string, string>("tgwatch_record_key", RecordKey, isDeterministic: true),
    };

    /// <summary>The key of a stored record as this code makes it; <paramref name="key"/> when the record cannot be read.</summary>
    private static string RecordKey(string json, string key)
    {
        try
        {
            return TgMessageJson.Parse(json).Key;
        }
        catch (FormatException)
        {
            return key;
        }
    }
}
