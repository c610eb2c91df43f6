using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.Sink;

/// <summary>
/// The postgres sink's table, <c>tgwatch_messages</c>: one row per message key, the JSONL contract record in
/// <c>record</c> (jsonb) and its main fields in columns. Add a step to change it; never edit a released one.
/// </summary>
internal static class MessagesTable
{
    public static PgSchema Schema { get; } = new("messages", "postgres sink",
    [
        new PgMigration(1, "tgwatch_messages, indexed by (chat_id, date) and (chat_id, message_id)", """
            CREATE TABLE tgwatch_messages (
                key        text COLLATE "C" NOT NULL PRIMARY KEY,
                account    text        NOT NULL,
                connector  text        NOT NULL,
                chat_id    bigint      NOT NULL,
                message_id bigint      NOT NULL,
                kind       text        NOT NULL,
                date       timestamptz NOT NULL,
                edit_date  timestamptz,
                sender_id  bigint,
                text       text,
                record     jsonb       NOT NULL
            );
            CREATE INDEX tgwatch_messages_by_chat_date ON tgwatch_messages (chat_id, date);
            CREATE INDEX tgwatch_messages_by_chat_message ON tgwatch_messages (chat_id, message_id);
            """),
    ]);

    /// <summary>
    /// The batch's rows, copied in (binary COPY) before one upsert; made in the batch's transaction and gone at its end (a
    /// temporary table that lived on in the session would be emptied at every commit, at a cost to each).
    /// </summary>
    public const string CreateBatchTable = """
        CREATE TEMPORARY TABLE tgwatch_batch (
            ord        integer     NOT NULL,
            key        text        NOT NULL,
            account    text        NOT NULL,
            connector  text        NOT NULL,
            chat_id    bigint      NOT NULL,
            message_id bigint      NOT NULL,
            kind       text        NOT NULL,
            date       timestamptz NOT NULL,
            edit_date  timestamptz,
            sender_id  bigint,
            text       text,
            record     jsonb       NOT NULL
        ) ON COMMIT DROP
        """;

    /// <summary>A batch's rows straight into the table: the common case, where none of its keys is there yet (see <see cref="Upsert"/>).</summary>
    public const string CopyRows = "COPY tgwatch_messages (key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record) FROM STDIN (FORMAT BINARY)";

    public const string CopyBatch = "COPY tgwatch_batch (ord, key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record) FROM STDIN (FORMAT BINARY)";

    // One row per key (the last of the batch). The same record again changes nothing (no new row version); a redelivery
    // never undoes a resolved reply of the same message.
    public const string Upsert = """
        INSERT INTO tgwatch_messages AS m (key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record)
        SELECT DISTINCT ON (key) key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record
        FROM tgwatch_batch ORDER BY key, ord DESC
        ON CONFLICT (key) DO UPDATE SET
            account = excluded.account, connector = excluded.connector, chat_id = excluded.chat_id, message_id = excluded.message_id,
            kind = excluded.kind, date = excluded.date, edit_date = excluded.edit_date, sender_id = excluded.sender_id,
            text = excluded.text, record = excluded.record
        WHERE m.record IS DISTINCT FROM excluded.record
          AND NOT (m.record #>> '{reply_to,state}' IS NOT DISTINCT FROM 'resolved'
                   AND excluded.record #>> '{reply_to,state}' IS NOT DISTINCT FROM 'unresolved'
                   AND m.record #> '{reply_to,chat_id}' IS NOT DISTINCT FROM excluded.record #> '{reply_to,chat_id}'
                   AND m.record #> '{reply_to,message_id}' IS NOT DISTINCT FROM excluded.record #> '{reply_to,message_id}')
        """;

    // A reply update resolves the reply of the stored rows of its message whose reply is unresolved.
    public const string ResolveReplies = """
        UPDATE tgwatch_messages m
        SET record = jsonb_set(jsonb_set(m.record, '{reply_to,state}', to_jsonb(u.state)), '{reply_to,text}', coalesce(to_jsonb(u.text), 'null'::jsonb))
        FROM unnest(@accounts::text[], @chats::bigint[], @messages::bigint[], @states::text[], @texts::text[]) AS u(account, chat_id, message_id, state, text)
        WHERE m.chat_id = u.chat_id AND m.message_id = u.message_id AND m.account = u.account AND m.record #>> '{reply_to,state}' = 'unresolved'
        """;

    // A media update ends the pending download of the stored rows of its message (its record's media replaces theirs).
    public const string EndDownloads = """
        UPDATE tgwatch_messages m
        SET record = jsonb_set(m.record, '{media}', u.record::jsonb -> 'media')
        FROM unnest(@accounts::text[], @chats::bigint[], @messages::bigint[], @records::text[]) AS u(account, chat_id, message_id, record)
        WHERE m.chat_id = u.chat_id AND m.message_id = u.message_id AND m.account = u.account AND m.record #>> '{media,state}' = 'pending'
        """;
}
