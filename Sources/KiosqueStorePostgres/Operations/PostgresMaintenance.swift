public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO
import Synchronization

/// Retention, upkeep, backup and sizes on PostgreSQL (SQLite's Operations/Maintenance.swift).
extension PostgresStore {
    /// Deletes items older than `days` and beyond the newest `maxItemsPerSource` of each source,
    /// never a starred item nor a departmental document's or a news item (sources `service:…`,
    /// `news:…`), as SQLite does; in small transactions (2,000 items each) so that readers and the
    /// fetcher are never blocked for long. Returns how many items were deleted.
    @discardableResult
    public func applyRetention(days: Int?, maxItemsPerSource: Int?, now: Date) async throws(StoreError) -> Int {
        let batch = 2_000
        let logger = self.logger
        var deleted = 0
        if let days {
            let cutoff = Int64(now.timeIntervalSince1970) - Int64(days) * 86_400
            while true {
                let n = try await write("applying retention") { connection in
                    try await Self.deleteItems(connection, logger: logger, PostgresRows.all(connection.query("""
                        SELECT i.id FROM items i WHERE i.sort_at < \(cutoff)
                          AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = i.id)
                          AND i.source_id NOT IN (SELECT id FROM sources WHERE key LIKE 'service:%' OR key LIKE 'news:%')
                        ORDER BY i.sort_at, i.id LIMIT \(batch)
                        """, logger: logger), Int64.self))
                }
                deleted += n
                if n < batch { break }
            }
        }
        if let maxItemsPerSource {
            let sources = try await read("listing sources") { connection in
                try await PostgresRows.all(connection.query(
                    "SELECT id FROM sources WHERE key NOT LIKE 'service:%' AND key NOT LIKE 'news:%' ORDER BY id",
                    logger: logger), Int64.self)
            }
            let keep = max(0, maxItemsPerSource)
            for source in sources {
                while true {
                    let n = try await write("applying retention") { connection in
                        try await Self.deleteItems(connection, logger: logger, PostgresRows.all(connection.query("""
                            SELECT id FROM (
                              SELECT i.id FROM items i WHERE i.source_id = \(source)
                                AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = i.id)
                              ORDER BY i.sort_at DESC, i.id DESC OFFSET \(keep)) beyond
                            LIMIT \(batch)
                            """, logger: logger), Int64.self))
                    }
                    deleted += n
                    if n < batch { break }
                }
            }
        }
        return deleted
    }

    /// Deletes items and returns how many. Their read marks go first, while the items are still in
    /// their channels: the unread counters' triggers then take the reads back (a cascade from the
    /// items would delete marks and channel rows together, and neither trigger would find the other).
    static func deleteItems(_ connection: PostgresConnection, logger: Logger, _ ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        try await connection.query("DELETE FROM read_marks WHERE item_id = ANY(\(ids))", logger: logger)
        return try await PostgresRows.all(connection.query("DELETE FROM items WHERE id = ANY(\(ids)) RETURNING 1", logger: logger),
                                          Int32.self).count
    }

    /// Routine upkeep, to run daily off-peak. PostgreSQL's counterpart of SQLite's full-text merge
    /// is the GIN indexes' pending lists: `fullMerge` runs `VACUUM (ANALYZE)` over the store's own
    /// tables (which also empties those lists and makes dead rows' space reusable); without it, the
    /// pending lists are merged index by index while `budget` lasts, then the planner statistics
    /// are refreshed (`ANALYZE`). Autovacuum does the rest. `freedPages` is how many 8 kB pages the
    /// database shrank by; `sizeBytes` is `pg_database_size`.
    @discardableResult
    public func optimize(fullMerge: Bool, budget: TimeInterval) async throws(StoreError) -> OptimizeReport {
        let logger = self.logger
        let deadline = Date().addingTimeInterval(budget)
        // VACUUM cannot run inside a transaction block: one pooled connection, no BEGIN.
        let (before, after) = try await read("optimising") { connection in
            let before = try await Self.databaseSize(connection, logger: logger)
            let tables = try await PostgresRows.all(connection.query("""
                SELECT quote_ident(tablename) FROM pg_tables
                WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY tablename
                """, logger: logger), String.self)
            if fullMerge {
                if !tables.isEmpty {
                    try await Self.execute("VACUUM (ANALYZE) " + tables.joined(separator: ", "), on: connection, logger: logger)
                }
            } else {
                let indexes = try await PostgresRows.all(connection.query("""
                    SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE am.amname = 'gin' AND n.nspname = current_schema() ORDER BY 1
                    """, logger: logger), String.self)
                for index in indexes where Date() < deadline {
                    try await connection.query("SELECT gin_clean_pending_list(\(index)::regclass)", logger: logger)
                }
                if !tables.isEmpty {
                    try await Self.execute("ANALYZE " + tables.joined(separator: ", "), on: connection, logger: logger)
                }
            }
            return (before, try await Self.databaseSize(connection, logger: logger))
        }
        PostgresSizes.record(after, of: location)
        return OptimizeReport(freedPages: Int(max(0, before - after) / 8_192), sizeBytes: after)
    }

    /// A PostgreSQL database is not a file the store can copy: this always throws. `kiosque backup`
    /// runs `pg_dump` (custom format) for a PostgreSQL portal.
    public func backup(to destination: String) async throws(StoreError) {
        throw .database(location: location, operation: "backing up to \(destination)", message: Self.backupAdvice)
    }

    /// Why `backup(to:)` refuses, and what to run instead.
    public static let backupAdvice = """
        a PostgreSQL store cannot be copied to a file by the store itself: use `kiosque backup`, which runs \
        pg_dump --format=custom on PostgreSQL (or run pg_dump -Fc against the database yourself)
        """

    /// The database's size (`pg_database_size`) as last measured by `counts()` or `optimize()`;
    /// 0 before the first measure (this call cannot wait for the server).
    public func sizeOnDisk() -> Int64 {
        PostgresSizes.measured.withLock { $0[location] } ?? 0
    }

    /// Counts of the main tables, for `kiosque` status output and tests; also measures the database's size.
    public func counts() async throws(StoreError) -> [String: Int] {
        let logger = self.logger
        let (counts, size) = try await read("counting rows") { connection in
            var result: [String: Int] = [:]
            for table in ["sources", "items", "channels", "channel_items", "users", "subscriptions", "read_marks", "stars"] {
                let n = try await PostgresRows.all(connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger), Int64.self).first ?? 0
                result[table] = Int(n)
            }
            return (result, try await Self.databaseSize(connection, logger: logger))
        }
        PostgresSizes.record(size, of: location)
        return counts
    }

    static func databaseSize(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await PostgresRows.all(connection.query("SELECT pg_database_size(current_database())", logger: logger), Int64.self).first ?? 0
    }
}

/// The last measured size of each database (by location): `sizeOnDisk()` is synchronous and cannot ask the server.
enum PostgresSizes {
    static let measured = Mutex<[String: Int64]>([:])

    static func record(_ size: Int64, of location: String) {
        measured.withLock { $0[location] = size }
    }
}

extension PostgresStore: OperationsStore {}
