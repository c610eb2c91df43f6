using Tgwatch.Sqlite.Database;

namespace Tgwatch.Sqlite.State;

/// <summary>
/// The state store's tables. Instants are Unix milliseconds (UTC). Add a step to change them; never
/// edit a step that was released.
/// </summary>
internal static class StateSchema
{
    /// <summary>'TGWS': a Tgwatch state store.</summary>
    public const int ApplicationId = 0x54475753;

    public static SqliteSchema Schema { get; } = new("state store", ApplicationId,
    [
        new Migration(1, "checkpoints, processed keys, chats, dead letters, pending replies, sink ledger, outbox", """
            CREATE TABLE checkpoints (
                account    TEXT    NOT NULL,
                connector  TEXT    NOT NULL,
                stream     TEXT    NOT NULL,
                position   INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (account, connector, stream)
            ) WITHOUT ROWID;

            CREATE TABLE processed (
                key          TEXT    NOT NULL PRIMARY KEY,
                chat_id      INTEGER NOT NULL,
                message_id   INTEGER NOT NULL,
                date         INTEGER NOT NULL,
                processed_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX processed_by_age ON processed (processed_at);

            CREATE TABLE chats (
                chat_id         INTEGER NOT NULL PRIMARY KEY,
                title           TEXT,
                last_message_id INTEGER NOT NULL,
                last_date       INTEGER NOT NULL,
                last_seen_at    INTEGER NOT NULL,
                count           INTEGER NOT NULL
            );

            CREATE TABLE dead_letters (
                id           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                key          TEXT    NOT NULL,
                stage        TEXT    NOT NULL,
                message_json TEXT    NOT NULL,
                fault        TEXT    NOT NULL,
                error_type   TEXT    NOT NULL,
                error        TEXT    NOT NULL,
                attempts     INTEGER NOT NULL,
                failed_at    INTEGER NOT NULL,
                UNIQUE (key, stage)
            );

            CREATE TABLE pending_replies (
                key          TEXT    NOT NULL PRIMARY KEY,
                message_json TEXT    NOT NULL,
                attempts     INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL,
                since        INTEGER NOT NULL
            );
            CREATE INDEX pending_replies_by_due ON pending_replies (next_attempt);

            CREATE TABLE sink_ledger (
                sink        TEXT    NOT NULL,
                key         TEXT    NOT NULL,
                recorded_at INTEGER NOT NULL,
                PRIMARY KEY (sink, key)
            ) WITHOUT ROWID;

            CREATE TABLE sink_offsets (
                sink        TEXT    NOT NULL PRIMARY KEY,
                byte_offset INTEGER NOT NULL
            );

            CREATE TABLE outbox (
                id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                sink        TEXT    NOT NULL,
                key         TEXT    NOT NULL,
                payload     BLOB    NOT NULL,
                enqueued_at INTEGER NOT NULL
            );
            CREATE INDEX outbox_by_sink ON outbox (sink, id);
            """),
        new Migration(2, "indexes for requeueing outbox records and ageing the sink ledger", """
            CREATE INDEX outbox_by_key ON outbox (sink, key);
            CREATE INDEX sink_ledger_by_age ON sink_ledger (recorded_at);
            """),
        new Migration(3, "each connector's link state as its run last recorded it", """
            CREATE TABLE links (
                account      TEXT    NOT NULL,
                connector    TEXT    NOT NULL,
                state        TEXT    NOT NULL,
                reason       TEXT,
                since        INTEGER NOT NULL,
                reported_at  INTEGER NOT NULL,
                report_every INTEGER NOT NULL,
                ended        INTEGER NOT NULL,
                PRIMARY KEY (account, connector)
            ) WITHOUT ROWID;
            """),
        new Migration(4, "which sinks have each processed key (a sink added later gets what it has not had)", """
            CREATE TABLE sinks (
                id   INTEGER NOT NULL PRIMARY KEY,
                name TEXT    NOT NULL UNIQUE
            );
            -- Ids of the sinks that have the key, sorted, comma-separated; NULL for keys recorded before: every sink has them.
            ALTER TABLE processed ADD COLUMN sinks TEXT;
            """),
        new Migration(5, "media downloads not ended yet (the shape of pending replies)", """
            CREATE TABLE pending_downloads (
                key          TEXT    NOT NULL PRIMARY KEY,
                message_json TEXT    NOT NULL,
                attempts     INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL,
                since        INTEGER NOT NULL
            );
            CREATE INDEX pending_downloads_by_due ON pending_downloads (next_attempt);
            """),
    ]);
}
