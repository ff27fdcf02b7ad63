public import Foundation
public import KiosqueStoreContract
import PostgresNIO

extension PostgresStore: SourceLeasing {
    /// Leases up to `limit` due sources to `owner` for `duration`: live sources whose next attempt
    /// time has come (or that were never fetched) and that no live lease holds, chosen earliest due
    /// first and returned in identifier order; at most `perHost` sources of one host under a live
    /// lease, all owners together.
    ///
    /// Leasing is serialised between instances by a transaction-level advisory lock, so the per-host
    /// counts are exact; the rows are still taken with `FOR UPDATE SKIP LOCKED` so that a row another
    /// writer holds (a catalogue sync) is skipped rather than waited for. A lease whose instance died
    /// is taken over once it has expired.
    public func leaseDueSources(owner: String, limit: Int, perHost: Int, duration: TimeInterval,
                                now: Date) async throws(StoreError) -> [String] {
        let at = now.timeIntervalSince1970, until = at + duration, limit = max(0, limit), perHost = Int64(min(perHost, Int(Int32.max)))
        return try await lease("leasing due sources", """
            WITH live AS (
              SELECT \(unescaped: Self.hostOfURL("url")) AS host, count(*) AS n FROM sources
              WHERE lease_until > \(at) GROUP BY 1),
            due AS (
              SELECT s.id, \(unescaped: Self.hostOfURL("s.url")) AS host, h.next_attempt_at AS next
              FROM sources s LEFT JOIN source_health h ON h.source_id = s.id
              WHERE s.retired_at IS NULL AND (h.next_attempt_at IS NULL OR h.next_attempt_at <= \(at))
                AND (s.lease_until IS NULL OR s.lease_until <= \(at))),
            ranked AS (
              SELECT d.id, d.next, d.host, row_number() OVER (PARTITION BY d.host ORDER BY d.next NULLS FIRST, d.id) AS rank
              FROM due d),
            chosen AS (
              SELECT r.id FROM ranked r LEFT JOIN live l ON l.host IS NOT DISTINCT FROM r.host
              WHERE r.rank + coalesce(l.n, 0) <= \(perHost)
              ORDER BY r.next NULLS FIRST, r.id LIMIT \(limit)),
            locked AS (
              SELECT id FROM sources WHERE id IN (SELECT id FROM chosen) FOR UPDATE SKIP LOCKED)
            UPDATE sources SET lease_owner = \(owner), lease_until = \(until)
            WHERE id IN (SELECT id FROM locked)
            RETURNING key
            """)
    }

    /// Leases these sources to `owner`, due or not (`kiosque fetch --all`, `--source`), except those
    /// under another owner's live lease (another instance is fetching them) and retired ones.
    public func leaseSources(owner: String, sourceIDs: [String], duration: TimeInterval, now: Date) async throws(StoreError) -> [String] {
        let at = now.timeIntervalSince1970, until = at + duration
        return try await lease("leasing named sources", """
            UPDATE sources SET lease_owner = \(owner), lease_until = \(until)
            WHERE key = ANY(\(sourceIDs)) AND retired_at IS NULL
              AND (lease_until IS NULL OR lease_until <= \(at) OR lease_owner = \(owner))
            RETURNING key
            """)
    }

    /// Runs a leasing `UPDATE … RETURNING key` in one transaction under the advisory lock that
    /// serialises leasing (so that the per-host counts are exact); returns the keys in order.
    private func lease(_ what: String, _ update: PostgresQuery) async throws(StoreError) -> [String] {
        do {
            return try await transaction(what) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.leasingLock))", logger: self.logger)
                let rows = try await connection.query(update, logger: self.logger)
                var leased: [String] = []
                for try await key in rows.decode(String.self) { leased.append(key) }
                return leased.sorted()
            }
        } catch {
            throw storeError(error, what)
        }
    }

    /// Extends `owner`'s leases on these sources (a long cycle keeps its sources); returns those still held.
    @discardableResult
    public func renewSources(owner: String, sourceIDs: [String], duration: TimeInterval, now: Date) async throws(StoreError) -> [String] {
        let until = now.timeIntervalSince1970 + duration
        do {
            return try await withConnection("renewing source leases") { connection in
                let rows = try await connection.query("""
                    UPDATE sources SET lease_until = \(until) WHERE lease_owner = \(owner) AND key = ANY(\(sourceIDs))
                    RETURNING key
                    """, logger: self.logger)
                var kept: [String] = []
                for try await key in rows.decode(String.self) { kept.append(key) }
                return kept
            }
        } catch {
            throw storeError(error, "renewing source leases")
        }
    }

    /// Gives sources back (fetched, or given up) so that the next due time alone decides.
    public func releaseSources(owner: String, sourceIDs: [String]) async throws(StoreError) {
        do {
            try await withConnection("releasing source leases") { connection in
                try await connection.query("""
                    UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner) AND key = ANY(\(sourceIDs))
                    """, logger: self.logger)
            }
        } catch {
            throw storeError(error, "releasing source leases")
        }
    }

    /// The advisory lock key that serialises leasing ("kiosque-lease" as a number).
    static let leasingLock: Int64 = 0x6b696f_7371_6c65

    /// SQL for the lower-cased host of an http(s) address held in `column` (no user info, no port).
    static func hostOfURL(_ column: String) -> String {
        "lower(substring(\(column) from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\\[[^]]*\\]|[^/:?#]*)'))"
    }
}
