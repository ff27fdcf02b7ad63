import GRDB

/// The e-mail tables (issue 15), registered as migration "v4-mail-outbox-digests".
///
/// `mail_outbox` holds each message, rendered, before it is handed to the relay: a crash after
/// the relay accepted it and before it was marked sends it again with the same Message-ID, never
/// a different copy. `mail_bounces` lists addresses a relay refused for good; nothing is sent to
/// them until an administrator clears the address (or the agent's address changes).
/// `mail_digest_state` remembers up to when each agent's last digest covered the news.
enum MailSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE mail_outbox (
              id INTEGER PRIMARY KEY,
              message_id TEXT NOT NULL UNIQUE,
              user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
              recipient TEXT NOT NULL,
              sender TEXT NOT NULL,
              kind TEXT NOT NULL,
              covers_until INTEGER,
              body BLOB NOT NULL,
              status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'bounced', 'refused')),
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER NOT NULL,
              last_error TEXT,
              relay_reply TEXT,
              created_at INTEGER NOT NULL,
              sent_at INTEGER
            );
            CREATE INDEX mail_outbox_pending ON mail_outbox(status, id);
            CREATE INDEX mail_outbox_user ON mail_outbox(user_id, kind, status);
            CREATE TABLE mail_bounces (
              address TEXT PRIMARY KEY COLLATE NOCASE,
              reason TEXT NOT NULL,
              bounced_at INTEGER NOT NULL,
              refusals INTEGER NOT NULL DEFAULT 1
            ) WITHOUT ROWID;
            CREATE TABLE mail_digest_state (
              user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
              covered_until INTEGER NOT NULL
            );
            """)
    }
}
