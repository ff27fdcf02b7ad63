public import Foundation
public import KiosqueModel
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Fetch attempts and source health on PostgreSQL (SQLite's Operations/Health.swift). Recording an
/// attempt also ends the source's lease: the next due time alone decides when it is fetched again.
extension PostgresStore {
    /// Stores one fetch attempt and updates the source's health.
    public func recordAttempt(_ attempt: FetchAttempt, nextAttemptAt: Date?) async throws(StoreError) {
        let logger = self.logger
        try await write("recording a fetch attempt of \(attempt.sourceID)", changes: .bookkeeping) { connection in
            guard try await PostgresHealth.insert(connection, attempt, nextAttemptAt: nextAttemptAt, logger: logger) else {
                throw StoreError.notFound(what: "source", id: attempt.sourceID)
            }
        }
    }

    /// Stores a fetch cycle's attempts in one transaction; returns the ids of unknown sources (skipped).
    public func recordAttempts(_ attempts: [(attempt: FetchAttempt, nextAttemptAt: Date?)]) async throws(StoreError) -> [String] {
        let logger = self.logger
        let list = attempts.map { PostgresHealth.Pending(attempt: $0.attempt, next: $0.nextAttemptAt) }
        return try await write("recording \(list.count) fetch attempts", changes: .bookkeeping) { connection in
            var unknown: [String] = []
            for pending in list where try await !PostgresHealth.insert(connection, pending.attempt, nextAttemptAt: pending.next, logger: logger) {
                unknown.append(pending.attempt.sourceID)
            }
            return unknown
        }
    }

    /// A source's health; nil for an unknown source, an empty health for one never fetched.
    public func health(sourceID: String) async throws(StoreError) -> SourceHealth? {
        let logger = self.logger
        return try await read("reading health of \(sourceID)") { connection in
            try await PostgresHealth.fetch(connection, "s.key = \(sourceID)", logger: logger).first
        }
    }

    /// The health of every live source, by source id.
    public func allHealth() async throws(StoreError) -> [SourceHealth] {
        let logger = self.logger
        return try await read("reading source health") { connection in
            try await PostgresHealth.fetch(connection, "s.retired_at IS NULL", logger: logger)
        }
    }

    /// A source's latest attempts, newest first.
    public func recentAttempts(sourceID: String, limit: Int) async throws(StoreError) -> [FetchAttempt] {
        let logger = self.logger
        return try await read("reading attempts of \(sourceID)") { connection in
            var attempts: [FetchAttempt] = []
            for try await row in try await connection.query("""
                SELECT s.key, \(unescaped: PostgresHealth.attemptColumns) FROM fetch_attempts a JOIN sources s ON s.id = a.source_id
                WHERE s.key = \(sourceID) ORDER BY a.started_at DESC, a.id DESC LIMIT \(limit)
                """, logger: logger) {
                attempts.append(try PostgresHealth.attempt(row))
            }
            return attempts
        }
    }

    /// Keeps the latest `keep` attempts of each source, deleting older history; returns rows deleted.
    @discardableResult
    public func pruneAttempts(keep: Int) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await write("pruning fetch attempts", changes: .bookkeeping) { connection in
            try await PostgresRows.all(connection.query("""
                DELETE FROM fetch_attempts WHERE id IN (
                  SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY started_at DESC, id DESC) AS n
                                  FROM fetch_attempts) ranked WHERE n > \(keep))
                RETURNING 1
                """, logger: logger), Int32.self).count
        }
    }
}

/// Row mapping for health and attempts.
enum PostgresHealth {
    struct Pending: Sendable {
        let attempt: FetchAttempt
        let next: Date?
    }

    static let attemptColumns = """
        a.id, a.started_at, a.duration, a.http_status, a.error_class, a.error_message, a.bytes, a.not_modified, a.new_items,
        a.updated_items, a.warnings::text, a.permanent_redirect, a.discovered_feeds::text
        """

    /// Inserts the attempt, updates its source's health and ends its lease; false when the source is unknown.
    static func insert(_ connection: PostgresConnection, _ attempt: FetchAttempt, nextAttemptAt: Date?, logger: Logger) async throws -> Bool {
        guard let source = try await PostgresRows.all(connection.query(
            "SELECT id FROM sources WHERE key = \(attempt.sourceID)", logger: logger), Int64.self).first else { return false }
        let ids = try await PostgresRows.all(connection.query("""
            INSERT INTO fetch_attempts (source_id, started_at, duration, http_status, error_class, error_message, bytes,
              not_modified, new_items, updated_items, warnings, permanent_redirect, discovered_feeds)
            VALUES (\(source), \(attempt.startedAt.timeIntervalSince1970), \(attempt.duration), \(attempt.httpStatus),
              \(attempt.errorClass?.rawValue), \(attempt.errorMessage), \(attempt.bytes), \(attempt.notModified), \(attempt.newItems),
              \(attempt.updatedItems), \(JSONList.encode(attempt.warnings))::jsonb, \(attempt.permanentRedirect),
              \(JSONList.encode(attempt.discoveredFeeds))::jsonb)
            RETURNING id
            """, logger: logger), Int64.self)
        let success: Double? = attempt.succeeded ? attempt.startedAt.timeIntervalSince1970 + attempt.duration : nil
        try await connection.query("""
            INSERT INTO source_health (source_id, last_attempt_id, last_success_at, consecutive_failures, next_attempt_at)
            VALUES (\(source), \(ids.first), \(success), CASE WHEN \(success)::float8 IS NULL THEN 1 ELSE 0 END,
                    \(nextAttemptAt?.timeIntervalSince1970))
            ON CONFLICT (source_id) DO UPDATE SET last_attempt_id = excluded.last_attempt_id,
              last_success_at = coalesce(excluded.last_success_at, source_health.last_success_at),
              consecutive_failures = CASE WHEN excluded.last_success_at IS NULL THEN source_health.consecutive_failures + 1 ELSE 0 END,
              next_attempt_at = excluded.next_attempt_at
            """, logger: logger)
        try await connection.query("UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE id = \(source)", logger: logger)
        return true
    }

    static func fetch(_ connection: PostgresConnection, _ condition: PostgresQuery, logger: Logger) async throws -> [SourceHealth] {
        var healths: [SourceHealth] = []
        let sql = """
            SELECT s.key, \(attemptColumns), h.last_success_at, coalesce(h.consecutive_failures, 0), h.next_attempt_at
            FROM sources s LEFT JOIN source_health h ON h.source_id = s.id LEFT JOIN fetch_attempts a ON a.id = h.last_attempt_id
            WHERE \(condition.sql) ORDER BY s.key
            """
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: condition.binds), logger: logger) {
            let tail = try row.decode((String, Int64?, Double?, Double?, Int32?, String?, String?, Int64?, Bool?, Int32?, Int32?,
                                       String?, String?, String?, Double?, Int32, Double?).self)
            healths.append(SourceHealth(sourceID: tail.0, lastAttempt: tail.1 == nil ? nil : try attempt(row),
                                        lastSuccessAt: tail.14.map(Date.init(timeIntervalSince1970:)), consecutiveFailures: Int(tail.15),
                                        nextAttemptAt: tail.16.map(Date.init(timeIntervalSince1970:))))
        }
        return healths
    }

    /// An attempt from a row that starts with the source key then `attemptColumns`.
    static func attempt(_ row: PostgresRow) throws -> FetchAttempt {
        let c = try row.decode((String, Int64?, Double?, Double?, Int32?, String?, String?, Int64?, Bool?, Int32?, Int32?,
                                String?, String?, String?).self)
        return FetchAttempt(
            sourceID: c.0, startedAt: Date(timeIntervalSince1970: c.2 ?? 0), duration: c.3 ?? 0, httpStatus: c.4.map(Int.init),
            errorClass: c.5.flatMap(FetchErrorClass.init(rawValue:)), errorMessage: c.6, bytes: c.7 ?? 0, notModified: c.8 ?? false,
            newItems: Int(c.9 ?? 0), updatedItems: Int(c.10 ?? 0), warnings: JSONList.decode(c.11),
            permanentRedirect: c.12, discoveredFeeds: JSONList.decode(c.13))
    }
}
