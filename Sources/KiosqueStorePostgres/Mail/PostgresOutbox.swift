public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The outbox on PostgreSQL (SQLite's Mail/Outbox.swift). Each message is recorded, rendered, before
/// it is handed to the relay and marked after the relay accepted it: a crash in between sends it
/// again with the same Message-ID (the outbox's unique key), never a different copy. Addresses
/// compare case-insensitively, as SQLite's NOCASE bounce list does.
extension PostgresStore {
    /// Records messages before they are sent, in one transaction; a digest also moves its agent's
    /// digest start to the end of what it covers. A Message-ID already recorded is left as it is.
    /// Returns how many were new.
    @discardableResult
    public func enqueueMail(_ entries: [OutboxEntry], at date: Date) async throws(StoreError) -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await mailWrite("recording mail in the outbox") { mail in
            var added = 0
            for entry in entries {
                guard try await mail.insert(entry, at: date) else { continue }
                added += 1
                if entry.kind == "digest", let userID = entry.userID, let until = entry.coversUntil {
                    try await mail.connection.query("""
                        INSERT INTO mail_digest_state (user_id, covered_until) VALUES (\(userID), \(until.unixSeconds))
                        ON CONFLICT (user_id) DO UPDATE SET covered_until = greatest(mail_digest_state.covered_until, excluded.covered_until)
                        """, logger: mail.logger)
                }
            }
            return added
        }
    }

    /// Up to `limit` pending messages after outbox row `afterID`, oldest first, whose next try is
    /// due at `now` (every pending one with `ignoringBackoff`), never to a bouncing address.
    public func dueMail(now: Date, ignoringBackoff: Bool, afterID: Int64, limit: Int,
                        withBodies: Bool) async throws(StoreError) -> [OutboxMessage] {
        // Without bodies (deferring a whole outbox when the relay is down): a digest is ~90 KB.
        let body = withBodies ? "o.body" : "''::bytea"
        return try await mailRead("reading the outbox") { mail in
            var messages: [OutboxMessage] = []
            for try await (id, messageID, recipient, sender, kind, body, attempts) in try await mail.connection.query("""
                SELECT o.id, o.message_id, o.recipient, o.sender, o.kind, \(unescaped: body), o.attempts FROM mail_outbox o
                WHERE o.status = 'pending' AND o.id > \(afterID) AND (\(ignoringBackoff) OR o.next_attempt_at <= \(now.unixSeconds))
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE lower(b.address) = lower(o.recipient))
                ORDER BY o.id LIMIT \(max(0, limit))
                """, logger: mail.logger).decode((Int64, String, String, String, String, ByteBuffer, Int).self) {
                messages.append(OutboxMessage(id: id, messageID: messageID, recipient: recipient, sender: sender, kind: kind,
                                              body: Data(buffer: body), attempts: attempts))
            }
            return messages
        }
    }

    /// Marks a message accepted by the relay, with the relay's reply.
    public func markMailSent(id: Int64, reply: String, at date: Date) async throws(StoreError) {
        try await mailWrite("marking mail sent") { mail in
            try await mail.connection.query("""
                UPDATE mail_outbox SET status = 'sent', sent_at = \(date.unixSeconds), relay_reply = \(reply), attempts = attempts + 1,
                  body = ''::bytea WHERE id = \(id)
                """, logger: mail.logger)
        }
    }

    /// Records a failed try; the message stays pending until `retryAt`.
    public func markMailDeferred(id: Int64, error: String, retryAt: Date) async throws(StoreError) {
        try await mailWrite("deferring mail") { mail in
            try await mail.connection.query("""
                UPDATE mail_outbox SET attempts = attempts + 1, last_error = \(error), next_attempt_at = \(retryAt.unixSeconds)
                WHERE id = \(id)
                """, logger: mail.logger)
        }
    }

    /// Records a permanent refusal. With `bounceAddress`, the recipient was refused: the address
    /// goes on the bounce list and nothing more is sent to it until it is cleared.
    public func markMailRefused(id: Int64, reason: String, bounceAddress: String?, at date: Date) async throws(StoreError) {
        try await mailWrite("recording a refused message") { mail in
            try await mail.connection.query("""
                UPDATE mail_outbox SET status = \(bounceAddress == nil ? "refused" : "bounced"), attempts = attempts + 1,
                  last_error = \(reason) WHERE id = \(id)
                """, logger: mail.logger)
            if let address = bounceAddress {
                try await mail.connection.query("""
                    INSERT INTO mail_bounces (address, reason, bounced_at) VALUES (\(address), \(reason), \(date.unixSeconds))
                    ON CONFLICT ((lower(address))) DO UPDATE SET reason = excluded.reason, bounced_at = excluded.bounced_at,
                      refusals = mail_bounces.refusals + 1
                    """, logger: mail.logger)
            }
        }
    }

    /// The bouncing addresses, most recent first, with the agents who use them.
    public func mailBounces() async throws(StoreError) -> [MailBounce] {
        try await mailRead("listing bouncing addresses") { mail in
            var bounces: [MailBounce] = []
            for try await (address, reason, at, refusals, logins) in try await mail.connection.query("""
                SELECT b.address, b.reason, b.bounced_at, b.refusals,
                  coalesce((SELECT array_agg(u.login ORDER BY u.id) FROM users u WHERE lower(u.email) = lower(b.address)), '{}')
                FROM mail_bounces b ORDER BY b.bounced_at DESC
                """, logger: mail.logger).decode((String, String, Int64, Int, [String]).self) {
                bounces.append(MailBounce(address: address, reason: reason, bouncedAt: Date(unixSeconds: at), refusals: refusals,
                                          logins: logins))
            }
            return bounces
        }
    }

    /// Takes an address off the bounce list (the mailbox was fixed); false if it was not on it.
    @discardableResult
    public func clearMailBounce(address: String) async throws(StoreError) -> Bool {
        try await mailWrite("clearing a bouncing address") { mail in
            try await !PostgresRows.all(mail.connection.query(
                "DELETE FROM mail_bounces WHERE lower(address) = lower(\(address)) RETURNING 1", logger: mail.logger), Int32.self).isEmpty
        }
    }

    /// How many messages the outbox holds in each state.
    public func outboxCounts() async throws(StoreError) -> OutboxCounts {
        try await mailRead("counting the outbox") { mail in
            for try await (pending, deferred, sent, bounced) in try await mail.connection.query("""
                SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'pending' AND attempts > 0),
                  count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status IN ('bounced', 'refused'))
                FROM mail_outbox
                """, logger: mail.logger).decode((Int, Int, Int, Int).self) {
                return OutboxCounts(pending: pending, deferred: deferred, sent: sent, bounced: bounced)
            }
            return OutboxCounts(pending: 0, deferred: 0, sent: 0, bounced: 0)
        }
    }

    /// Deletes sent and refused messages older than `date` (the outbox is not an archive).
    @discardableResult
    public func purgeOutbox(before date: Date) async throws(StoreError) -> Int {
        try await mailWrite("purging the outbox") { mail in
            try await PostgresRows.all(mail.connection.query("""
                WITH gone AS (DELETE FROM mail_outbox WHERE status <> 'pending' AND created_at < \(date.unixSeconds) RETURNING 1)
                SELECT count(*) FROM gone
                """, logger: mail.logger), Int.self).first ?? 0
        }
    }
}

/// The mail tables on one connection.
struct PostgresMail {
    let connection: PostgresConnection
    let logger: Logger

    /// The unread count of agent `user` (SQL) in channel `c` whose reads are `r` (user_channel_reads,
    /// LEFT JOINed): the channel's items less the agent's reads less the unread items of
    /// announcements for a targeted audience the agent is outside of (SQLite's `ItemAudience.unread`).
    static func unread(user: String) -> String {
        """
        greatest(0, c.item_count - coalesce(r.reads, 0)
          - (SELECT count(*) FROM announcements ha JOIN channel_items hci ON hci.item_id = ha.item_id AND hci.channel_id = c.id
              WHERE ha.department_id = c.department_id AND NOT ha.everyone AND ha.item_id IS NOT NULL
                AND NOT \(AnnouncementScope.inAudience("ha", user: user))
                AND NOT EXISTS (SELECT 1 FROM read_marks hr WHERE hr.user_id = \(user) AND hr.item_id = ha.item_id)))
        """
    }

    /// Records one message unless its Message-ID is already there; whether it was new. A known
    /// Message-ID is skipped before the insert, so that it takes no row id (as SQLite's INSERT OR
    /// IGNORE); the conflict clause covers two instances recording it at once.
    func insert(_ entry: OutboxEntry, at date: Date) async throws -> Bool {
        try await !PostgresRows.all(connection.query("""
            INSERT INTO mail_outbox (message_id, user_id, recipient, sender, kind, covers_until, body, next_attempt_at, created_at)
            SELECT \(entry.messageID), \(entry.userID), \(entry.recipient), \(entry.sender), \(entry.kind), \(entry.coversUntil?.unixSeconds),
              \(ByteBuffer(data: entry.body)), \(date.unixSeconds), \(date.unixSeconds)
            WHERE NOT EXISTS (SELECT 1 FROM mail_outbox WHERE message_id = \(entry.messageID))
            ON CONFLICT (message_id) DO NOTHING RETURNING 1
            """, logger: logger), Int32.self).isEmpty
    }
}

extension PostgresStore {
    func mailRead<T: Sendable>(_ what: String, _ body: (PostgresMail) async throws -> T) async throws(StoreError) -> T {
        try await scoped(what, writing: false, body)
    }

    /// Mail is bookkeeping (nothing a page shows) unless told: an agent's alert choices are theirs.
    func mailWrite<T: Sendable>(_ what: String, changes scope: ChangeScope = .bookkeeping,
                                _ body: (PostgresMail) async throws -> T) async throws(StoreError) -> T {
        try await scoped(what, writing: true, changes: scope, body)
    }
}

extension PostgresStore: MailStore {}
