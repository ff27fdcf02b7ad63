public import Foundation
public import KiosqueModel
import GRDB

extension AppDatabase {
    /// Stores one fetch attempt and updates the source's health (failure streak, last success, next attempt).
    public func recordAttempt(_ attempt: FetchAttempt, nextAttemptAt: Date?) async throws(StoreError) {
        try await write("recording a fetch attempt of \(attempt.sourceID)", changes: .bookkeeping) { db in
            guard try Self.insertAttempt(db, attempt, nextAttemptAt: nextAttemptAt) else {
                throw StoreError.notFound(what: "source", id: attempt.sourceID)
            }
        }
    }

    /// Stores a fetch cycle's attempts and health in one transaction; an attempt of a source the
    /// store does not know (removed meanwhile) is skipped, not fatal: its id is returned.
    public func recordAttempts(_ attempts: [(attempt: FetchAttempt, nextAttemptAt: Date?)]) async throws(StoreError) -> [String] {
        try await write("recording \(attempts.count) fetch attempts", changes: .bookkeeping) { db in
            try attempts.filter { try !Self.insertAttempt(db, $0.attempt, nextAttemptAt: $0.nextAttemptAt) }.map(\.attempt.sourceID)
        }
    }

    /// Inserts the attempt and updates its source's health; false when the source is unknown.
    private static func insertAttempt(_ db: Database, _ attempt: FetchAttempt, nextAttemptAt: Date?) throws -> Bool {
        // Cached statements: a cycle records a thousand attempts in one write.
        guard let source = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM sources WHERE key = ?"),
                                              arguments: [attempt.sourceID]) else {
            return false
        }
        try db.cachedStatement(sql: """
            INSERT INTO fetch_attempts (source_id, started_at, duration, http_status, error_class, error_message, bytes,
              not_modified, new_items, updated_items, warnings, permanent_redirect, discovered_feeds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [source, attempt.startedAt.timeIntervalSince1970, attempt.duration, attempt.httpStatus,
                             attempt.errorClass?.rawValue, attempt.errorMessage, attempt.bytes, attempt.notModified,
                             attempt.newItems, attempt.updatedItems, JSONList.encode(attempt.warnings),
                             attempt.permanentRedirect, JSONList.encode(attempt.discoveredFeeds)])
        let attemptID = db.lastInsertedRowID
        let success: Double? = attempt.succeeded ? attempt.startedAt.timeIntervalSince1970 + attempt.duration : nil
        try db.cachedStatement(sql: """
            INSERT INTO source_health (source_id, last_attempt_id, last_success_at, consecutive_failures, next_attempt_at)
            VALUES (?1, ?2, ?3, CASE WHEN ?3 IS NULL THEN 1 ELSE 0 END, ?4)
            ON CONFLICT(source_id) DO UPDATE SET last_attempt_id = ?2,
              last_success_at = coalesce(?3, last_success_at),
              consecutive_failures = CASE WHEN ?3 IS NULL THEN consecutive_failures + 1 ELSE 0 END,
              next_attempt_at = ?4
            """).execute(arguments: [source, attemptID, success, nextAttemptAt?.timeIntervalSince1970])
        return true
    }

    /// A source's health; nil for an unknown source, an empty health for one never fetched.
    public func health(sourceID: String) async throws(StoreError) -> SourceHealth? {
        try await read("reading health of \(sourceID)") { db in
            try Health.fetch(db, condition: "s.key = ?", arguments: [sourceID]).first
        }
    }

    /// The health of every live source, by source id.
    public func allHealth() async throws(StoreError) -> [SourceHealth] {
        try await read("reading source health") { db in
            try Health.fetch(db, condition: "s.retired_at IS NULL", arguments: [])
        }
    }

    /// A source's latest attempts, newest first.
    public func recentAttempts(sourceID: String, limit: Int = 20) async throws(StoreError) -> [FetchAttempt] {
        try await read("reading attempts of \(sourceID)") { db in
            try Row.fetchAll(db, sql: """
                SELECT a.*, s.key FROM fetch_attempts a JOIN sources s ON s.id = a.source_id
                WHERE s.key = ? ORDER BY a.started_at DESC, a.id DESC LIMIT ?
                """, arguments: [sourceID, limit]).map(Health.attempt)
        }
    }

    /// Keeps the latest `keep` attempts of each source, deleting older history; returns rows deleted.
    @discardableResult
    public func pruneAttempts(keep: Int = 200) async throws(StoreError) -> Int {
        try await write("pruning fetch attempts", changes: .bookkeeping) { db in
            try db.execute(sql: """
                DELETE FROM fetch_attempts WHERE id IN (
                  SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY started_at DESC, id DESC) AS n
                                  FROM fetch_attempts) WHERE n > ?)
                """, arguments: [keep])
            return db.changesCount
        }
    }
}

/// Row mapping for health and attempts.
enum Health {
    static func fetch(_ db: Database, condition: String, arguments: StatementArguments) throws -> [SourceHealth] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT s.key, h.last_success_at, coalesce(h.consecutive_failures, 0) AS failures, h.next_attempt_at,
                   a.*, a.id AS attempt_id
            FROM sources s LEFT JOIN source_health h ON h.source_id = s.id LEFT JOIN fetch_attempts a ON a.id = h.last_attempt_id
            WHERE \(condition) ORDER BY s.key
            """), arguments: arguments).map { row in
            let success: Double? = row["last_success_at"], next: Double? = row["next_attempt_at"]
            let hasAttempt = (row["attempt_id"] as Int64?) != nil
            return SourceHealth(sourceID: row["key"], lastAttempt: hasAttempt ? attempt(row) : nil,
                                lastSuccessAt: success.map(Date.init(timeIntervalSince1970:)),
                                consecutiveFailures: row["failures"], nextAttemptAt: next.map(Date.init(timeIntervalSince1970:)))
        }
    }

    static func attempt(_ row: Row) -> FetchAttempt {
        let errorClass: String? = row["error_class"]
        return FetchAttempt(
            sourceID: row["key"], startedAt: Date(timeIntervalSince1970: row["started_at"]), duration: row["duration"],
            httpStatus: row["http_status"], errorClass: errorClass.flatMap(FetchErrorClass.init(rawValue:)),
            errorMessage: row["error_message"], bytes: row["bytes"], notModified: row["not_modified"],
            newItems: row["new_items"], updatedItems: row["updated_items"], warnings: JSONList.decode(row["warnings"]),
            permanentRedirect: row["permanent_redirect"], discoveredFeeds: JSONList.decode(row["discovered_feeds"]))
    }
}
