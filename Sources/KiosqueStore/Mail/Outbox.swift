public import Foundation
import GRDB

extension AppDatabase {
    /// Records messages before they are sent, in one transaction; a digest also moves its agent's
    /// digest start to the end of what it covers. A Message-ID already recorded is left as it is.
    /// Returns how many were new.
    @discardableResult
    public func enqueueMail(_ entries: [OutboxEntry], at date: Date = Date()) async throws(StoreError) -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await write("recording mail in the outbox", changes: .bookkeeping) { db in
            var added = 0
            for entry in entries {
                try db.cachedExecute("""
                    INSERT OR IGNORE INTO mail_outbox (message_id, user_id, recipient, sender, kind, covers_until, body,
                      next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [entry.messageID, entry.userID, entry.recipient, entry.sender, entry.kind,
                                     entry.coversUntil?.unixSeconds, entry.body, date.unixSeconds, date.unixSeconds])
                guard db.changesCount > 0 else { continue }
                added += 1
                if entry.kind == "digest", let userID = entry.userID, let until = entry.coversUntil {
                    try db.cachedExecute("""
                        INSERT INTO mail_digest_state (user_id, covered_until) VALUES (?, ?)
                        ON CONFLICT(user_id) DO UPDATE SET covered_until = max(covered_until, excluded.covered_until)
                        """, [userID, until.unixSeconds])
                }
            }
            return added
        }
    }

    /// Up to `limit` pending messages after outbox row `afterID`, oldest first, whose next try is
    /// due at `now` (every pending one with `ignoringBackoff`), never to a bouncing address.
    public func dueMail(now: Date = Date(), ignoringBackoff: Bool = false, afterID: Int64 = 0,
                        limit: Int = 100, withBodies: Bool = true) async throws(StoreError) -> [OutboxMessage] {
        // Without bodies (deferring a whole outbox when the relay is down): a digest is ~90 KB, and
        // reading 500 of them only to mark them deferred made the relay-down run's memory peak.
        let body = withBodies ? "body" : "X'' AS body"
        return try await read("reading the outbox") { db in
            try Row.fetchAll(db, sql: """
                SELECT id, message_id, recipient, sender, kind, \(body), attempts FROM mail_outbox o
                WHERE status = 'pending' AND id > ? AND (? OR next_attempt_at <= ?)
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE b.address = o.recipient)
                ORDER BY id LIMIT ?
                """, arguments: [afterID, ignoringBackoff, now.unixSeconds, limit]).map { row in
                OutboxMessage(id: row["id"], messageID: row["message_id"], recipient: row["recipient"], sender: row["sender"],
                              kind: row["kind"], body: row["body"], attempts: row["attempts"])
            }
        }
    }

    /// Marks a message accepted by the relay, with the relay's reply.
    public func markMailSent(id: Int64, reply: String, at date: Date = Date()) async throws(StoreError) {
        try await write("marking mail sent", changes: .bookkeeping) { db in
            try db.execute(sql: """
                UPDATE mail_outbox SET status = 'sent', sent_at = ?, relay_reply = ?, attempts = attempts + 1,
                  body = zeroblob(0) WHERE id = ?
                """, arguments: [date.unixSeconds, reply, id])
        }
    }

    /// Records a failed try; the message stays pending until `retryAt`.
    public func markMailDeferred(id: Int64, error: String, retryAt: Date) async throws(StoreError) {
        try await write("deferring mail", changes: .bookkeeping) { db in
            try db.execute(sql: "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                           arguments: [error, retryAt.unixSeconds, id])
        }
    }

    /// Records a permanent refusal. With `bounceAddress`, the recipient was refused: the address
    /// goes on the bounce list and nothing more is sent to it until it is cleared.
    public func markMailRefused(id: Int64, reason: String, bounceAddress: String?, at date: Date = Date()) async throws(StoreError) {
        try await write("recording a refused message", changes: .bookkeeping) { db in
            try db.execute(sql: "UPDATE mail_outbox SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
                           arguments: [bounceAddress == nil ? "refused" : "bounced", reason, id])
            if let address = bounceAddress {
                try db.execute(sql: """
                    INSERT INTO mail_bounces (address, reason, bounced_at) VALUES (?, ?, ?)
                    ON CONFLICT(address) DO UPDATE SET reason = excluded.reason, bounced_at = excluded.bounced_at,
                      refusals = refusals + 1
                    """, arguments: [address, reason, date.unixSeconds])
            }
        }
    }

    /// The bouncing addresses, most recent first, with the agents who use them.
    public func mailBounces() async throws(StoreError) -> [MailBounce] {
        try await read("listing bouncing addresses") { db in
            try Row.fetchAll(db, sql: """
                SELECT b.address, b.reason, b.bounced_at, b.refusals,
                  (SELECT group_concat(login, ' ') FROM users u WHERE u.email = b.address COLLATE NOCASE) AS logins
                FROM mail_bounces b ORDER BY b.bounced_at DESC
                """).map { row in
                let logins: String? = row["logins"]
                return MailBounce(address: row["address"], reason: row["reason"], bouncedAt: Date(unixSeconds: row["bounced_at"]),
                                  refusals: row["refusals"], logins: logins?.split(separator: " ").map(String.init) ?? [])
            }
        }
    }

    /// Takes an address off the bounce list (the mailbox was fixed); false if it was not on it.
    @discardableResult
    public func clearMailBounce(address: String) async throws(StoreError) -> Bool {
        try await write("clearing a bouncing address", changes: .bookkeeping) { db in
            try db.execute(sql: "DELETE FROM mail_bounces WHERE address = ?", arguments: [address])
            return db.changesCount > 0
        }
    }

    /// How many messages the outbox holds in each state.
    public func outboxCounts() async throws(StoreError) -> OutboxCounts {
        try await read("counting the outbox") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT coalesce(sum(status = 'pending'), 0) AS pending,
                       coalesce(sum(status = 'pending' AND attempts > 0), 0) AS deferred,
                       coalesce(sum(status = 'sent'), 0) AS sent,
                       coalesce(sum(status IN ('bounced', 'refused')), 0) AS bounced
                FROM mail_outbox
                """)!
            return OutboxCounts(pending: row["pending"], deferred: row["deferred"], sent: row["sent"], bounced: row["bounced"])
        }
    }

    /// Deletes sent and refused messages older than `date` (the outbox is not an archive).
    @discardableResult
    public func purgeOutbox(before date: Date) async throws(StoreError) -> Int {
        try await write("purging the outbox", changes: .bookkeeping) { db in
            try db.execute(sql: "DELETE FROM mail_outbox WHERE status <> 'pending' AND created_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }
}
