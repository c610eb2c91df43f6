using Tgwatch.Postgres.Database;

namespace Tgwatch.Postgres.State;

/// <summary>
/// The state store's tables, each named <c>tgwatch_…</c> (a database may hold the sink's <c>tgwatch_messages</c> too).
/// Text is compared byte by byte (<c>COLLATE "C"</c>), as SQLite does, whatever the database's locale: orders and
/// look-ups are the same in every store. Add a step to change them; never edit a released one.
/// </summary>
internal static class StateTables
{
    public static PgSchema Schema { get; } = new("state", "state store",
    [
        new PgMigration(1, "checkpoints, processed keys, sinks, chats, dead letters, pending replies, sink ledger, outbox, links", """
            CREATE TABLE tgwatch_checkpoints (
                account    text COLLATE "C" NOT NULL,
                connector  text COLLATE "C" NOT NULL,
                stream     text COLLATE "C" NOT NULL,
                position   bigint           NOT NULL,
                updated_at timestamptz      NOT NULL,
                PRIMARY KEY (account, connector, stream)
            );

            -- Sink names get small ids for tgwatch_processed.sinks; a name is never removed (status lists every sink seen).
            CREATE TABLE tgwatch_sinks (
                id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text COLLATE "C" NOT NULL UNIQUE
            );

            -- sinks: ids of the sinks that have the key, sorted; NULL: every sink has it, whichever they are.
            CREATE TABLE tgwatch_processed (
                key          text COLLATE "C" NOT NULL PRIMARY KEY,
                chat_id      bigint           NOT NULL,
                message_id   bigint           NOT NULL,
                date         timestamptz      NOT NULL,
                processed_at timestamptz      NOT NULL,
                sinks        integer[]
            );
            CREATE INDEX tgwatch_processed_by_age ON tgwatch_processed (processed_at, key);

            CREATE TABLE tgwatch_chats (
                chat_id         bigint      NOT NULL PRIMARY KEY,
                title           text,
                last_message_id bigint      NOT NULL,
                last_date       timestamptz NOT NULL,
                last_seen_at    timestamptz NOT NULL,
                count           bigint      NOT NULL
            );

            CREATE TABLE tgwatch_dead_letters (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key          text COLLATE "C" NOT NULL,
                stage        text COLLATE "C" NOT NULL,
                message_json text             NOT NULL,
                fault        text             NOT NULL,
                error_type   text             NOT NULL,
                error        text             NOT NULL,
                attempts     integer          NOT NULL,
                failed_at    timestamptz      NOT NULL,
                UNIQUE (key, stage)
            );

            CREATE TABLE tgwatch_pending_replies (
                key          text COLLATE "C" NOT NULL PRIMARY KEY,
                message_json text             NOT NULL,
                attempts     integer          NOT NULL,
                next_attempt timestamptz      NOT NULL,
                since        timestamptz      NOT NULL
            );
            CREATE INDEX tgwatch_pending_replies_by_due ON tgwatch_pending_replies (next_attempt, key);

            CREATE TABLE tgwatch_sink_ledger (
                sink        text COLLATE "C" NOT NULL,
                key         text COLLATE "C" NOT NULL,
                recorded_at timestamptz      NOT NULL,
                PRIMARY KEY (sink, key)
            );
            CREATE INDEX tgwatch_sink_ledger_by_age ON tgwatch_sink_ledger (recorded_at);

            CREATE TABLE tgwatch_sink_offsets (
                sink        text COLLATE "C" NOT NULL PRIMARY KEY,
                byte_offset bigint           NOT NULL
            );

            CREATE TABLE tgwatch_outbox (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                sink        text COLLATE "C" NOT NULL,
                key         text COLLATE "C" NOT NULL,
                payload     bytea            NOT NULL,
                enqueued_at timestamptz      NOT NULL
            );
            CREATE INDEX tgwatch_outbox_by_sink ON tgwatch_outbox (sink, id);
            CREATE INDEX tgwatch_outbox_by_key ON tgwatch_outbox (sink, key);

            CREATE TABLE tgwatch_links (
                account         text COLLATE "C" NOT NULL,
                connector       text COLLATE "C" NOT NULL,
                state           text             NOT NULL,
                reason          text,
                since           timestamptz      NOT NULL,
                reported_at     timestamptz      NOT NULL,
                report_every_ms bigint           NOT NULL,
                ended           boolean          NOT NULL,
                PRIMARY KEY (account, connector)
            );
            """),
        new PgMigration(2, "leases of active runners, and the runners", """
            -- One row per lease (a connector and account): its holder, and its generation, raised by each taking over.
            -- Commits of a fenced store read the row FOR SHARE and check the generation; taking over locks it FOR UPDATE.
            CREATE TABLE tgwatch_leases (
                name        text COLLATE "C" NOT NULL PRIMARY KEY,
                generation  bigint           NOT NULL,
                holder      text COLLATE "C" NOT NULL,
                host        text             NOT NULL,
                pid         integer          NOT NULL,
                since       timestamptz      NOT NULL,
                expires_at  timestamptz      NOT NULL,
                released    boolean          NOT NULL
            );

            -- Every runner that tried or renewed lately, active or standby, for status.
            CREATE TABLE tgwatch_runners (
                runner      text COLLATE "C" NOT NULL PRIMARY KEY,
                lease       text COLLATE "C" NOT NULL,
                host        text             NOT NULL,
                pid         integer          NOT NULL,
                started_at  timestamptz      NOT NULL,
                seen_at     timestamptz      NOT NULL,
                active      boolean          NOT NULL
            );
            """),
        new PgMigration(3, "media downloads not ended yet (the shape of pending replies)", """
            CREATE TABLE tgwatch_pending_downloads (
                key          text COLLATE "C" NOT NULL PRIMARY KEY,
                message_json text             NOT NULL,
                attempts     integer          NOT NULL,
                next_attempt timestamptz      NOT NULL,
                since        timestamptz      NOT NULL
            );
            CREATE INDEX tgwatch_pending_downloads_by_due ON tgwatch_pending_downloads (next_attempt, key);
            """),
    ]);
}
