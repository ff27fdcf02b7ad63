public import Foundation
import GRDB

extension AppDatabase {
    /// Deletes items older than `days` and beyond the newest `maxItemsPerSource` of each source,
    /// never a starred item nor a departmental document's item (sources `service:<department>`:
    /// documents are the town's own records, kept until an editor or IT removes them; dates are
    /// scanned in the dense item_keys, oldest ids first, not in the wide items rows). Works in
    /// small transactions so readers and the fetcher are never blocked for long; returns how many
    /// items were deleted.
    @discardableResult
    public func applyRetention(days: Int?, maxItemsPerSource: Int?, now: Date = Date()) async throws(StoreError) -> Int {
        let batch = 2_000
        var deleted = 0
        defer { searchCache.invalidate() }
        if let days {
            let cutoff = now.unixSeconds - Int64(days) * 86_400
            while true {
                let n = try await write("applying retention", changes: .shared) { db in
                    try db.execute(sql: """
                        DELETE FROM items WHERE id IN (
                          SELECT k.id FROM item_keys k WHERE k.sort_at < ? AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = k.id)
                            AND k.source_id NOT IN (SELECT id FROM sources WHERE key LIKE 'service:%' OR key LIKE 'news:%')
                          LIMIT ?)
                        """, arguments: [cutoff, batch])
                    return db.changesCount
                }
                deleted += n
                if n < batch { break }
            }
        }
        if let maxItemsPerSource {
            let sources = try await read("listing sources") { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM sources WHERE key NOT LIKE 'service:%' AND key NOT LIKE 'news:%'")
            }
            for source in sources {
                while true {
                    let n = try await write("applying retention", changes: .shared) { db in
                        try db.execute(sql: """
                            DELETE FROM items WHERE id IN (
                              SELECT id FROM (
                                SELECT i.id FROM items i WHERE i.source_id = ?1
                                  AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = i.id)
                                ORDER BY i.sort_at DESC, i.id DESC LIMIT -1 OFFSET ?2)
                              LIMIT ?3)
                            """, arguments: [source, maxItemsPerSource, batch])
                        return db.changesCount
                    }
                    deleted += n
                    if n < batch { break }
                }
            }
        }
        return deleted
    }

    /// Routine upkeep, to run daily off-peak: merges the full-text index into one segment
    /// (about 6 s at a million items on the benchmark machine, holding the writer; searches get
    /// ~15 % faster), or with `fullMerge: false` merges in small steps for at most `budget`
    /// seconds so the fetcher can write in between; then refreshes planner statistics, gives
    /// free pages back when more than a tenth of the file is free, and truncates the WAL.
    @discardableResult
    public func optimize(fullMerge: Bool = true, budget: TimeInterval = 20) async throws(StoreError) -> OptimizeReport {
        let deadline = Date().addingTimeInterval(budget)
        if fullMerge {
            try await write("merging the full-text index", changes: .bookkeeping) { db in
                try db.execute(sql: "INSERT INTO items_fts(items_fts) VALUES ('optimize')")
            }
        } else {
            while Date() < deadline {
                // FTS5 reports a merge that found nothing to do by changing total_changes by less than 2.
                let worked = try await write("merging the full-text index", changes: .bookkeeping) { db -> Bool in
                    let before = db.totalChangesCount
                    try db.execute(sql: "INSERT INTO items_fts(items_fts, rank) VALUES ('merge', 500)")
                    return db.totalChangesCount - before >= 2
                }
                if !worked { break }
            }
        }
        let freed = try await write("optimising", changes: .bookkeeping) { db -> Int in
            try db.execute(sql: "PRAGMA optimize")
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            guard free * 10 > pages else { return 0 }
            try db.execute(sql: "PRAGMA incremental_vacuum")
            return free - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        }
        do {
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch { throw StoreError.wrap(error, path: path, operation: "checkpointing") }
        return OptimizeReport(freedPages: freed, sizeBytes: sizeOnDisk())
    }

    /// Writes a consistent snapshot of the live database to a new file (SQLite online backup);
    /// refuses to overwrite an existing file.
    public func backup(to destination: String) async throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw .conflict(what: "backup", detail: "\(destination) already exists")
        }
        let source = pool, path = self.path
        do {
            try await Task.detached {
                let target = try DatabaseQueue(path: destination)
                try source.backup(to: target)
                try target.close()
            }.value
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw StoreError.wrap(error, path: path, operation: "backing up to \(destination)")
        }
    }

    /// Bytes used by the database file and its WAL.
    public func sizeOnDisk() -> Int64 {
        ["", "-wal"].reduce(Int64(0)) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }

    /// Counts of the main tables, for `kiosque` status output and tests.
    public func counts() async throws(StoreError) -> [String: Int] {
        try await read("counting rows") { db in
            var result: [String: Int] = [:]
            for table in ["sources", "items", "channels", "channel_items", "users", "subscriptions", "read_marks", "stars"] {
                result[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return result
        }
    }
}
