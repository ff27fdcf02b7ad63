public import Foundation
import PostgresNIO

/// A due source handed to one instance for one fetch: no other instance gets it until `until`.
public struct SourceLease: Sendable, Hashable {
    /// The source's channels.yml identifier.
    public var sourceID: String
    /// The feed's address.
    public var url: String
    /// When the lease expires and another instance may take the source.
    public var until: Date
}

extension PostgresStore {
    /// Leases up to `limit` due sources to `owner` for `duration`: live sources whose next attempt
    /// time has come (or that were never fetched) and that no live lease holds; earliest due first.
    ///
    /// Rows another instance is leasing at this moment are skipped (`FOR UPDATE SKIP LOCKED`), and a
    /// lease whose instance died is taken over once it has expired.
    public func leaseDueSources(owner: String, limit: Int, duration: TimeInterval,
                                now: Date = Date()) async throws(PostgresStoreError) -> [SourceLease] {
        let at = now.timeIntervalSince1970, until = at + duration, limit = max(0, limit)
        return try await withConnection("leasing due sources") { connection in
            let rows = try await connection.query("""
                UPDATE sources SET lease_owner = \(owner), lease_until = \(until)
                WHERE id IN (
                  SELECT s.id FROM sources s LEFT JOIN source_health h ON h.source_id = s.id
                  WHERE s.retired_at IS NULL AND (h.next_attempt_at IS NULL OR h.next_attempt_at <= \(at))
                    AND (s.lease_until IS NULL OR s.lease_until <= \(at))
                  ORDER BY h.next_attempt_at NULLS FIRST, s.id
                  LIMIT \(limit)
                  FOR UPDATE OF s SKIP LOCKED)
                RETURNING key, url, lease_until
                """, logger: self.logger)
            var leases: [SourceLease] = []
            for try await (key, url, until) in rows.decode((String, String, Double).self) {
                leases.append(SourceLease(sourceID: key, url: url, until: Date(timeIntervalSince1970: until)))
            }
            return leases
        }
    }

    /// Extends `owner`'s leases on these sources (a long cycle keeps its sources); returns those still held.
    @discardableResult
    public func renewLeases(owner: String, sourceIDs: [String], duration: TimeInterval,
                            now: Date = Date()) async throws(PostgresStoreError) -> [String] {
        let until = now.timeIntervalSince1970 + duration
        return try await withConnection("renewing source leases") { connection in
            let rows = try await connection.query("""
                UPDATE sources SET lease_until = \(until) WHERE lease_owner = \(owner) AND key = ANY(\(sourceIDs))
                RETURNING key
                """, logger: self.logger)
            var kept: [String] = []
            for try await key in rows.decode(String.self) { kept.append(key) }
            return kept
        }
    }

    /// Gives sources back (fetched, or given up) so that the next due time alone decides.
    public func releaseLeases(owner: String, sourceIDs: [String]) async throws(PostgresStoreError) {
        try await withConnection("releasing source leases") { connection in
            try await connection.query("""
                UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner) AND key = ANY(\(sourceIDs))
                """, logger: self.logger)
        }
    }
}
